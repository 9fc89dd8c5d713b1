#!/usr/bin/env bash
# front_nginx.sh: verdicts on a target behind a front end, as Dify's docker deployment is
# (nginx, Docker's userland proxy): hitl-refserver --front nginx answers a request line over
# 8 KiB with nginx's own HTML 414 and shows every client as the bridge gateway.
#  - errors.path.huge-token PASSes, noting the front end's 414 (it FAILed the app for
#    nginx's HTML page before: "a 4xx from a front proxy is conformant");
#  - ratelimit.per-ip.isolated SKIPs, saying the sources reach the target as one client (it
#    FAILed the app for Docker's userland proxy before); on a target reached directly it
#    PASSes, and against an external target with one bucket for everyone it SKIPs too (no
#    request tells that from a proxy); only the embedded server, where nothing stands in
#    between, FAILs it (fault_matrix.txt, global-bucket).
# Env: HITLCHECK, REFSERVER. Traffic goes to 127.0.0.1 only.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
# shellcheck source=serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"

# check LOG ARGS…: hitlcheck against the refserver; exit code in $rc.
check() {
  local log=$1; shift
  "$HITLCHECK" run --target "http://127.0.0.1:$port" --api-key app-hitl-workflow \
    --rate-limit 5/2 --max-wait 20 --jobs 2 --no-color --report-dir "$tmp/rep" "$@" >"$log" 2>&1
  rc=$?
}

# verdict LOG VERDICT ID: the check is reported with that verdict on both surfaces it runs on.
verdict() {
  grep -qE "^$2 +$3 " "$1" && ok || bad "$3: not $2 in $(basename "$1")"
  grep -E "^(PASS|FAIL|WARN|SKIP|ERROR) +$3 " "$1" | grep -vqE "^$2 " && bad "$3: another verdict than $2"
}

# 1. Behind nginx.
serve "$REFSERVER" --port 0 --rate-limit 5/2 --front nginx
check "$tmp/nginx.log" --only errors.path.huge-token,ratelimit.per-ip.isolated
[ "$rc" = 0 ] && ok || bad "behind nginx: exit $rc, expected 0"
verdict "$tmp/nginx.log" PASS errors.path.huge-token
n=$(grep -o "the front end (nginx) answered HTTP 414 with its own page" "$tmp/rep/report.json" | wc -l)
[ "$n" -ge 4 ] && ok || bad "huge-token: the note names nginx's 414 $n times, expected 4 (GET and POST on both surfaces)"
verdict "$tmp/nginx.log" SKIP ratelimit.per-ip.isolated
reason=$(grep -A1 -E "^SKIP +ratelimit.per-ip.isolated " "$tmp/nginx.log" | grep -E '^\s+Reason:')
case "$reason" in
  *"Docker's userland proxy"*"from outside the two cannot be told apart"*) ok ;;
  *) bad "per-ip.isolated: the reason does not say the sources were one client: $reason" ;;
esac

# 2. Reached directly: the two addresses are counted apart.
serve "$REFSERVER" --port 0 --rate-limit 5/2
check "$tmp/direct.log" --only ratelimit.per-ip.isolated
[ "$rc" = 0 ] && ok || bad "direct: exit $rc, expected 0"
verdict "$tmp/direct.log" PASS ratelimit.per-ip.isolated

# 3. One bucket for everyone, reached from outside: the same answers as behind a proxy, so
# SKIP, not FAIL (the embedded server FAILs it: fault_matrix.txt).
serve "$REFSERVER" --port 0 --rate-limit 5/2 --fault global-bucket
check "$tmp/global.log" --only ratelimit.per-ip.isolated
[ "$rc" = 0 ] && ok || bad "global bucket: exit $rc, expected 0"
verdict "$tmp/global.log" SKIP ratelimit.per-ip.isolated

[ "$fail" = 0 ] || for f in "$tmp"/*.log; do echo "== $f"; grep -vE '^\s+[<>] ' "$f" | tail -n 30; done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
