#!/usr/bin/env bash
# hostile_modes.sh: hitlcheck against every hostile mode of the reference server, as a user
# testing an unknown deployment would run it (the whole catalogue, --timeout 5 --max-wait 20;
# the server and the run at a test deployment's short rate-limit window, 10/4). For each row
# of hostile_modes.txt the reference server records what it received (--request-log), and
# the run must:
#   - exit as the row says, within 60 s, with a peak RSS under 256 MiB;
#   - end with the row's one line when it is stopped (preflight, circuit breaker);
#   - send nothing outside the API's routes, no request naming `hostile-escape` (however
#     encoded), no header line holding a server's bytes (`Hostile`, an escaped CR or LF);
#   - open connections in proportion to its work: at most 8 when the preflight stops it,
#     at most half the clean run's when the breaker does, at most the clean run's (+5%)
#     otherwise; and never more than 60 requests for one form token or run id (a redirect
#     followed or a reconnect storm would be hundreds).
# Rows run in parallel (HITL_HOSTILE_JOBS, default 4). It prints the table mode → exit, wall,
# peak RSS, connections. HITL_HOSTILE_SLOW=1 (set for sanitizer builds, which run 2-4 times
# slower and keep shadow memory) drops the 60 s and 256 MiB bounds, which measure the
# product, and gives the runs --deadline 600 instead of the default sized for the product;
# every other assertion holds (four rows at a time there too: ASan 111 s, 232 s with two). HITL_HOSTILE_MEASURE_ONLY=1 only measures (bench/hostile_table.sh
# uses it for a build without these defences; each run is then killed after
# HITL_HOSTILE_KILL seconds, default 200). Env: HITLCHECK, REFSERVER (binaries).
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
here=$(cd "$(dirname "$0")" && pwd)
table="$here/hostile_modes.txt"
slow=${HITL_HOSTILE_SLOW:-0}
jobs=${HITL_HOSTILE_JOBS:-4}
deadline=()
[ "$slow" = 1 ] && deadline=(--deadline 600)
measure_only=${HITL_HOSTILE_MEASURE_ONLY:-0}
kill_after=${HITL_HOSTILE_KILL:-200}
[ -x /usr/bin/time ] || { echo "FAIL: /usr/bin/time is missing (Debian package time)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_mode MODE: one server with MODE's fault (none: clean) and one run; leaves in
# $work/MODE/: out, err, time (GNU time -v), req.log and result
# "<mode> <exit> <wall s> <peak RSS KiB> <connections>".
run_mode() {
  local mode=$1 d="$work/$1"
  mkdir -p "$d"
  local args=(--port 0 --port-file "$d/port" --rate-limit 10/4 --request-log "$d/req.log")
  [ "$mode" != none ] && args+=(--fault "$mode")
  "$REFSERVER" "${args[@]}" >"$d/srv.out" 2>&1 &
  local spid=$!
  for _ in $(seq 400); do [ -s "$d/port" ] && break; sleep 0.05; done
  local port
  port=$(cat "$d/port" 2>/dev/null) || { echo "$mode 255 0 0 0" >"$d/result"; kill "$spid"; return; }
  local t0 t1 rc
  t0=$(date +%s%N)
  # shellcheck disable=SC2086 # HITL_HOSTILE_DEADLINE: none, or "--deadline 600"
  /usr/bin/time -v -o "$d/time" timeout -k 5 "$kill_after" "$HITLCHECK" run \
    --target "http://127.0.0.1:$port" --api-key app-hitl-workflow --timeout 5 --max-wait 20 \
    --rate-limit 10/4 ${HITL_HOSTILE_DEADLINE:-} --no-color -q --report-dir "$d/rep" \
    >"$d/out" 2>"$d/err"
  rc=$?
  t1=$(date +%s%N)
  kill "$spid" 2>/dev/null
  wait "$spid" 2>/dev/null
  local rss conns
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$d/time")
  conns=$(grep -c '^C$' "$d/req.log")
  echo "$mode $rc $(((t1 - t0) / 1000000)) ${rss:-0} $conns" >"$d/result"
}
export -f run_mode
export HITLCHECK REFSERVER work kill_after
export HITL_HOSTILE_DEADLINE="${deadline[*]}"

rows=()
while IFS= read -r line; do
  case "$line" in '' | '#'*) continue ;; esac
  rows+=("$line")
done <"$table"

fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# Every hostile fault has a row.
while IFS=$'\t' read -r name _; do
  case "$name" in hostile-*) ;; *) continue ;; esac
  printf '%s\n' "${rows[@]}" | awk '{print $1}' | grep -qx "$name" ||
    bad "hostile mode $name has no row in hostile_modes.txt"
done < <("$REFSERVER" --list-faults)

printf '%s\n' "${rows[@]}" | awk '{print $1}' | xargs -P "$jobs" -I{} bash -c 'run_mode {}'

echo "| mode | exit | wall (s) | peak RSS (MiB) | connections |"
echo "|---|---|---|---|---|"
for row in "${rows[@]}"; do
  read -r mode _ _ <<<"$row"
  read -r _ rc ms rss conns <"$work/$mode/result"
  case "$rc" in 124 | 137) rc="killed" ;; esac
  printf '| %s | %s | %d.%d | %d | %s |\n' "$mode" "$rc" $((ms / 1000)) $((ms % 1000 / 100)) \
    $((rss / 1024)) "$conns"
done
[ "$measure_only" = 1 ] && exit 0

clean_conns=$(awk '{print $5}' "$work/none/result")
# The API's routes (request targets without their query), as hitl-refserver serves them.
routes='^/(v1/|v1/(workflows/run|chat-messages|files/upload)|v1/form/human_input/[^/]+(/upload-token)?|v1/workflow/[^/]+/events|api/form/human_input/[^/]+(/upload-token)?|api/form/human_input/files/(upload|remote-upload)|api/human-input-forms/files)$'
for row in "${rows[@]}"; do
  read -r mode want ends <<<"$row"
  d="$work/$mode"
  read -r _ rc ms rss conns <"$d/result"
  why=()
  [ "$rc" = "$want" ] || why+=("exit $rc, expected $want")
  if [ "$slow" != 1 ]; then
    [ "$ms" -lt 60000 ] || why+=("took ${ms} ms, not under 60 s")
    [ "$rss" -lt 262144 ] || why+=("peak RSS ${rss} KiB, not under 256 MiB")
  fi
  off=$(grep '^U ' "$d/req.log" | sed 's/^U //; s/?.*//' | grep -cvE "$routes")
  [ "$off" = 0 ] || why+=("$off requests outside the API's routes: $(grep '^U ' "$d/req.log" |
    sed 's/^U //; s/?.*//' | grep -vE "$routes" | head -3 | cut -c1-80 | tr '\n' ' ')")
  esc=$(grep -ciE 'hostile-escape|hostile%2descape' "$d/req.log")
  [ "$esc" = 0 ] || why+=("$esc lines of the request log name hostile-escape")
  hdr=$(grep '^H ' "$d/req.log" | grep -ciE 'hostile|\\x0[ad]')
  [ "$hdr" = 0 ] || why+=("$hdr header lines carry a server's bytes or CR/LF")
  per_value=$(grep '^U ' "$d/req.log" | sed 's/^U //; s/?.*//' |
    grep -E '^/(api|v1)/(form/human_input|workflow)/' | grep -vE '/files/(upload|remote-upload)$' |
    sed -E 's#(/upload-token|/events)$##' | sort | uniq -c | sort -rn | awk 'NR == 1 {print $1}')
  [ "${per_value:-0}" -le 60 ] || why+=("${per_value} requests for one token or run id")
  case "$ends" in
    preflight)
      [ "$conns" -le 8 ] || why+=("$conns connections for a run the preflight stopped")
      [ "$(grep -c . "$d/err")" = 1 ] && grep -q '^hitlcheck run: preflight: ' "$d/err" ||
        why+=("not one preflight line: $(head -c 300 "$d/err")") ;;
    breaker)
      [ "$conns" -le $((clean_conns / 2)) ] || why+=("$conns connections (clean run: $clean_conns)")
      [ "$(grep -c . "$d/err")" = 1 ] && grep -q '^hitlcheck run: stopped: circuit breaker: ' "$d/err" ||
        why+=("not one circuit-breaker line: $(head -c 300 "$d/err")") ;;
    *)
      [ "$conns" -le $((clean_conns * 105 / 100 + 5)) ] ||
        why+=("$conns connections (clean run: $clean_conns)") ;;
  esac
  if [ "${#why[@]}" = 0 ]; then
    echo "ok   $mode"
  else
    bad "$mode: $(printf '%s; ' "${why[@]}")"
    sed 's/^/     /' "$d/err" | head -5
    tail -n 5 "$d/out" | sed 's/^/     /'
  fi
done
echo "$((${#rows[@]} - fail)) passed, $fail failed"
[ "$fail" = 0 ]
