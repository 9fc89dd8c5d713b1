#!/usr/bin/env bash
# upload_layout_none.sh: a build with neither upload layout (Dify before Human Input file
# uploads, or the routes behind another prefix): the embedded server with --embedded-layout
# none has no upload route and no upload-token route. Every WEB upload-token, upload and
# remote-upload check SKIPs with the fingerprint's reason, never FAILs or ERRORs on the 404
# of a route the build does not have (they did before); the Service API's /files/upload
# checks still run; ratelimit.buckets.independent judges the two limiters that exist.
# Env: HITLCHECK. Traffic goes to 127.0.0.1 only.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
log="$tmp/log"

"$HITLCHECK" run --embedded-layout none --jobs 4 --no-color --report-dir "$tmp/rep" \
  --only upload-token,upload.auth,upload.local,upload.remote,fingerprint,remote,ssrf.remote,expiry.upload,expiry.upload-token,ratelimit.buckets \
  >"$log" 2>&1
rc=$?
[ "$rc" = 0 ] && ok || bad "exit $rc, expected 0"
grep -q "upload layout none (no Human Input upload route)" "$log" && ok || bad "the header does not name layout none"
grep -E '^(FAIL|WARN|ERROR) ' "$log" && bad "findings or errors on a build without upload routes"

# Every WEB check of these areas is SKIP with the fingerprint's reason.
n=0
while IFS= read -r line; do
  id=$(awk '{print $2}' <<<"$line")
  n=$((n + 1))
  case "$line" in
    "SKIP "*) ;;
    *) bad "$id [web] is not SKIP: $line"; continue ;;
  esac
  reason=$(grep -A1 -F "$line" "$log" | grep -E '^\s+Reason:' | head -n 1)
  case "$id:$reason" in
    fingerprint.upload-layout:*"neither upload layout exists"*"--web-base"*) ok ;;
    ssrf.remote.metadata:*"opt-in"*) ok ;;
    *:*"no Human Input upload route (fingerprint.upload-layout"*"--web-base"*) ok ;;
    *) bad "$id: the reason does not name the fingerprint: $reason" ;;
  esac
done < <(grep -E '^(PASS|FAIL|WARN|SKIP|ERROR) +(upload|remote|fingerprint|ssrf|expiry)[^ ]* \[web\]' "$log")
[ "$n" -ge 30 ] && ok || bad "only $n WEB upload checks ran"

# The Service API's own upload route exists on every build: those checks still pass.
for id in upload.local.ok upload.local.no-file upload.local.too-large upload-token.svc.absent; do
  grep -qE "^PASS +$id \[service\]" "$log" && ok || bad "$id [service] not PASS"
done
# The GET and submit limiters are judged; there is no upload-token limiter to judge.
grep -qE '^PASS +ratelimit.buckets.independent ' "$log" && ok || bad "ratelimit.buckets.independent not PASS"
grep -q 'no upload-token limiter: the GET and submit limiters only' "$tmp/rep/report.json" && ok ||
  bad "ratelimit.buckets.independent does not note the missing upload-token limiter"

[ "$fail" = 0 ] || grep -vE '^\s+[<>] ' "$log" | tail -n 60
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
