#!/usr/bin/env bash
# resume_submit_refused.sh: a resume check whose valid submit is refused ends in ERROR at
# once, naming the submit's answer: it judges the submit before joining the resume stream
# (the stream, waiting for a resume that cannot come, is cancelled). Before, the check waited
# for the stream to end (10 s on the embedded server, --max-wait on a real one). The fault
# uploads-unknown-at-submit makes the embedded server refuse every valid submission that
# carries an upload. Verdicts come from report.json (jq). Env: HITLCHECK; JQ (optional).
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
jq=${JQ:-}
[ -x "$jq" ] || jq=$(command -v jq)
[ -n "$jq" ] || { echo "FAIL: jq is needed: apt-get install -y --no-install-recommends jq"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

"$HITLCHECK" run --embedded-fault uploads-unknown-at-submit \
  --only resume.after-submit.branch,resume.finished.single-frame --no-color \
  --report-dir "$tmp/rep" >"$tmp/log" 2>&1
rc=$?
[ "$rc" = 3 ] && ok || bad "exit $rc, expected 3 (the checks ERROR)"
for id in resume.after-submit.branch resume.finished.single-frame; do
  row=$("$jq" -c --arg id "$id" '.checks[] | select(.id == $id)
    | {verdict, reason, duration_seconds}' "$tmp/rep/report.json" 2>/dev/null)
  case "$row" in
    *'"verdict":"ERROR"'*'the valid submit answered HTTP 400'*'Invalid upload file'*) ok ;;
    *) bad "$id: $row" ;;
  esac
  secs=$("$jq" -r --arg id "$id" '.checks[] | select(.id == $id) | .duration_seconds' \
    "$tmp/rep/report.json" 2>/dev/null)
  "$jq" -en --argjson s "${secs:-99}" '$s < 5' >/dev/null && ok ||
    bad "$id took ${secs:-?} s: it waited on the resume stream after the refused submit"
done
[ "$fail" = 0 ] || sed 's/^/     /' "$tmp/log" | tail -n 30
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
