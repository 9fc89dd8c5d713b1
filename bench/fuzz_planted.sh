#!/usr/bin/env bash
# fuzz_planted.sh: issue 14's measure, run by hand: for every planted bug of hitl-refserver
# (--list-bugs), `hitlcheck fuzz` against the embedded server with that bug on, from an EMPTY
# corpus (--no-seeds), stopping at the first finding or after CAP seconds: the time to first
# finding and the requests sent until then. Then the clean server's throughput in-process and
# against an external loopback target (a standalone hitl-refserver), DURATION seconds each.
#   bash bench/fuzz_planted.sh [HITLCHECK [REFSERVER]]
# Environment: HITL_FUZZ_CAP (300), HITL_FUZZ_DURATION (30), HITL_FUZZ_JOBS (1),
# HITL_FUZZ_SEED (1). Prints a Markdown table.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hc=${1:-$root/build/harness/hitlcheck}
rs=${2:-$root/build/refserver/hitl-refserver}
cap=${HITL_FUZZ_CAP:-300}
dur=${HITL_FUZZ_DURATION:-30}
jobs=${HITL_FUZZ_JOBS:-1}
seed=${HITL_FUZZ_SEED:-1}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

echo "hitlcheck fuzz, planted bugs, empty corpus, seed $seed, $jobs job(s), cap $cap s ($(nproc) cores)"
echo
echo "| planted bug | found | time to first finding | requests sent | signature |"
echo "|---|---|---|---|---|"
for bug in $("$rs" --list-bugs | cut -f1); do
  d="$tmp/$bug"
  "$hc" fuzz --embedded-bug "$bug" --no-seeds --stop-on-finding --duration "$cap" --jobs "$jobs" \
    --seed "$seed" --report-dir "$d" >"$d.out" 2>"$d.err"
  code=$?
  if [ "$code" -eq 1 ]; then
    row=$(jq -r '.findings | min_by(.found_after_s) |
                 "yes | \(.found_after_s * 10 | round / 10) s | \(.found_after_requests) | `\(.signature)`"' \
          "$d/report.json")
  else
    row="no (exit $code) | > $cap s | $(jq -r .requests "$d/report.json" 2>/dev/null) | -"
  fi
  echo "| $bug | $row |"
done
echo
echo "| clean target | seconds | requests | req/s | features | forms used | findings |"
echo "|---|---|---|---|---|---|---|"
measure() {
  local name=$1; shift
  "$hc" fuzz "$@" --duration "$dur" --jobs "$jobs" --seed "$seed" --report-dir "$tmp/$name" \
    >"$tmp/$name.out" 2>"$tmp/$name.err"
  jq -r --arg n "$name" '"| \($n) | \(.seconds | round) | \(.requests) | \(.requests_per_second | round) | \(.features) | \(.forms_used) | \(.findings | length) |"' \
    "$tmp/$name/report.json"
}
measure "embedded (in-process)"
"$rs" --port-file "$tmp/port" --port 0 --no-rate-limit >"$tmp/rs.out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
measure "external loopback hitl-refserver" --target "http://127.0.0.1:$(cat "$tmp/port")" \
  --api-key app-hitl-workflow
