# shellcheck shell=bash disable=SC2034
# serve_lib.sh: what the scripts that start their own server share (source it after
# `set -uo pipefail`): a temporary directory $tmp, pass/fail counting (ok, bad), and one
# background server at a time (serve, stop) on an ephemeral port, $port, that the server
# writes to the file its --port-file option names. Everything is removed on exit.
tmp=$(mktemp -d)
pid=
pass=0 fail=0
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=; }
trap 'stop; rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# serve BINARY ARGS…: stops the running server, starts BINARY --port-file FILE ARGS… and sets
# $port once it listens (exits the script when it does not start within 5 s).
serve() {
  local bin=$1; shift
  stop
  rm -f "$tmp/port"
  "$bin" --port-file "$tmp/port" "$@" >"$tmp/srv.out" 2>&1 &
  pid=$!
  for _ in $(seq 400); do [ -s "$tmp/port" ] && break; sleep 0.05; done
  port=$(cat "$tmp/port" 2>/dev/null) || { echo "FAIL: $bin did not start"; cat "$tmp/srv.out"; exit 1; }
}
