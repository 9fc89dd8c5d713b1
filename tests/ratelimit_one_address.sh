#!/usr/bin/env bash
# ratelimit_one_address.sh: the rate-limit checks from one source address (a target reached
# as http://localhost:PORT, not an IPv4 literal: every request is one client, so the run
# paces its WEB form requests and the rate-limit checks hold the buckets they fill). Against
# a standalone hitl-refserver (--rate-limit 4/7: a paced fill of 4.4 s):
#   - clean: no FAIL and no ERROR, and the checks that need a full GET bucket used the one
#     another check filled (their note names it) instead of a window each;
#   - each rate-limit fault of fault_matrix.txt is still caught by the check it targets
#     (one address must not cost a finding).
# Env: HITLCHECK, REFSERVER; JQ (default: jq on PATH).
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
jq=${JQ:-}
[ -x "$jq" ] || jq=$(command -v jq)
[ -n "$jq" ] || { echo "FAIL: jq is needed to read report.json"; exit 1; }
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

# one NAME FAULT…: a server with those faults and a run of the rate-limit checks against it
# through localhost, in the background; the verdicts are read once all have ended.
one() {
  local name=$1; shift
  local faults=() f
  for f in "$@"; do faults+=(--fault "$f"); done
  (
    "$REFSERVER" --listen 127.0.0.1 --port 0 --port-file "$work/$name.port" --rate-limit 4/7 \
      --app workflow:app-w --app chatflow:app-c "${faults[@]}" >"$work/$name.srv" 2>&1 &
    srv=$!
    for _ in $(seq 400); do [ -s "$work/$name.port" ] && break; sleep 0.05; done
    timeout 240 "$HITLCHECK" run --target "http://localhost:$(cat "$work/$name.port")" \
      --api-key app-w --other-api-key app-c --rate-limit 4/7 --max-wait 30 --only ratelimit \
      --no-color --report-dir "$work/$name" >"$work/$name.log" 2>&1
    echo $? >"$work/$name.rc"
    kill "$srv" 2>/dev/null
    wait "$srv" 2>/dev/null
  ) &
  pids+=($!)
}

verdict() { # verdict NAME CHECK-ID: the check's verdict in NAME's report.json
  "$jq" -r --arg id "$2" '[.checks[] | select(.id == $id) | .verdict] | first // "none"' \
    "$work/$1/report.json" 2>/dev/null
}

one clean
one no-rate-limit no-rate-limit
one shared-buckets shared-buckets
one count-429s count-429s
one trust-forwarded trust-forwarded
wait "${pids[@]}"

n=$("$jq" '[.checks[] | select(.verdict == "FAIL" or .verdict == "ERROR")] | length' \
  "$work/clean/report.json" 2>/dev/null)
[ "$n" = 0 ] || bad "clean: $n FAIL/ERROR: $(grep -E '^(FAIL|ERROR)' -A3 "$work/clean.log")"
one_mode=$("$jq" '[.checks[] | select(.notes // "" | test("mode: one client address"))] | length' \
  "$work/clean/report.json")
[ "${one_mode:-0}" -ge 5 ] || bad "clean: $one_mode rate-limit checks ran in the one-address mode (want 5 or more)"
shared=$("$jq" '[.checks[] | select(.notes // "" | test("used that full bucket"))] | length' \
  "$work/clean/report.json")
[ "${shared:-0}" -ge 2 ] || bad "clean: $shared checks used a full GET bucket another filled (want 2 or more)"
for id in ratelimit.get.limit ratelimit.get.recovers ratelimit.get.counts-404 \
  ratelimit.buckets.independent ratelimit.retry-after ratelimit.spoof.forwarded \
  ratelimit.get.same-second; do
  v=$(verdict clean "$id")
  [ "$v" = PASS ] || bad "clean: $id is $v, not PASS"
done

want() { # want RUN CHECK-ID VERDICT
  local v
  v=$(verdict "$1" "$2")
  [ "$v" = "$3" ] || bad "$1: $2 is $v, not $3: $(grep -A3 "$2" "$work/$1.log" | head -8)"
}
want no-rate-limit ratelimit.get.limit FAIL
want no-rate-limit ratelimit.get.counts-404 FAIL
want shared-buckets ratelimit.buckets.independent FAIL
want count-429s ratelimit.get.recovers FAIL
want trust-forwarded ratelimit.spoof.forwarded WARN
[ "$fail" = 0 ] && echo "ok   the rate-limit checks from one source address: clean PASS, shared fills, faults caught"
exit "$fail"
