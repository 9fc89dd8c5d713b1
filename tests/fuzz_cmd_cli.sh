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
# At speed: over 1000 requests in 12 s (the normal build makes several thousand); a sanitizer
# build (HITL_FUZZ_SLOW=1) only has to show the campaign ran, over 100.
min_requests=1000
[ "${HITL_FUZZ_SLOW:-0}" = 1 ] && min_requests=100
[ "$(jq ".requests > $min_requests" "$tmp/clean/report.json")" = true ] ||
  bad "clean server: too few requests: $(jq .requests "$tmp/clean/report.json"), want over $min_requests"
[ "$(jq '.forms_used > 0' "$tmp/clean/report.json")" = true ] || bad "clean server: no forms used"
grep -q "no finding in" "$tmp/clean/junit.xml" || bad "clean server: junit.xml has no passing case"
grep -Eq "^fuzz: [0-9]+ s, [0-9]+ requests \([0-9]+ req/s\), [0-9]+ features, [0-9]+ forms used, 0 findings$" \
  "$tmp/c.err" || bad "clean server: no progress line on stderr: $(head -3 "$tmp/c.err")"
ls "$tmp/clean/corpus"/seed-valid-submission >/dev/null 2>&1 || bad "the seeds were not written"

# Replay: a finding of the deep-json-500 bug fires again (the file names the bug, so the
# embedded server gets it back); the same scenario with the bug list emptied does not.
"$hc" fuzz --embedded-bug deep-json-500 --duration 240 --stop-on-finding --seed 1 \
  --report-dir "$tmp/b" >/dev/null 2>&1
f=$(ls "$tmp"/b/findings/*.json 2>/dev/null | head -1)
if [ -z "$f" ]; then
  bad "no finding to replay"
else
  expect 1 "^reproduced: server-error/submit/500" --replay "$f"
  jq '.embedded_bugs = []' "$f" >"$tmp/clean-replay.json"
  expect 0 "^did not reproduce" --replay "$tmp/clean-replay.json"
fi
# The web surface, two jobs and a request cap: both jobs fuzz, their stats add up, one report.
# The cap ends each job, not the clock: --duration 120 leaves a slow (sanitizer, loaded) build
# the time to reach it; the normal build gets there in a few seconds.
"$hc" fuzz --surface web --jobs 2 --max-requests 3000 --duration 120 --seed 5 \
  --corpus "$tmp/corp" --report-dir "$tmp/web" >"$tmp/w.out" 2>"$tmp/w.err"
code=$?
[ "$code" -eq 0 ] || bad "web, 2 jobs: exit $code, want 0"
jq -e '.surface == "web" and .jobs == 2 and .requests >= 6000 and .requests < 9000' \
  "$tmp/web/report.json" >/dev/null || bad "web, 2 jobs: report.json $(jq -c '{surface,jobs,requests}' "$tmp/web/report.json")"
grep -q "^\[job 1\] fuzz: " "$tmp/w.err" || bad "web, 2 jobs: no progress line of job 1"
[ -f "$tmp/corp/seed-valid-submission" ] || bad "--corpus: the seeds were not written there"
[ "$(ls "$tmp/corp" | wc -l)" -gt 17 ] ||
  bad "--corpus: libFuzzer saved no new input there"

# A job that dies (here: a signal) is a finding of its own, with libFuzzer's saved input.
# SIGKILL, not SIGSEGV: in the ASan build an asynchronous SIGSEGV that lands while LeakSanitizer
# has stopped the world deadlocks ASan's deadly-signal handler, and the job never ended (a CI
# run hung here; hitlcheck now kills such a job at its deadline, test_fuzz_jobs).
"$hc" fuzz --duration 30 --report-dir "$tmp/k" >"$tmp/k.out" 2>&1 &
parent=$!
child=
for _ in $(seq 400); do child=$(pgrep -P "$parent" | head -1); [ -n "$child" ] && break; sleep 0.05; done
sleep 2
[ -n "$child" ] && kill -KILL "$child"
wait "$parent"
code=$?
[ "$code" -eq 1 ] || bad "a crashed job: exit $code, want 1"
jq -e '.findings[] | select(.signature | startswith("crash/in-process"))' "$tmp/k/report.json" \
  >/dev/null || bad "a crashed job: no crash/in-process finding"

# The curl reproducer alone re-creates the failing request: a standalone server with the
# planted bug, a live form and upload token made by hand, then the script.
"$hc" fuzz --embedded-bug long-filename-drop --duration 240 --stop-on-finding --seed 1 \
  --report-dir "$tmp/lf" >/dev/null 2>&1
sh_file=$(ls "$tmp"/lf/findings/*.sh 2>/dev/null | head -1)
if [ -z "$sh_file" ] || [ -z "${REFSERVER:-}" ]; then
  [ -z "${REFSERVER:-}" ] || bad "no long-filename-drop finding for the reproducer test"
else
  "$REFSERVER" --port 0 --port-file "$tmp/rs.port" --no-rate-limit --bug long-filename-drop \
    >/dev/null 2>&1 &
  rs=$!
  for _ in $(seq 400); do [ -s "$tmp/rs.port" ] && break; sleep 0.05; done
  base="http://127.0.0.1:$(cat "$tmp/rs.port")"
  tok=$(curl -sS -X POST "$base/v1/workflows/run" -H "Authorization: Bearer app-hitl-workflow" \
        -H "Content-Type: application/json" -d '{"inputs":{},"response_mode":"streaming","user":"u"}' |
        sed -n 's/.*"form_token": *"\([^"]*\)".*/\1/p' | head -1)
  up=$(curl -sS -X POST "$base/api/form/human_input/$tok/upload-token" | jq -r .upload_token)
  HITL_TARGET=$base UPLOAD_TOKEN=$up sh "$sh_file" >"$tmp/repro.out" 2>&1
  grep -q "Empty reply from server" "$tmp/repro.out" ||
    bad "the reproducer did not re-create the dropped connection: $(head -3 "$tmp/repro.out")"
  kill "$rs"; wait "$rs" 2>/dev/null
fi
exit "$fail"
