#!/usr/bin/env bash
# topology_tls.sh: the TLS variant of the topology. nginx from Dify's templates with Dify's
# https.conf (the certificate made now by openssl: a throwaway CA and a server certificate
# for 127.0.0.1 and localhost, in the build folder) in front of hitl-refserver. hitlcheck
# verifies the certificate with --cacert, skips verification with --insecure, and a failed
# verification (no CA given, or the wrong one), like an unusable CA file, ends the run with
# exit 3 and ONE line on stderr that names --cacert.
#
# Env: HITLCHECK, REFSERVER, TOPO_BUILD_DIR. Traffic stays on 127.0.0.1.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
: "${TOPO_BUILD_DIR:?TOPO_BUILD_DIR must name a folder in the build tree}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

topo_require_tools
topo_init "$TOPO_BUILD_DIR/tls"
started=$(date +%s)
topo_make_tls
topo_refserver_args v2
topo_start_refserver "${TOPO_REFSERVER_ARGS[@]}"
topo_start_nginx tls
echo "topology: nginx $TOPO_NGINX_TLS_URL (and $TOPO_NGINX_URL) -> hitl-refserver $TOPO_API"
topo_hitlcheck_args
ca=$TOPO_TLS_DIR/ca.crt

# run NAME TARGET ARGS…: a small selection (a form GET, the start stream, an error path),
# stdout and stderr apart.
run() {
  local name=$1 target=$2
  shift 2
  "$HITLCHECK" run --target "$target" "${TOPO_HITLCHECK_ARGS[@]}" \
    --only form.get.ok-keys,stream.start.content-type,errors.shape.unknown-token \
    --no-color --report-dir "$TOPO_DIR/report-$name" "$@" \
    >"$TOPO_DIR/$name.out" 2>"$TOPO_DIR/$name.err"
  echo $? >"$TOPO_DIR/$name.rc"
}

# verified NAME: exit 0 and every selected check passed over TLS.
verified() {
  local rc
  rc=$(cat "$TOPO_DIR/$1.rc")
  if [ "$rc" = 0 ] && grep -qE '^[1-9][0-9]* passed, 0 failed' "$TOPO_DIR/$1.out"; then
    ok "$1: $(grep -E ' passed, ' "$TOPO_DIR/$1.out")"
  else
    bad "$1: exit $rc"
    sed 's/^/     /' "$TOPO_DIR/$1.out" "$TOPO_DIR/$1.err" | tail -n 20
  fi
}

# refused NAME WORDS…: exit 3, nothing on stdout, one line on stderr naming --cacert and
# holding each of WORDS.
refused() {
  local name=$1 rc lines w
  shift
  rc=$(cat "$TOPO_DIR/$name.rc")
  lines=$(wc -l <"$TOPO_DIR/$name.err")
  if [ "$rc" = 3 ] && [ "$lines" = 1 ] && [ ! -s "$TOPO_DIR/$name.out" ] &&
     grep -q -- '--cacert' "$TOPO_DIR/$name.err"; then
    for w in "$@"; do
      grep -qF -- "$w" "$TOPO_DIR/$name.err" || { bad "$name: the line lacks '$w': $(cat "$TOPO_DIR/$name.err")"; return; }
    done
    ok "$name: exit 3, one line: $(cat "$TOPO_DIR/$name.err")"
  else
    bad "$name: exit $rc, $lines stderr line(s), stdout $(wc -c <"$TOPO_DIR/$name.out") bytes:"
    sed 's/^/     /' "$TOPO_DIR/$name.err" "$TOPO_DIR/$name.out" | head -n 20
  fi
}

printf 'not a certificate\n' >"$TOPO_DIR/garbage.pem"
runs=()
run cacert "$TOPO_NGINX_TLS_URL" --cacert "$ca" & runs+=($!)
run cacert-localhost "https://localhost:$NGINX_SSL_PORT" --cacert "$ca" & runs+=($!)
run insecure "$TOPO_NGINX_TLS_URL" --insecure & runs+=($!)
run no-ca "$TOPO_NGINX_TLS_URL" & runs+=($!)
run wrong-ca "$TOPO_NGINX_TLS_URL" --cacert "$TOPO_TLS_DIR/other-ca.crt" & runs+=($!)
run garbage-ca "$TOPO_NGINX_TLS_URL" --cacert "$TOPO_DIR/garbage.pem" & runs+=($!)
wait "${runs[@]}" # not a bare wait: the servers are background jobs too

verified cacert
verified cacert-localhost
verified insecure
refused no-ca "TLS certificate" "$TOPO_NGINX_TLS_URL" "--insecure"
refused wrong-ca "TLS certificate" "$TOPO_NGINX_TLS_URL"
refused garbage-ca "CA bundle" "$TOPO_NGINX_TLS_URL"

# The plain-HTTP listener of the same server still answers (Dify's https.conf adds a listener).
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$TOPO_NGINX_URL/api/form/human_input/x")
[ "$code" = 404 ] && ok "the plain listener answers too (404 from the api)" || bad "plain listener: HTTP $code"

echo "topology: wall time $(( $(date +%s) - started )) s; logs in $TOPO_DIR"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
