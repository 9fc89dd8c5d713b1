#!/usr/bin/env bash
# fuzz_cmd_bug.sh HITLCHECK BUG SIGNATURE_REGEX: `hitlcheck fuzz` against the embedded server with
# the planted bug BUG (hitl-refserver --list-bugs) on, a fixed seed and the built-in seeds, must
# find it within its bounded time: exit 1, a finding whose signature matches the regex, its
# curl reproducer and JSON/JUnit/SARIF reports, and no secret in any of it. The clean server
# gives no finding (fuzz_cmd_cli.sh), so a finding here is the bug's.
set -uo pipefail
hitlcheck=$1 bug=$2 want=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

start=$(date +%s)
"$hitlcheck" fuzz --embedded-bug "$bug" --duration 240 --stop-on-finding --seed 1 \
  --report-dir "$tmp/r" >"$tmp/out" 2>"$tmp/err"
code=$?
secs=$(( $(date +%s) - start ))
echo "planted bug $bug: exit $code after ${secs} s"
[ "$code" -eq 1 ] || bad "exit $code, want 1 (a finding)"
grep -q "fuzz: .* requests (.* req/s)" "$tmp/err" || grep -q "FINDING" "$tmp/err" || bad "no progress or finding line on stderr"
sigs=$(jq -r '.findings[].signature' "$tmp/r/report.json" 2>/dev/null)
echo "$sigs" | grep -Eq -- "$want" || bad "no finding matches /$want/; found: $sigs"
id=$(jq -r --arg w "$want" '.findings[] | select(.signature | test($w)) | .id' "$tmp/r/report.json" | head -1)
if [ -n "$id" ]; then
  [ -x "$tmp/r/findings/$id.sh" ] || bad "no curl reproducer findings/$id.sh"
  grep -q "curl " "$tmp/r/findings/$id.sh" || bad "the reproducer has no curl command"
  sh -n "$tmp/r/findings/$id.sh" || bad "the reproducer is not valid sh"
  jq -e '.scenario_hex | length > 0' "$tmp/r/findings/$id.json" >/dev/null || bad "no scenario in the finding"
  jq -e --arg b "$bug" '.embedded_bugs | index($b)' "$tmp/r/findings/$id.json" >/dev/null ||
    bad "the finding does not record the planted bug for --replay"
fi
xmllint --noout "$tmp/r/junit.xml" 2>/dev/null || bad "junit.xml is not XML"
grep -q "$id" "$tmp/r/report.html" 2>/dev/null || bad "report.html does not list the finding"
jq -e '.runs[0].tool.driver.name == "hitlcheck fuzz"' "$tmp/r/results.sarif" >/dev/null || bad "results.sarif"
# The embedded server's app key and the live tokens never appear: placeholders do.
if grep -rq "app-hitl-workflow" "$tmp/r/findings" "$tmp/r/report.json" "$tmp/out"; then
  bad "the API key appears unredacted"
fi
[ "$fail" -eq 0 ] || { echo "--- stdout"; cat "$tmp/out"; echo "--- stderr"; tail -20 "$tmp/err"; }
exit "$fail"
