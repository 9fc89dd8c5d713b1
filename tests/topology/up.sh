#!/usr/bin/env bash
# up.sh [v1|v2] [tls]: brings the clean topology up by hand (lib.sh) from a build folder,
# prints the hitlcheck command that runs the catalogue through it, and keeps everything up
# until Ctrl-C, which stops it all. Run from the source tree after a build:
#   tests/topology/up.sh v2          (BUILD=build by default; BUILD=other-dir to change)
set -uo pipefail
layout=${1:-v2}
tls=${2:-}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd) || { echo "no build folder: build first" >&2; exit 2; }
REFSERVER=$build/refserver/hitl-refserver
[ -x "$REFSERVER" ] || { echo "$REFSERVER is missing: build first" >&2; exit 2; }
. "$root/tests/topology/lib.sh"
topo_require_tools
topo_init "$build/tests/topology/up-$layout"
fixture_port=$(topo_free_port) || topo_fail "no free port"
topo_start_squid 127.0.0.1 "$fixture_port"
topo_refserver_args "$layout"
topo_start_refserver "${TOPO_REFSERVER_ARGS[@]}"
[ "$tls" = tls ] && topo_make_tls
topo_start_nginx "$tls"
topo_hitlcheck_args
target=$TOPO_NGINX_URL extra=
[ "$tls" = tls ] && target=$TOPO_NGINX_TLS_URL extra=" --cacert $TOPO_TLS_DIR/ca.crt"
cat <<EOF
nginx      $TOPO_NGINX_URL${TOPO_NGINX_TLS_URL:+ and $TOPO_NGINX_TLS_URL}   (logs: $TOPO_DIR/nginx/logs)
api        hitl-refserver at $TOPO_API, layout $layout   (log: $TOPO_DIR/refserver/refserver.log)
squid      $TOPO_SQUID_URL, lets 127.0.0.1:$fixture_port through   (log: $TOPO_DIR/squid/squid.log)

$build/harness/hitlcheck run --target $target ${TOPO_HITLCHECK_ARGS[*]} \\
  --fixture-listen 127.0.0.1:$fixture_port --fixture-url http://127.0.0.1:$fixture_port$extra

Ctrl-C stops everything.
EOF
# wait, unlike a foreground sleep, lets the INT/TERM trap run at once.
while :; do sleep 3600 & topo_track sleep $!; wait $!; done
