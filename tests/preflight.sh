#!/usr/bin/env bash
# preflight.sh: a target that is not (configured as) a Human Input API ends `hitlcheck run`
# before any check with ONE error line and exit 3, saying what was tried (method, URL), what
# came back (status, Content-Type, a short body excerpt, redacted) and which option to
# change. Pins the issue "--target at a plain web server: 168 lines, 20 FAIL, 138 ERROR".
# A correct external target and the embedded run still pass.
# Env: HITLCHECK, REFSERVER, PLAIN_SERVER. Traffic goes to 127.0.0.1 only.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
: "${PLAIN_SERVER:?PLAIN_SERVER must name the plain_server test binary}"
# shellcheck source=serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"

# refuse NAME PATTERN… -- HITLCHECK-ARGS…: exit 3, no check ran, stderr is exactly one line
# "hitlcheck run: preflight: …" matching every PATTERN (extended regular expressions).
refuse() {
  local name=$1; shift
  local pats=() fail0=$fail
  while [ "$1" != -- ]; do pats+=("$1"); shift; done
  shift
  "$HITLCHECK" run --target "http://127.0.0.1:$port" --no-color --report-dir "$tmp/rep" "$@" \
    >"$tmp/$name.out" 2>"$tmp/$name.err"
  local rc=$?
  [ "$rc" = 3 ] && ok || bad "$name: exit $rc, expected 3"
  [ "$(wc -l <"$tmp/$name.err")" = 1 ] && ok || bad "$name: stderr is not one line"
  grep -q '^hitlcheck run: preflight: ' "$tmp/$name.err" && ok || bad "$name: not a preflight line"
  for p in "${pats[@]}"; do
    grep -qE -- "$p" "$tmp/$name.err" && ok || bad "$name: the line lacks /$p/"
  done
  grep -qE '^(PASS|FAIL|WARN|SKIP|ERROR) ' "$tmp/$name.out" && bad "$name: checks ran"
  [ "$fail" = "$fail0" ] || { sed 's/^/     err: /' "$tmp/$name.err"; sed 's/^/     out: /' "$tmp/$name.out" | tail -n 5; }
  [ -z "${SHOW:-}" ] || cat "$tmp/$name.err"
}

key=(--api-key app-hitl-workflow)

# 1. A plain web server: nginx's HTML 404 everywhere.
serve "$PLAIN_SERVER" --status 404
refuse plain404 "POST http://127\.0\.0\.1:$port/v1/workflows/run answered HTTP 404" \
  '\(text/html, "<html> <head><title>404 Not Found</title>' "no Service API there" \
  "check --target" "--service-base" -- "${key[@]}"
# 2. A web app answering every path with its HTML page and 200.
serve "$PLAIN_SERVER" --status 200
refuse plain200 "answered HTTP 200 \(text/html, \"<!doctype html>" "no event stream" \
  "--target and --service-base \(now /v1\)" -- "${key[@]}"

serve "$REFSERVER" --port 0
# 3. A wrong base path, Service API and WebApp.
refuse service_base "POST http://127\.0\.0\.1:$port/wrong/workflows/run answered HTTP 404" \
  '"code":"not_found"' "--service-base" -- "${key[@]}" --service-base /wrong
refuse web_base "GET http://127\.0\.0\.1:$port/wrong/form/human_input/<form-token> answered HTTP 404" \
  "for the form of the run it just paused" "check --web-base \(now /wrong\)" \
  -- "${key[@]}" --web-base /wrong
# 4. A wrong API key: 401, and the key never shows.
refuse api_key "answered HTTP 401" "check --api-key" -- --api-key app-WRONG-s3cret-key
grep -q "s3cret" "$tmp/api_key.err" "$tmp/api_key.out" && bad "api_key: the key was printed" || ok
# 5. The app's mode does not match the route.
refuse app_mode "POST http://127\.0\.0\.1:$port/v1/chat-messages answered HTTP 400" \
  '"code":"not_chat_app"' "check --app-mode" -- "${key[@]}" --app-mode chatflow
# 6. An app that finishes without pausing (a basic chat app: message, message_end).
refuse no_pause "the run ended \(message_end\) without pausing at a Human Input node" \
  "check --api-key" "--inputs" -- --api-key app-hitl-chat --app-mode chatflow
# 7. A node that delivers by e-mail only: form_token null.
serve "$REFSERVER" --port 0 --form-delivery email
refuse email_only "paused at a Human Input node, but with form_token null" "e-mail only" \
  "WebApp delivery" "--api-key" -- "${key[@]}"

# 8. A correct external target: no preflight line, the checks run.
serve "$REFSERVER" --port 0
"$HITLCHECK" run --target "http://127.0.0.1:$port" "${key[@]}" --only stream.start \
  --no-color --report-dir "$tmp/rep" >"$tmp/good.out" 2>"$tmp/good.err"
rc=$?
[ "$rc" = 0 ] && ok || bad "correct target: exit $rc"
grep -q preflight "$tmp/good.out" "$tmp/good.err" && bad "correct target: a preflight line" || ok
grep -qE '^PASS +stream.start.content-type ' "$tmp/good.out" && ok || bad "correct target: no check ran"
stop

# 9. The embedded run.
"$HITLCHECK" run --only stream.start --no-color --report-dir "$tmp/rep" >"$tmp/emb.out" 2>&1
rc=$?
[ "$rc" = 0 ] && ok || bad "embedded: exit $rc"

# 10. A stream the preflight cannot judge is left to the checks (a hostile target): one note,
# then the check that judges it.
"$HITLCHECK" run --embedded-fault hostile-endless-stream --only hostile.stream.makes-progress \
  --max-wait 20 --no-color --report-dir "$tmp/rep" >"$tmp/hostile.out" 2>&1
grep -q "preflight: the start stream could not be judged" "$tmp/hostile.out" && ok ||
  bad "hostile: no preflight note"
grep -qE '^ERROR +hostile.stream.makes-progress ' "$tmp/hostile.out" && ok ||
  bad "hostile: the check did not judge the stream"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
