#!/usr/bin/env bash
# remote_variants.sh: the remote-upload errors of every Dify build are accepted, and the
# note names the variant seen (dify-B §4). hitl-refserver reproduces them:
#  --remote-errors legacy       the v1 and early v2 controllers over the ValueError-based
#                               ssrf_proxy: an origin 500 is 400 invalid_param "Reached maximum
#                               retries (3) for URL …"; 401/403/404 are 400
#                               remote_file_upload_error "Failed to fetch file from …"
#  --remote-via-squid           through Dify's squid SSRF proxy an origin 401/403 carries
#                               Via: squid: 400 remote_file_url_blocked (newest), 400
#                               invalid_param "Access to '…' was blocked by SSRF protection"
#                               (legacy)
# remote.upload.unavailable and remote.upload.access-denied FAILed these genuine builds
# before. Env: HITLCHECK, REFSERVER. Traffic goes to 127.0.0.1 only.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
# shellcheck source=serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"
checks=remote.upload.unavailable,remote.upload.access-denied,remote.upload.not-found

# run NAME REFSERVER-ARGS…: the refserver may fetch from the harness's fixture port; a port
# someone else holds makes hitlcheck exit 2 (--fixture-listen), and the next one is tried.
run() {
  local name=$1; shift
  local log="$tmp/$name.log" fport
  for _ in 1 2 3 4 5; do
    fport=$((20000 + (RANDOM % 30000)))
    serve "$REFSERVER" --port 0 --no-rate-limit --fetch-allow "127.0.0.1:$fport" "$@"
    "$HITLCHECK" run --target "http://127.0.0.1:$port" --api-key app-hitl-workflow \
      --fixture-listen "127.0.0.1:$fport" --only "$checks" --jobs 3 --no-color \
      --report-dir "$tmp/$name" >"$log" 2>&1
    rc=$?
    [ "$rc" = 2 ] && grep -q -- "--fixture-listen" "$log" && continue
    break
  done
  [ "$rc" = 0 ] && ok || bad "$name: exit $rc, expected 0"
  grep -E '^(FAIL|WARN|ERROR|SKIP) ' "$log" && bad "$name: a check did not pass"
}

# noted NAME CHECK TEXT: report.json's notes of CHECK (both surfaces) name TEXT.
noted() {
  local n
  n=$(grep -o "$3" "$tmp/$1/report.json" | wc -l)
  [ "$n" -ge 1 ] && ok || bad "$1: $2's note does not name \"$3\""
}

run legacy --upload-layout v1 --remote-errors legacy
noted legacy remote.upload.unavailable "HTTP 400 invalid_param (v1 / early v2: ssrf_proxy's retries exhausted"
noted legacy remote.upload.access-denied "HTTP 400 remote_file_upload_error (v1 / early v2, fetched directly"
run legacy-squid --upload-layout v2 --remote-errors legacy --remote-via-squid
noted legacy-squid remote.upload.access-denied "HTTP 400 invalid_param (v1 / early v2, through Dify's squid SSRF proxy"
run newest-squid --upload-layout v2 --remote-via-squid
noted newest-squid remote.upload.access-denied "HTTP 400 remote_file_url_blocked (newest, through Dify's squid SSRF proxy"
noted newest-squid remote.upload.unavailable "HTTP 502 remote_file_unavailable (newest mapping)"
run newest --upload-layout v2
noted newest remote.upload.access-denied "HTTP 400 remote_file_access_denied (newest, fetched directly"

[ "$fail" = 0 ] || for f in "$tmp"/*.log; do echo "== $f"; tail -n 20 "$f"; done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
