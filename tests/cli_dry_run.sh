#!/usr/bin/env bash
# cli_dry_run.sh: `hitlcheck run --dry-run` prints the plan (the pool, the slow checks' known
# waits, the rate-limit checks and where they run, the predicted wall time) and sends nothing:
# against a port where nothing listens it still exits 0, and with no --target it starts no
# embedded server. Env: HITLCHECK.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
fail=0
bad() { echo "FAIL $*"; fail=1; }

out=$("$HITLCHECK" run --dry-run 2>&1); rc=$?
[ "$rc" = 0 ] || bad "embedded --dry-run: exit $rc: $out"
grep -q 'against the embedded reference server (--dry-run: nothing is sent)' <<<"$out" || bad "no plan header: $out"
grep -q 'waiting up to 26 s' <<<"$out" || bad "the embedded global timeout (25 s + 1) is not the slow checks' wait: $out"
grep -qE '^  9 rate-limit checks, each outwaiting about 15 s' <<<"$out" || bad "rate-limit line: $out"
grep -q 'predicted wall time: about 26 s (sources distinct), about 161 s' <<<"$out" || bad "prediction: $out"
grep -q 'checking the embedded reference server' <<<"$out" && bad "an embedded server was started: $out"

# A loopback port nothing listens on: a run would be exit 3 (unreachable); the plan is not.
out=$("$HITLCHECK" run --dry-run --target http://127.0.0.1:9 --api-key k --rate-limit 10/15 \
      --max-wait 60 --only form,ratelimit.get 2>&1); rc=$?
[ "$rc" = 0 ] || bad "--target --dry-run: exit $rc: $out"
grep -q 'waiting up to 60 s (--max-wait' <<<"$out" || bad "--max-wait bound: $out"
grep -qE 'rate-limit checks, each outwaiting about 59 s \(3 windows of 15 s \+ 1 s, a paced fill of 11 s\)' <<<"$out" ||
  bad "10/15 rate-limit estimate: $out"

# One source address (not an IPv4 literal): the rate-limit checks run beside the rest, holding
# the buckets they fill one after another.
out=$("$HITLCHECK" run --dry-run --target http://localhost:9 --api-key k --only ratelimit 2>&1)
grep -q 'beside the rest, one after another on each bucket they fill and hold (one source address)' <<<"$out" || bad "one address: $out"
grep -qE 'predicted wall time: about [0-9]+ s$' <<<"$out" || bad "one-address prediction: $out"
# The whole catalogue from one address at 10/15: the other checks' WEB upload tokens (one per
# WEB check of the submit, upload, upload-token, remote and expiry areas: 65, so 6 more
# windows of 16 s) before the rate-limit checks' 4 windows and 4 fills of 10 s: 96 + 104.
out=$("$HITLCHECK" run --dry-run --target http://localhost:9 --api-key k --rate-limit 10/15 \
      --max-wait 60 2>&1)
grep -q 'predicted wall time: about 200 s$' <<<"$out" || bad "one-address upload-token throughput: $out"
[ "$fail" = 0 ] && echo "ok   --dry-run prints the plan and sends nothing"
exit "$fail"
