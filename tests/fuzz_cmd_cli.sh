#!/usr/bin/env bash
# fuzz_cmd_cli.sh HITLCHECK: `hitlcheck fuzz` as a command: usage errors exit 2 and name the
# option; --help documents every option and the exit codes; a non-loopback target is refused
# without --yes (nothing is sent); an unreachable target exits 3; the clean embedded server
# gives no finding in a fixed-seed campaign (exit 0, reports say so); a finding replays
# (--replay exits 1 "reproduced") and a replay of a scenario that does not fire exits 0.
set -uo pipefail
hc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
expect() { # expect CODE PATTERN ARGS… : exit CODE and stderr/stdout matching PATTERN
  local want=$1 pat=$2; shift 2
  "$hc" fuzz "$@" >"$tmp/o" 2>&1 </dev/null
  local got=$?
  [ "$got" -eq "$want" ] || bad "fuzz $*: exit $got, want $want: $(head -3 "$tmp/o")"
  grep -Eq -- "$pat" "$tmp/o" || bad "fuzz $*: output lacks /$pat/: $(head -3 "$tmp/o")"
}

expect 2 "--surface 'ftp'" --surface ftp
expect 2 "--duration '0'" --duration 0
expect 2 "--jobs" --jobs 100
expect 2 "unknown|unrecognized" --no-such-option
expect 2 "needs --api-key" --target http://127.0.0.1:9
expect 2 "unknown planted bug 'nope'" --embedded-bug nope
expect 2 "only without --target" --target http://127.0.0.1:9 --api-key k --embedded-bug deep-json-500
expect 2 "unexpected argument" extra
expect 2 "--rate-limit" --rate-limit 5
expect 2 "--profile 'genuine'" --profile genuine
expect 2 "http:// or https://" --target ftp://x --api-key k
expect 2 "not a finding file|cannot open" --replay "$tmp/none.json"
# A non-loopback target: the warning, and nothing happens without --yes (192.0.2.1 is TEST-NET).
expect 2 "consumes their forms.*|pass --yes" --target http://192.0.2.1 --api-key k --report-dir "$tmp/x"
[ -e "$tmp/x" ] && bad "the refused campaign created its report folder"
expect 0 "--max-requests" --help
for opt in --target --api-key --surface --duration --max-requests --jobs --corpus --report-dir \
           --replay --timeout --rate-limit --yes --embedded-bug --seed --stop-on-finding --profile; do
  grep -q -- "$opt" "$tmp/o" || bad "--help does not document $opt"
done
grep -q "Exit codes: 0 no finding; 1 findings; 2 usage error; 3 target unreachable" "$tmp/o" ||
  bad "--help does not give the exit codes"
"$hc" --help | grep -q "^  fuzz " || bad "hitlcheck --help does not list fuzz"

# Unreachable: nothing listens on port 1.
expect 3 "unreachable" --target http://127.0.0.1:1 --api-key k --duration 5 --report-dir "$tmp/u"

# The clean server: no finding, with the seeds and a fixed seed.
"$hc" fuzz --duration 12 --seed 1 --report-dir "$tmp/clean" >"$tmp/c.out" 2>"$tmp/c.err"
code=$?
[ "$code" -eq 0 ] || { bad "clean server: exit $code, want 0"; cat "$tmp/c.out"; }
[ "$(jq '.findings | length' "$tmp/clean/report.json")" = 0 ] || bad "clean server: findings in report.json"
[ "$(jq '.requests > 1000' "$tmp/clean/report.json")" = true ] || bad "clean server: too few requests"
[ "$(jq '.forms_used > 0' "$tmp/clean/report.json")" = true ] || bad "clean server: no forms used"
grep -q "no finding in" "$tmp/clean/junit.xml" || bad "clean server: junit.xml has no passing case"
grep -Eq "^fuzz: [0-9]+ s, [0-9]+ requests \([0-9]+ req/s\), [0-9]+ features, [0-9]+ forms used, 0 findings$" \
  "$tmp/c.err" || bad "clean server: no progress line on stderr: $(head -3 "$tmp/c.err")"
ls "$tmp/clean/corpus"/seed-valid-submission >/dev/null 2>&1 || bad "the seeds were not written"

# Replay: a finding of the deep-json-500 bug fires again (the file names the bug, so the
# embedded server gets it back); the same scenario with the bug list emptied does not.
"$hc" fuzz --embedded-bug deep-json-500 --duration 60 --stop-on-finding --seed 1 \
  --report-dir "$tmp/b" >/dev/null 2>&1
f=$(ls "$tmp"/b/findings/*.json 2>/dev/null | head -1)
if [ -z "$f" ]; then
  bad "no finding to replay"
else
  expect 1 "^reproduced: server-error/submit/500" --replay "$f"
  jq '.embedded_bugs = []' "$f" >"$tmp/clean-replay.json"
  expect 0 "^did not reproduce" --replay "$tmp/clean-replay.json"
fi
exit "$fail"
