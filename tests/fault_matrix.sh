#!/usr/bin/env bash
# fault_matrix.sh: the mutation matrix. For every row of fault_matrix.txt
#   <fault> <selector> <verdict> <check-id> [<check-id>…]
# run the embedded reference server with that fault on, only the checks the selector names,
# and require exit 1 (0 for WARN rows: SHOULD checks; 1 or 3 for ERROR rows: hostile
# targets the harness must survive) and each named check reported with the verdict.
# A PREFLIGHT row (`<fault> <selector> PREFLIGHT <word>…`) requires exit 3 and the one line
# `hitlcheck run: preflight: …` holding every word: the preflight stopped the run first.
# Verdicts are read from each run's report.json with jq (JQ, default: jq on PATH), not from
# the console; a preflight stop writes no report, so its one error line is what is checked.
# Each row must finish within HITL_MATRIX_ROW_SECONDS (default 120): no hang. Rows run in parallel (HITL_MATRIX_JOBS, default 4).
# Every fault `hitl-refserver --list-faults` names must have a row, or a line
# `<fault> GAP <why>` that is reported (and fails) until a check catches it.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
here=$(cd "$(dirname "$0")" && pwd)
table="$here/fault_matrix.txt"
jobs=${HITL_MATRIX_JOBS:-4}
jq=${JQ:-}
[ -x "$jq" ] || jq=$(command -v jq)
if [ -z "$jq" ]; then
  echo "FAIL: jq is needed to read report.json: apt-get install -y --no-install-recommends jq"
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

one_row() {
  local n=$1; shift
  local fault=$1 sel=$2 verdict=$3; shift 3
  local log="$work/$n.log" rep="$work/$n.rep" extra=()
  case "$fault" in *@v2) fault=${fault%@v2}; extra=(--embedded-layout v2) ;; esac
  case "$fault" in *@chatflow) fault=${fault%@chatflow}; extra+=(--app-mode chatflow) ;; esac
  timeout "${HITL_MATRIX_ROW_SECONDS:-120}" "$HITLCHECK" run --embedded-fault "$fault" --only "$sel" \
    --jobs 4 --no-color --max-wait 40 --report-dir "$rep" "${extra[@]}" >"$log" 2>&1
  local rc=$? ok=1 why=""
  local want="1"
  [ "$verdict" = WARN ] && want="0"
  [ "$verdict" = ERROR ] && want="1 3"
  [ "$verdict" = PREFLIGHT ] && want="3"
  case " $want " in *" $rc "*) ;; *) ok=0; why="exit $rc, expected $want" ;; esac
  [ "$rc" = 124 ] && why="timed out: the harness hung"
  if [ "$verdict" = PREFLIGHT ]; then
    local line
    line=$(grep -E '^hitlcheck run: preflight: ' "$log")
    [ "$(printf '%s\n' "$line" | grep -c .)" = 1 ] || { ok=0; why="$why; not one preflight line"; }
    for word in "$@"; do
      case "$line" in *"$word"*) ;; *) ok=0; why="$why; the preflight line lacks $word" ;; esac
    done
  elif [ ! -s "$rep/report.json" ]; then
    ok=0
    why="$why; no report.json"
  else
    for id in "$@"; do
      "$jq" -e --arg id "$id" --arg v "$verdict" \
        'any(.checks[]; .id == $id and .verdict == $v)' "$rep/report.json" >/dev/null ||
        { ok=0; why="$why; $id not reported $verdict in report.json"; }
    done
  fi
  if [ $ok = 1 ]; then
    echo "ok   $fault -> $verdict $*" >"$log.result"
  else
    { echo "FAIL $fault -> $verdict $* ($why)"; sed 's/^/     /' "$log" | tail -n 30; } >"$log.result"
  fi
}
export -f one_row
export HITLCHECK work jq

rows=()
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  rows+=("$line")
done <"$table"

# Every fault of the server is in the table.
missing=0
while IFS=$'\t' read -r name _; do
  if ! printf '%s\n' "${rows[@]}" | awk '{print $1}' | sed 's/@.*//' | grep -qx "$name"; then
    echo "FAIL fault $name has no row in fault_matrix.txt"
    missing=$((missing + 1))
  fi
done < <("$REFSERVER" --list-faults)

# Number the rows in this shell (a pipeline would count in a subshell), then run them.
n=0
: >"$work/queue"
for row in "${rows[@]}"; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  set -- $row
  if [ "$2" = GAP ]; then
    echo "GAP  $1: ${*:3}" >"$work/$n.log.result"
    continue
  fi
  printf '%s\0' "$n $row" >>"$work/queue"
done
xargs -0 -P "$jobs" -I{} bash -c 'one_row {}' <"$work/queue"

pass=0 fail=$missing gaps=0
for ((i = 1; i <= n; i++)); do
  r="$work/$i.log.result"
  [ -f "$r" ] || continue
  cat "$r"
  case "$(head -c 4 "$r")" in
    "ok  ") pass=$((pass + 1)) ;;
    "GAP ") gaps=$((gaps + 1)); fail=$((fail + 1)) ;;
    *) fail=$((fail + 1)) ;;
  esac
done
echo "caught $pass of $((pass + fail)) faults ($gaps gaps)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
