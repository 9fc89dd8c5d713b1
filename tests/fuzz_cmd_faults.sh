#!/usr/bin/env bash
# fuzz_cmd_faults.sh HITLCHECK REFSERVER: each invariant oracle of `hitlcheck fuzz` catches the
# conformance fault it is about, with the fuzzer pointed at a standalone hitl-refserver on
# loopback (--target: the external-target path), a fixed seed, stopping at the first finding.
# The clean server gives none (fuzz_cmd_cli.sh), so each finding is the fault's.
set -uo pipefail
hc=$1 rs=$2
source "$(dirname "$0")/serve_lib.sh"
while read -r fault want; do
  [ -z "$fault" ] && continue
  serve "$rs" --port 0 --no-rate-limit --fault "$fault"
  rm -rf "$tmp/r"
  "$hc" fuzz --target "http://127.0.0.1:$port" --api-key app-hitl-workflow --duration 240 \
    --stop-on-finding --seed 1 --report-dir "$tmp/r" >"$tmp/out" 2>&1
  code=$?
  sigs=$(jq -r '.findings[].signature' "$tmp/r/report.json" 2>/dev/null | tr '\n' ' ')
  if [ "$code" -eq 1 ] && echo "$sigs" | grep -Eq -- "$want"; then ok; else
    bad "fault $fault: exit $code, findings '$sigs', want /$want/"; fi
done <<'ROWS'
rejected-submit-consumes rejected-submit-consumed-form
double-submit submitted-form-accepted-another-submit|concurrent-submits-both-accepted
upload-no-auth upload-without-valid-token
file-owner-unchecked contract-reject-accepted/an upload_file_id of another form
select-unchecked contract-reject-accepted/a select value outside its options
error-no-status ^error-shape/
ROWS
# --profile dify: genuine Dify accepts another form's file (recorded deviation
# file-owner.other-form-accepted), so that 200 is no finding there; the same campaign under the
# contract profile finds it (the row above).
serve "$rs" --port 0 --no-rate-limit --fault file-owner-unchecked
rm -rf "$tmp/r"
"$hc" fuzz --target "http://127.0.0.1:$port" --api-key app-hitl-workflow --duration 8 --seed 1 \
  --profile dify --report-dir "$tmp/r" >"$tmp/out" 2>&1
if jq -r '.findings[].signature' "$tmp/r/report.json" | grep -q "another form"; then
  bad "--profile dify: the recorded deviation file-owner.other-form-accepted was reported"
else ok; fi
# --surface web on an external target stays within --rate-limit (here 10 per second).
serve "$rs" --port 0 --no-rate-limit
rm -rf "$tmp/r"
"$hc" fuzz --target "http://127.0.0.1:$port" --api-key app-hitl-workflow --surface web \
  --rate-limit 10/1 --duration 4 --seed 1 --report-dir "$tmp/r" >"$tmp/out" 2>&1
n=$(jq .requests "$tmp/r/report.json")
if [ "$n" -gt 0 ] && [ "$n" -le 55 ]; then ok; else
  bad "--rate-limit 10/1 for 4 s: $n requests (want 1-55: setup and fuzzing, paced)"; fi
stop
echo "fuzz_cmd_faults: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
