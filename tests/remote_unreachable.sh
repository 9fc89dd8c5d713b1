#!/usr/bin/env bash
# remote_unreachable.sh: pins the review finding "remote-fetch checks give false FAILs (or
# pass vacuously) when the target cannot reach the fixture". A standalone hitl-refserver
# without --fetch-allow refuses every loopback URL, the fixture's included (as a remote
# deployment, Docker Dify or a correct SSRF proxy would): every check that needs the target
# to fetch from the fixture must be SKIP with a reason naming --fixture-url/--fixture-listen,
# never FAIL (remote_file_url_blocked) or a vacuous PASS; the SSRF refusal checks still run.
# Env: HITLCHECK, REFSERVER. Traffic goes to 127.0.0.1 only.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

"$REFSERVER" --port 0 --port-file "$tmp/port" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 400); do grep -q listening "$tmp/out" 2>/dev/null && break; sleep 0.05; done
port=$(cat "$tmp/port" 2>/dev/null) || { echo "FAIL: refserver did not start"; exit 1; }

"$HITLCHECK" run --target "http://127.0.0.1:$port" --api-key app-hitl-workflow \
  --only remote,ssrf,upload.remote,submit.inline-remote --jobs 4 --no-color \
  --report-dir "$tmp/rep" >"$tmp/log" 2>&1
rc=$?
[ "$rc" = 0 ] && ok || bad "exit $rc, expected 0"
grep -qE '^(FAIL|ERROR|WARN) ' "$tmp/log" && bad "findings: $(grep -E '^(FAIL|ERROR|WARN) ' "$tmp/log")" || ok

# Each check that needs a fetch from the fixture: SKIP, with the reason naming the fixture
# URL and the two options.
for id in remote.upload.not-found remote.upload.access-denied remote.upload.unavailable \
  remote.upload.oversize remote.upload.wrong-type remote.upload.bad-token-no-fetch \
  remote.inline.failures remote.inline.failures-code upload.remote.ok \
  submit.inline-remote.ok submit.inline-remote.unreachable; do
  n=$(grep -cE "^SKIP +$id " "$tmp/log")
  [ "$n" -ge 1 ] && ok || bad "$id not SKIP"
  grep -E "^PASS +$id " "$tmp/log" >/dev/null && bad "$id passed vacuously"
  reason=$(grep -A1 -E "^SKIP +$id " "$tmp/log" | grep -E '^\s+Reason:' | head -n 1)
  case "$reason" in
    *"http://127.0.0.1:"*"--fixture-listen"*"--fixture-url"*) ok ;;
    *) bad "$id: reason does not name the fixture URL and --fixture-listen/--fixture-url: $reason" ;;
  esac
done
# The SSRF refusals need no fetch: they still run and pass.
for id in ssrf.remote.loopback-canary ssrf.inline.loopback-canary remote.upload.bad-scheme; do
  grep -qE "^PASS +$id " "$tmp/log" && ok || bad "$id not PASS"
done
[ "$fail" = 0 ] || sed 's/^/     /' "$tmp/log" | tail -n 40

# A form whose file inputs take only remote_url has no valid submission without a fixture the
# target fetches: checks that need one SKIP naming the input and --fixture-url (report.json).
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
rm -f "$tmp/port" "$tmp/out"
"$REFSERVER" --port 0 --port-file "$tmp/port" --form remote-only >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 400); do grep -q listening "$tmp/out" 2>/dev/null && break; sleep 0.05; done
port=$(cat "$tmp/port" 2>/dev/null) || { echo "FAIL: refserver --form remote-only did not start"; exit 1; }
"$HITLCHECK" run --target "http://127.0.0.1:$port" --api-key app-hitl-workflow \
  --only submit.valid.ok,form.get.after-submit --jobs 4 --no-color \
  --report-dir "$tmp/rep2" >"$tmp/log2" 2>&1
rc=$?
[ "$rc" = 0 ] && ok || bad "remote-only form: exit $rc, expected 0"
jq=${JQ:-}
[ -x "$jq" ] || jq=$(command -v jq)
if [ -z "$jq" ]; then
  bad "jq is needed to read report.json: apt-get install -y --no-install-recommends jq"
else
  n=$("$jq" '[.checks[]] | length' "$tmp/rep2/report.json" 2>/dev/null)
  [ "${n:-0}" -ge 4 ] && ok || bad "remote-only form: $n checks in report.json, expected 4"
  wrong=$("$jq" -r '.checks[] | select(.verdict != "SKIP"
      or ((.reason // "") | test("file input \u0027contract\u0027 takes only remote_url.*--fixture-url") | not))
    | "\(.id) [\(.surface)] \(.verdict): \(.reason // .actual)"' "$tmp/rep2/report.json")
  [ -z "$wrong" ] && ok || bad "remote-only form without a reachable fixture: $wrong"
fi
[ "$fail" = 0 ] || sed 's/^/     /' "$tmp/log2" | tail -n 20
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
