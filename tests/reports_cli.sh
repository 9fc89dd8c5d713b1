#!/usr/bin/env bash
# reports_cli.sh: the report files of `hitlcheck run` end to end, against the embedded
# reference server: clean and with the double-submit fault, all four files present and
# valid (junit.xml against tests/data/junit.xsd with xmllint, report.json against
# specs/report.schema.json, report.sarif against the SARIF skeleton in tests/data), no
# secret in any artifact, --show-secrets stated, --expect/--write-expect exit codes, and
# a report directory that cannot be made failing with exit 2 before any check runs. The
# --trace HAR file: valid against tests/data/har.schema.json, with the SSE streams' data,
# no secret in it, and an unwritable trace path failing with exit 2 before any check.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${SCHEMA_CHECK:?SCHEMA_CHECK must name the json_schema_check tool}"
: "${HITL_SOURCE_DIR:?HITL_SOURCE_DIR must name the source tree}"
command -v xmllint >/dev/null || { echo "xmllint is missing: install libxml2-utils"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' "$2" | tail -n 30; }

# run NAME EXPECTED_EXIT ARGS…: one run with its own report dir $work/NAME and log.
run() {
  local name=$1 want=$2
  shift 2
  "$HITLCHECK" run --only stream,submit --no-color --report-dir "$work/$name" "$@" \
    >"$work/$name.log" 2>&1
  local rc=$?
  if [ "$rc" = "$want" ]; then ok "$name: exit $rc"; else bad "$name: exit $rc, want $want" "$work/$name.log"; fi
}

# The secrets of an embedded run: its three app keys (fixed), and form and upload tokens
# (random), found by the places they occur: a JSON member or a form URL.
SECRET_RE='app-hitl-(workflow|chatflow|chat)|hitl_upload_[A-Za-z0-9_-]{8,}|form_token\\?"[[:space:]]*:[[:space:]]*\\?"[A-Za-z0-9_-]{16,}|human_input/[A-Za-z0-9_-]{22}([^A-Za-z0-9_-]|$)'

# files_valid NAME: the four files exist and are valid.
files_valid() {
  local d=$work/$1 f missing=""
  for f in junit.xml report.json summary.md report.sarif; do
    [ -s "$d/$f" ] || missing="$missing $f"
  done
  if [ -z "$missing" ]; then ok "$1: four report files"; else bad "$1: missing$missing"; return; fi
  if xmllint --noout --schema "$HITL_SOURCE_DIR/tests/data/junit.xsd" "$d/junit.xml" >"$work/$1.xsd.log" 2>&1
  then ok "$1: junit.xml valid against junit.xsd"; else bad "$1: junit.xml invalid" "$work/$1.xsd.log"; fi
  if "$SCHEMA_CHECK" "$HITL_SOURCE_DIR/specs/report.schema.json" "$d/report.json" >"$work/$1.schema.log" 2>&1
  then ok "$1: report.json valid against report.schema.json"; else bad "$1: report.json invalid" "$work/$1.schema.log"; fi
  if "$SCHEMA_CHECK" "$HITL_SOURCE_DIR/tests/data/sarif-skeleton.schema.json" "$d/report.sarif" >"$work/$1.sarif.log" 2>&1
  then ok "$1: report.sarif has the SARIF 2.1.0 skeleton"; else bad "$1: report.sarif invalid" "$work/$1.sarif.log"; fi
  if ls -A "$d" | grep -q '^\.'; then bad "$1: a temporary file was left in the report dir"; fi
}

# no_secrets NAME FILES…
no_secrets() {
  local name=$1
  shift
  if grep -EHno "$SECRET_RE" "$@" >"$work/$name.leak" 2>/dev/null; then
    bad "$name: secrets in the artifacts" "$work/$name.leak"
  else
    ok "$name: no secret in $# artifacts"
  fi
}

contains() { # contains LABEL FILE FIXED-STRING
  if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1: '$3' not in $(basename "$2")" "$2"; fi
}

# 1. Clean: exit 0, every file valid, nothing failing in them.
run clean 0
files_valid clean
contains "clean: summary says every check passed" "$work/clean/summary.md" "Every check passed."
if grep -q '<failure' "$work/clean/junit.xml"; then bad "clean: junit.xml has a failure"; else ok "clean: no <failure>"; fi

# 2. The double-submit fault: exit 1, the finding in every format with its reproducer;
# every exchange in the --trace HAR file.
run fault 1 --embedded-fault double-submit --trace "$work/fault.har"
files_valid fault
if "$SCHEMA_CHECK" "$HITL_SOURCE_DIR/tests/data/har.schema.json" "$work/fault.har" >"$work/fault.har.log" 2>&1
then ok "fault: the trace is valid against har.schema.json"; else bad "fault: the trace is invalid" "$work/fault.har.log"; fi
n_entries=$(grep -c '^{"pageref": "run"' "$work/fault.har")
if [ "${n_entries:-0}" -gt 0 ] && grep -qF "trace of $n_entries HTTP exchanges in $work/fault.har" "$work/fault.log"
then ok "fault: the trace has $n_entries entries, as the console says"; else bad "fault: trace entries ($n_entries)" "$work/fault.log"; fi
contains "fault: the trace has an event stream" "$work/fault.har" '"mimeType": "text/event-stream'
contains "fault: with the stream's data" "$work/fault.har" 'data: {\"event\":\"human_input_required\"'
contains "fault: exchanges name their check" "$work/fault.har" '"_hitlcheck": {"check": "submit.after.double-submit", "surface": "web"}'
if ls -A "$work" | grep -q '^\.fault\.har\.'; then bad "fault: a temporary trace file was left"; fi
contains "fault: junit <failure> for the check" "$work/fault/junit.xml" \
  '<testcase name="submit.after.double-submit [web]" classname="submit.after.double-submit"'
contains "fault: junit failure message" "$work/fault/junit.xml" '<failure message="HTTP 200 {}" type="MUST">'
contains "fault: reproducer's hitlcheck line" "$work/fault/junit.xml" \
  "hitlcheck run --embedded-fault 'double-submit' --surface web --only submit.after.double-submit"
contains "fault: reproducer's curl capture of the form token" "$work/fault/summary.md" \
  'HITL_FORM_TOKEN=$(curl -sS -X POST -N --max-time 60'
contains "fault: summary table row" "$work/fault/summary.md" \
  '| FAIL | submit | `submit.after.double-submit` | web | §7\.4\.2 | HTTP 200 \{\} |'
contains "fault: report.json totals" "$work/fault/report.json" '"fail":	2'
no_secrets fault "$work/fault"/* "$work/fault.log" "$work/fault.har"

# 3. --write-expect records the failures (and they then do not fail this run).
run write 0 --embedded-fault double-submit --write-expect "$work/known.txt"
if [ "$(grep -c '^submit.after.double-submit ' "$work/known.txt")" = 2 ] &&
   [ "$(grep -vc '^#' "$work/known.txt")" = 2 ]; then
  ok "write: known.txt lists the two failures"
else
  bad "write: known.txt" "$work/known.txt"
fi
no_secrets write "$work/write"/* "$work/write.log" "$work/known.txt"

# 4. --expect with those failures: exit 0, shown as known.
run expected 0 --embedded-fault double-submit --expect "$work/known.txt"
files_valid expected
contains "expected: junit skips the known failure" "$work/expected/junit.xml" '<skipped message="known failure: HTTP 200 {}"/>'
contains "expected: report.json counts it" "$work/expected/report.json" '"known_failures":	2'
contains "expected: summary marks it" "$work/expected/summary.md" '| FAIL (known) | submit | `submit.after.double-submit` |'

# 5. --expect on a clean server: the entries are stale, the run fails and says so.
run stale 1 --expect "$work/known.txt"
contains "stale: the entry is named" "$work/stale.log" "known.txt:3: submit.after.double-submit"
contains "stale: summary says so" "$work/stale/summary.md" "is out of date"

# 6. Baselines that are wrong, and a report dir that cannot be made: exit 2, no check run.
printf 'form.get.no-such-check * renamed\n' >"$work/unknown.txt"
run unknown 2 --expect "$work/unknown.txt"
contains "unknown: names file, line and ID" "$work/unknown.log" "unknown.txt:1: 'form.get.no-such-check' names no check"
run missing 2 --expect "$work/does-not-exist.txt"
contains "missing: names the file" "$work/missing.log" "does-not-exist.txt"
printf 'submit.after.double-submit web\n' >"$work/noreason.txt"
run noreason 2 --expect "$work/noreason.txt"
contains "noreason: asks for a reason" "$work/noreason.log" "noreason.txt:1: the entry for submit.after.double-submit has no reason"
: >"$work/plainfile"
"$HITLCHECK" run --only stream --no-color --report-dir "$work/plainfile/reports" >"$work/nodir.log" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -qF "cannot create the report directory '$work/plainfile/reports'" "$work/nodir.log" &&
   ! grep -qE '^(PASS|FAIL) ' "$work/nodir.log"; then
  ok "nodir: exit 2 naming the dir, before any check"
else
  bad "nodir: exit $rc" "$work/nodir.log"
fi

# 6b. A --trace file that cannot be written: exit 2, naming it, before any check runs.
"$HITLCHECK" run --only stream --no-color --report-dir "$work/notrace" \
  --trace "$work/plainfile/trace.har" >"$work/notrace.log" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -qF "cannot write the trace to '$work/plainfile/trace.har'" "$work/notrace.log" &&
   ! grep -qE '^(PASS|FAIL) ' "$work/notrace.log"; then
  ok "notrace: exit 2 naming the trace file, before any check"
else
  bad "notrace: exit $rc" "$work/notrace.log"
fi

# 7. A security finding (the Service API answering without a key) reaches report.sarif.
"$HITLCHECK" run --only form.get.svc-no-key --embedded-fault svc-no-auth --no-color \
  --report-dir "$work/sarif" >"$work/sarif.log" 2>&1
rc=$?
if [ "$rc" = 1 ]; then ok "sarif: exit 1"; else bad "sarif: exit $rc, want 1" "$work/sarif.log"; fi
files_valid sarif
contains "sarif: the rule" "$work/sarif/report.sarif" '"id":	"form.get.svc-no-key"'
contains "sarif: the result" "$work/sarif/report.sarif" '"ruleId":	"form.get.svc-no-key"'
contains "sarif: its fingerprint" "$work/sarif/report.sarif" '"hitlcheckFinding/v1":	"form.get.svc-no-key/service"'
no_secrets sarif "$work/sarif"/* "$work/sarif.log"

# 8. --show-secrets: the reports say so, and the secrets are there: this proves the
# pattern above finds them when they are present.
run shown 1 --embedded-fault double-submit --show-secrets --trace "$work/shown/trace.har"
contains "shown: the trace says so" "$work/shown/trace.har" 'SECRETS ARE SHOWN (--show-secrets)'
if [ "$(grep -Eo "$SECRET_RE" "$work/shown/trace.har" | sed 's/[^a-z_].*//' | sort -u | wc -l)" -ge 3 ]
then ok "shown: the trace holds keys and tokens: the leak check reads it"
else bad "shown: the secret pattern finds too little in the trace" "$work/shown/trace.har"; fi
contains "shown: junit property" "$work/shown/junit.xml" '<property name="secrets" value="shown (--show-secrets)"/>'
contains "shown: summary notice" "$work/shown/summary.md" "**Secrets are shown**"
contains "shown: report.json" "$work/shown/report.json" '"secrets":	"shown"'
for kind in 'app-hitl-workflow' 'hitl_upload_' 'human_input/[A-Za-z0-9_-]{22}' \
            'form_token\\?"[[:space:]]*:[[:space:]]*\\?"[A-Za-z0-9_-]{16,}'; do
  if grep -Eq "$kind" "$work/shown"/*; then ok "shown: the secret pattern '$kind' finds secrets";
  else bad "shown: the pattern '$kind' found nothing: the leak check would be blind"; fi
done

# 9. Credentials in the options (regression: argv went into the reports with only the
# redactor applied): -H values, and an --api-key that the embedded run replaces. (--proxy is
# masked too: test_redact, as a proxy would cut the embedded run off.)
run hdrs 0 -H 'Cookie: session=SECRETAUTH7' -H 'X-Api-Key: S3CRETX' --api-key SECRETKEY5
files_valid hdrs
contains "hdrs: junit options keep the header names" "$work/hdrs/junit.xml" \
  '-H Cookie: [REDACTED] -H X-Api-Key: [REDACTED] --api-key [REDACTED]'
if grep -rlE 'SECRETAUTH7|S3CRETX|SECRETKEY5' "$work/hdrs" "$work/hdrs.log" >"$work/hdrs.leak"
then bad "hdrs: a credential of the options leaked" "$work/hdrs.leak"; else ok "hdrs: no credential of the options anywhere"; fi
# An Authorization header overrides the harness's own: the preflight's run is refused (401),
# which is one line and exit 3 before any check, and that line leaks nothing either.
run hdrs-auth 3 -H 'Authorization: Bearer SECRETAUTH9'
contains "hdrs-auth: the preflight names the refused key" "$work/hdrs-auth.log" 'check --api-key'
if grep -qE 'SECRETAUTH9' "$work/hdrs-auth.log"
then bad "hdrs-auth: the Authorization value leaked" "$work/hdrs-auth.log"; else ok "hdrs-auth: no credential in the preflight line"; fi

# 10. A password in the --target URL: in no artifact, the console included. The target is
# a standalone hitl-refserver (the embedded one has no URL to give).
REFSERVER=${REFSERVER:-$(dirname "$HITLCHECK")/../refserver/hitl-refserver}
"$REFSERVER" --port 0 --port-file "$work/rs.port" >"$work/rs.out" 2>&1 &
rs_pid=$!
for _ in $(seq 400); do grep -q listening "$work/rs.out" 2>/dev/null && break; sleep 0.05; done
rs_port=$(cat "$work/rs.port" 2>/dev/null)
run userinfo 0 --target "http://user:SECRETPW8@127.0.0.1:$rs_port" --api-key app-hitl-workflow \
  --trace "$work/userinfo/trace.har"
kill "$rs_pid" 2>/dev/null; wait "$rs_pid" 2>/dev/null
files_valid userinfo
contains "userinfo: the options show the user, not the password" "$work/userinfo/report.json" \
  "\"http://user:[REDACTED]@127.0.0.1:$rs_port\""
contains "userinfo: the console names the target without it" "$work/userinfo.log" \
  "checks against http://user:[REDACTED:password]@127.0.0.1:$rs_port"
if grep -rl 'SECRETPW8' "$work/userinfo" "$work/userinfo.log" >"$work/userinfo.leak"
then bad "userinfo: the target's password leaked" "$work/userinfo.leak"; else ok "userinfo: the password is in no artifact"; fi

# 11. A --write-expect file that cannot be written: exit 2 naming it, before any check
# (regression: it failed after the run, and the five reports were never written).
"$HITLCHECK" run --only stream --no-color --report-dir "$work/noexpect" \
  --write-expect "$work/plainfile/known.txt" >"$work/noexpect.log" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -qF "cannot write the known failures to '$work/plainfile/known.txt'" "$work/noexpect.log" &&
   ! grep -qE '^(PASS|FAIL) ' "$work/noexpect.log"; then
  ok "noexpect: exit 2 naming the file, before any check"
else
  bad "noexpect: exit $rc" "$work/noexpect.log"
fi

# 12. A 20 KB --inputs (regression: "out of memory writing the reports", from a 16 KiB
# rerun buffer and 64 KiB options buffers): the reports are written, the reproducer
# reruns with it.
big=$(printf '{"pad":"%s"}' "$(head -c 20000 /dev/zero | tr '\0' x)")
run biginputs 1 --embedded-fault double-submit --inputs "$big"
files_valid biginputs
contains "biginputs: the reproducer reruns with the inputs" "$work/biginputs/summary.md" \
  "--inputs '{\"pad\":\"xxxxxxxxxx"
if grep -q 'out of memory' "$work/biginputs.log"; then bad "biginputs: out of memory" "$work/biginputs.log"; else ok "biginputs: no memory error"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
