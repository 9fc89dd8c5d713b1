#!/usr/bin/env bash
# conformance_variants.sh VARIANT: the whole catalogue against the embedded reference server
# serving the built-in form VARIANT (hitl-refserver --list-forms). A correct server with any
# form a Dify user could build must give 0 FAIL, 0 WARN, 0 ERROR and exit 0; every SKIP must
# say what is missing: the input (kind) the form lacks, or, for the few checks listed in
# ENV_SKIPS, the part of the environment they need. And the checks the form does make
# possible must run: each variant names checks that must PASS (no vacuous all-SKIP run).
# Verdicts are read from report.json with jq, not from the console.
# Env: HITLCHECK (binary); JQ (optional, default: jq on PATH). Traffic goes to 127.0.0.1 only.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
variant=${1:?usage: conformance_variants.sh VARIANT}
jq=${JQ:-}
[ -x "$jq" ] || jq=$(command -v jq)
if [ -z "$jq" ]; then
  echo "FAIL: jq is needed to read report.json: apt-get install -y --no-install-recommends jq"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL [$variant]: $*"; fail=$((fail + 1)); }

# Checks whose SKIP is about the environment, not the form: an opt-in probe, the app mode.
# Their reasons name that instead of an input. (The embedded run names its server's upload
# blacklist and two-node app, so the blocked-extension and two-pause checks run.)
ENV_SKIPS="ssrf.remote.metadata resume.chatflow.envelope"

# Checks each form makes possible: they must PASS on both surfaces they run on.
case "$variant" in
  default) must="submit.valid.ok submit.invalid.file-not-allowed submit.invalid.file-list-not-list
                 submit.invalid.file-type-mismatch resume.after-submit.branch submit.inline-remote.ok
                 submit.file-owner.other-form resume.continue-on-pause.two-pauses" ;;
  image-only) must="submit.valid.ok submit.invalid.file-not-allowed submit.invalid.file-type-mismatch
                    submit.inline-remote.ok resume.after-submit.branch resume.finished.single-frame" ;;
  remote-only) must="submit.valid.ok submit.invalid.file-type-mismatch submit.invalid.file-list-not-list
                     submit.invalid.file-limit resume.after-submit.branch form.get.after-submit" ;;
  local-only) must="submit.valid.ok submit.invalid.file-not-allowed submit.invalid.file-limit
                    upload.local.id-accepted resume.after-submit.branch" ;;
  no-files) must="submit.valid.ok submit.invalid.select-option submit.invalid.missing-two
                  resume.after-submit.branch expiry.form.submit resume.filled.fields
                  resume.continue-on-pause.two-pauses" ;;
  paragraph) must="submit.valid.ok submit.invalid.missing-one resume.after-submit.branch
                   resume.finished.single-frame" ;;
  file-list) must="submit.valid.ok submit.invalid.file-list-not-list submit.invalid.file-limit
                   submit.invalid.file-not-allowed upload.local.id-accepted" ;;
  large) must="submit.valid.ok submit.invalid.file-not-allowed submit.invalid.file-limit
               submit.invalid.select-option upload.local.id-accepted resume.after-submit.branch" ;;
  *) echo "FAIL: unknown variant '$variant'"; exit 1 ;;
esac

"$HITLCHECK" run --embedded-form "$variant" --jobs 4 --no-color --report-dir "$tmp/rep" \
  >"$tmp/log" 2>&1
rc=$?
report="$tmp/rep/report.json"
[ "$rc" = 0 ] && ok || bad "exit $rc, expected 0"
if ! "$jq" -e '.checks | length > 100' "$report" >/dev/null 2>&1; then
  bad "no report.json with the catalogue in it"
  sed 's/^/     /' "$tmp/log" | tail -n 40
  echo "$pass passed, $fail failed"
  exit 1
fi

findings=$("$jq" -r '.checks[] | select(.verdict == "FAIL" or .verdict == "WARN" or .verdict == "ERROR")
  | "\(.verdict) \(.id) [\(.surface)]: \(.reason // .actual // "")"' "$report") ||
  bad "jq failed on report.json"
[ -z "$findings" ] && ok || bad "findings on a correct server:
$findings"

# A SKIP names the input the form lacks ("the form has no select input", "file input 'x' …",
# "the form has fewer than 2 named inputs"), unless it is an environment SKIP.
unnamed=$("$jq" -r --arg env " $ENV_SKIPS " '.checks[] | select(.verdict == "SKIP") | . as $c
  | select(($env | contains(" " + $c.id + " ")) | not)
  | select((.reason // "") | test("the form has no |the form has fewer than |input \u0027[A-Za-z_][A-Za-z0-9_]*\u0027") | not)
  | "\(.id) [\(.surface)]: \(.reason // "(no reason)")"' "$report") || bad "jq failed on report.json"
[ -z "$unnamed" ] && ok || bad "SKIPs that do not name the input the form lacks:
$unnamed"
empty=$("$jq" -r '.checks[] | select(.verdict == "SKIP" and ((.reason // "") | length) == 0) | .id' \
  "$report") || bad "jq failed on report.json"
[ -z "$empty" ] && ok || bad "SKIPs without a reason: $empty"

# The default and large forms hold every input kind: nothing form-related may be skipped.
if [ "$variant" = default ] || [ "$variant" = large ]; then
  skipped=$("$jq" -r --arg env " $ENV_SKIPS " '.checks[] | select(.verdict == "SKIP") | . as $c
    | select(($env | contains(" " + $c.id + " ")) | not) | "\(.id) [\(.surface)]: \(.reason)"' \
    "$report") || bad "jq failed on report.json"
  [ -z "$skipped" ] && ok || bad "SKIPs on a form that has every input kind:
$skipped"
fi

for id in $must; do
  verdicts=$("$jq" -r --arg id "$id" '[.checks[] | select(.id == $id) | .verdict] | unique | join(",")' "$report")
  [ "$verdicts" = PASS ] && ok || bad "$id: $verdicts, expected PASS on every surface"
done

# The option itself (once, with the smallest form): documented, embedded-only.
if [ "$variant" = paragraph ]; then
  "$HITLCHECK" run --help >"$tmp/help" 2>&1
  grep -q -- '--embedded-form NAME' "$tmp/help" && ok || bad "--help lacks --embedded-form"
  "$HITLCHECK" run --target http://127.0.0.1:1 --api-key k --embedded-form large >/dev/null \
    2>"$tmp/err"
  rc=$?
  [ "$rc" = 2 ] && grep -q -- '--embedded-form' "$tmp/err" && ok ||
    bad "--embedded-form with --target: exit $rc, stderr $(cat "$tmp/err")"
  "$jq" -e '.run.options | index("--embedded-form")' "$report" >/dev/null && ok ||
    bad "report.json run.options lacks --embedded-form"
fi

[ "$fail" = 0 ] || sed 's/^/     /' "$tmp/log" | grep -E '^\s+(FAIL|WARN|ERROR|SKIP) ' -A2 | head -n 60
echo "$pass passed, $fail failed ($variant: $(tail -n 2 "$tmp/log" | head -n 1))"
[ "$fail" = 0 ]
