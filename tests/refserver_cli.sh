#!/usr/bin/env bash
# refserver_cli.sh: the hitl-refserver binary: the ready line, --port-file, a real request,
# clean exit 0 on SIGTERM and SIGINT, exit 2 with one line naming the flag on bad values.
# Env: REFSERVER (binary). Traffic goes to 127.0.0.1 only.
set -uo pipefail
: "${REFSERVER:?path to hitl-refserver}"
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

start() { # start [flags…]: runs the server in the background, waits for its ready line
  "$REFSERVER" --port 0 --port-file "$tmp/port" "$@" > "$tmp/out" 2> "$tmp/err" &
  pid=$!
  for _ in $(seq 400); do grep -q 'listening' "$tmp/out" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

for sig in TERM INT; do
  rm -f "$tmp/port"
  if ! start; then bad "no ready line (SIG$sig run)"; continue; fi
  port=$(cat "$tmp/port")
  grep -qx "hitl-refserver listening on http://127.0.0.1:$port" "$tmp/out" && ok ||
    bad "ready line: $(cat "$tmp/out")"
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/form/human_input/x")
  [ "$code" = 404 ] && ok || bad "GET unknown form: $code"
  kill -"$sig" "$pid"
  wait "$pid"; rc=$?
  pid=
  [ "$rc" = 0 ] && ok || bad "exit code after SIG$sig: $rc"
done

for args in "--port 70000" "--rate-limit 5" "--fault nope" "--bogus" "--upload-layout v9" "--app-dsl x"; do
  # shellcheck disable=SC2086
  "$REFSERVER" $args > "$tmp/out" 2> "$tmp/err"; rc=$?
  flag=${args%% *}
  [ "$rc" = 2 ] && ok || bad "$args: exit $rc"
  [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q -- "$flag" "$tmp/err" && ok ||
    bad "$args: stderr '$(cat "$tmp/err")'"
done

# --app-dsl: a DSL the server cannot run stops the start with one line naming the app's key,
# the file and the rule (a YAML error with its line); a compiled-in app runs.
printf 'version: "0.6.0"\nkind: app\napp: [unclosed\n' > "$tmp/bad.yml"
"$REFSERVER" --port 0 --app-dsl K1="$tmp/bad.yml" > "$tmp/out" 2> "$tmp/err"; rc=$?
[ "$rc" != 0 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q -- "--app-dsl K1: $tmp/bad.yml" "$tmp/err" &&
  grep -q 'line' "$tmp/err" && ok || bad "--app-dsl bad YAML: exit $rc, stderr '$(cat "$tmp/err")'"
"$REFSERVER" --port 0 --app-dsl K2=builtin:nope > "$tmp/out" 2> "$tmp/err"; rc=$?
[ "$rc" != 0 ] && grep -q 'no such built-in app (built in: .*workflow-parallel' "$tmp/err" && ok ||
  bad "--app-dsl builtin:nope: exit $rc, stderr '$(cat "$tmp/err")'"
rm -f "$tmp/port"
if start --app-dsl K3=builtin:chatflow-ifelse; then
  port=$(cat "$tmp/port")
  body=$(curl -s -H 'Authorization: Bearer K3' -H 'Content-Type: application/json' \
    -d '{"inputs":{},"query":"a hitlcheck query","response_mode":"streaming","user":"u1"}' \
    "http://127.0.0.1:$port/v1/chat-messages")
  grep -q '"answer":"Reviewing: a hitlcheck query"' <<<"$body" && grep -q workflow_paused <<<"$body" &&
    ok || bad "--app-dsl builtin:chatflow-ifelse: $body"
  kill "$pid"; wait "$pid"; pid=
else
  bad "--app-dsl builtin:chatflow-ifelse: no ready line"
fi

"$REFSERVER" --help > "$tmp/help"; rc=$?
[ "$rc" = 0 ] && grep -q -- '--fetch-allow HOST:PORT' "$tmp/help" && grep -q -- '--fetch-proxy URL' "$tmp/help" && ok ||
  bad "--help: exit $rc, or --fetch-allow/--fetch-proxy not documented"
grep -q -- '--app-dsl KEY=FILE' "$tmp/help" && grep -q 'unless' "$tmp/help" && ok ||
  bad "--help does not show --app-dsl KEY=FILE and the node timeout rule"
grep -q -- '--form NAME|FILE' "$tmp/help" && grep -q '^Built-in forms' "$tmp/help" && ok ||
  bad "--help does not show --form NAME|FILE and the built-in forms"
# --list-forms: one `name<TAB>summary` line per built-in form, then exit 0.
"$REFSERVER" --list-forms > "$tmp/forms"; rc=$?
names=$(cut -f1 "$tmp/forms" | tr '\n' ' ')
[ "$rc" = 0 ] && [ "$names" = "default image-only remote-only local-only no-files paragraph file-list large " ] &&
  ! grep -qv "$(printf '\t')" "$tmp/forms" && ok || bad "--list-forms: exit $rc, names '$names'"
# --form NAME serves that form; an unknown name (and no such file) fails to start, naming it.
rm -f "$tmp/port"
if start --form paragraph; then
  port=$(cat "$tmp/port")
  body=$(curl -s -H 'Authorization: Bearer app-hitl-workflow' -H 'Content-Type: application/json' \
    -d '{"inputs":{},"response_mode":"streaming","user":"u1"}' "http://127.0.0.1:$port/v1/workflows/run" |
    grep -m1 human_input_required)
  case "$body" in *'"output_variable_name":"comment"'*) ok ;; *) bad "--form paragraph: $body" ;; esac
  kill "$pid"; wait "$pid"; pid=
else
  bad "--form paragraph did not start"
fi
"$REFSERVER" --port 0 --form no-such-form > /dev/null 2> "$tmp/err"; rc=$?
[ "$rc" = 1 ] && grep -q "'no-such-form'" "$tmp/err" && grep -q -- '--list-forms' "$tmp/err" && ok ||
  bad "--form no-such-form: exit $rc, stderr '$(cat "$tmp/err")'"
"$REFSERVER" --version > "$tmp/version"; rc=$?
[ "$rc" = 0 ] && grep -q '^hitl-refserver ' "$tmp/version" && ok || bad "--version: exit $rc"
"$REFSERVER" --port 1 --listen 203.0.113.1 > /dev/null 2> "$tmp/err"; rc=$?
[ "$rc" = 1 ] && ok || bad "unbindable address: exit $rc"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
