#!/usr/bin/env bash
# conformance_dsl_apps.sh MODE: the whole catalogue against a standalone hitl-refserver whose
# apps are the conformance app files a Dify operator imports (specs/dify-app/, compiled in as
# builtin:NAME), executed node by node from their graph (--app-dsl), not the server's built-in
# flow: the main app is workflow.yml (MODE workflow) or chatflow.yml (MODE chatflow), the other
# app the other one, the variant apps workflow-parallel.yml and chatflow-ifelse.yml, and for a
# Chatflow the two-node app chatflow-sequential.yml. A correct server running exactly what the
# user imports must give 0 FAIL, 0 WARN, 0 ERROR and exit 0, and the checks that need those
# apps must PASS. Two apps stay built-in: the global-timeout app (a DSL node's 1 h timeout is
# replaced by --form-ttl, so no DSL app outlives the global timeout here) and, for a Workflow,
# the two-node app (no sequential Workflow file).
# Evidence that the DSL ran: the resumed run's node events name the file's End/Answer node
# (end_revise, answer_approve…), which the built-in flow never does (branch_<action>).
# Env: HITLCHECK, REFSERVER; JQ (default: jq on PATH). Traffic goes to 127.0.0.1 only.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
mode=${1:?usage: conformance_dsl_apps.sh workflow|chatflow}
jq=${JQ:-}
[ -x "$jq" ] || jq=$(command -v jq)
[ -n "$jq" ] || { echo "FAIL: jq is needed to read report.json"; exit 1; }
work=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "work folder: $work"
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL [$mode]: $*"; fail=1; }

case $mode in
  workflow)
    apps=(--app-dsl app-main=builtin:workflow --app-dsl app-other=builtin:chatflow
          --app workflow:app-two:two-node)
    branch_node=end_
    must="submit.valid.ok resume.after-submit.branch resume.filled.fields regress.resumed.succeeded
          regress.timeout.branch regress.parallel.both-complete regress.chatflow.answer-after-resume
          regress.form-content.rendered expiry.global.form-get resume.continue-on-pause.two-pauses" ;;
  chatflow)
    apps=(--app-dsl app-main=builtin:chatflow --app-dsl app-other=builtin:workflow
          --app-dsl app-two=builtin:chatflow-sequential)
    branch_node=answer_
    must="submit.valid.ok resume.after-submit.branch resume.filled.fields regress.resumed.succeeded
          regress.timeout.branch regress.parallel.both-complete regress.chatflow.answer-after-resume
          resume.chatflow.envelope expiry.global.form-get resume.continue-on-pause.two-pauses" ;;
  *) echo "FAIL: MODE is workflow or chatflow, not '$mode'"; exit 1 ;;
esac

fixture=$(perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(Listen => 1,
  LocalAddr => "127.0.0.1", LocalPort => 0) or die "no free port: $!\n"; print $s->sockport')
# --app-dsl apps first, then --app: the order a slot-reuse bug once turned --app apps into DSL
# apps in (test_refserver_config's app_after_app_dsl_is_a_plain_app).
"$REFSERVER" --listen 127.0.0.1 --port 0 --port-file "$work/port" --form-ttl 20 \
  --global-timeout 25 --rate-limit 10/4 --ping-interval 1 --idle-timeout 10 --sweep-interval 1 \
  --fetch-allow "127.0.0.1:$fixture" --blacklist exe "${apps[@]}" \
  --app-dsl app-par=builtin:workflow-parallel --app-dsl app-if=builtin:chatflow-ifelse \
  --app chat:app-chat --app "$mode:app-long:3600" >"$work/srv.log" 2>&1 &
srv=$!
for _ in $(seq 400); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { echo "FAIL [$mode]: hitl-refserver did not start:"; cat "$work/srv.log"; exit 1; }

timeout 300 "$HITLCHECK" run --target "http://127.0.0.1:$(cat "$work/port")" --app-mode "$mode" \
  --api-key app-main --other-api-key app-other --chat-api-key app-chat \
  --global-timeout-key app-long --global-timeout 25 --two-node-api-key app-two \
  --parallel-api-key app-par --ifelse-api-key app-if --blocked-extension exe \
  --rate-limit 10/4 --max-wait 60 --fixture-listen "127.0.0.1:$fixture" \
  --fixture-url "http://127.0.0.1:$fixture" --jobs 4 --no-color --report-dir "$work/rep" \
  >"$work/log" 2>&1
rc=$?
report=$work/rep/report.json
[ "$rc" = 0 ] || bad "exit $rc, expected 0"
if ! "$jq" -e '.checks | length > 100' "$report" >/dev/null 2>&1; then
  bad "no report.json with the catalogue in it"
  tail -n 40 "$work/log"
  exit 1
fi

findings=$("$jq" -r '.checks[] | select(.verdict == "FAIL" or .verdict == "WARN" or .verdict == "ERROR")
  | "\(.verdict) \(.id) [\(.surface)]: \(.reason // .actual // "")"' "$report")
[ -z "$findings" ] || bad "findings on a correct server running the imported apps:
$findings"

for id in $must; do
  v=$("$jq" -r --arg id "$id" '[.checks[] | select(.id == $id) | .verdict] | unique | join(",")' \
    "$report")
  [ "$v" = PASS ] || bad "$id: $v, expected PASS"
done

# The DSL ran: the resumed stream of resume.after-submit.branch (the main app) shows the
# branch node of the file (end_approve/end_revise, answer_…), never the built-in flow's
# branch_<action> (which the plain two-node app of a Workflow run still shows).
nodes=$("$jq" -r '.checks[] | select(.id == "resume.after-submit.branch")
  | .exchanges[]?.response_body // ""' "$report" | grep -o '"node_id":"[A-Za-z0-9_]*"' | sort -u)
grep -q "\"node_id\":\"$branch_node" <<<"$nodes" ||
  bad "no resumed stream names a ${branch_node}… node of the file (nodes: $(echo $nodes)): the DSL graph did not run"
! grep -q '"node_id":"branch_' <<<"$nodes" ||
  bad "the main app's resumed stream shows the built-in flow's branch_ nodes: $(echo $nodes)"

if [ "$fail" = 0 ]; then
  echo "ok [$mode]: $("$jq" -r '.totals | "\(.pass) PASS, \(.skip) SKIP"' "$report" 2>/dev/null) against the imported apps"
else
  tail -n 5 "$work/log"
fi
exit "$fail"
