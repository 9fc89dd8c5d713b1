#!/usr/bin/env bash
# global_timeout_cli.sh: the global-timeout checks (expiry.global.*, §10.9) against a
# --target, as a user points them at a deployment: the options are validated (exit 2, one
# line naming the flag), the checks SKIP with a reason that says what to give when the
# harness cannot judge (no --global-timeout; an app whose node timeout ends the form first;
# --max-wait too short), they PASS against a standalone hitl-refserver with a low global
# timeout and a long-node app, and the --global-timeout-key is a secret: in no artifact,
# shown as [REDACTED] in the options. Env: HITLCHECK, REFSERVER. Traffic: 127.0.0.1 only.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' "$2" | tail -n 30; }

# 1. Bad options: exit 2, one line naming the option, no check run.
usage() { # usage NAME PATTERN ARGS…
  local name=$1 pat=$2
  shift 2
  "$HITLCHECK" run --no-color --report-dir "$tmp/u" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  local rc=$?
  if [ "$rc" = 2 ] && grep -qF -- "$pat" "$tmp/$name.err" && [ "$(wc -l <"$tmp/$name.err")" = 1 ] &&
     ! grep -qE '^(PASS|FAIL|SKIP) ' "$tmp/$name.out"; then
    ok "$name: exit 2 naming $pat"
  else
    bad "$name: exit $rc" "$tmp/$name.err"
  fi
}
usage zero "--global-timeout '0'" --global-timeout 0
usage words "--global-timeout '1h'" --global-timeout 1h
usage keyonly "--global-timeout-key needs --global-timeout" --target http://127.0.0.1:9 \
  --api-key k --global-timeout-key SECRETGLOBAL9
if grep -q SECRETGLOBAL9 "$tmp/keyonly.err"; then bad "keyonly: the key is in the message"; else ok "keyonly: the key is not echoed"; fi
"$HITLCHECK" run --help >"$tmp/help" 2>&1
for opt in --global-timeout --global-timeout-key; do
  grep -qE -- "^  $opt " "$tmp/help" && ok "--help lists $opt" || bad "--help does not list $opt" "$tmp/help"
done

# A standalone server: global timeout 4 s, sweeper every 200 ms; the main app's node timeout
# is 2 s (its forms time out before the global cap), the key's app's 3600 s.
"$REFSERVER" --port 0 --port-file "$tmp/port" --global-timeout 4 --sweep-interval 200ms \
  --app workflow:app-hitl-workflow:2 --app workflow:SECRETGLOBAL9:3600 >"$tmp/rs.out" 2>&1 &
pid=$!
for _ in $(seq 400); do grep -q listening "$tmp/rs.out" 2>/dev/null && break; sleep 0.05; done
port=$(cat "$tmp/port" 2>/dev/null) || { echo "FAIL refserver did not start"; exit 1; }
target=(--target "http://127.0.0.1:$port" --api-key app-hitl-workflow --only expiry.global
        --jobs 4 --no-color)

skip_reason() { # skip_reason NAME LOG ID PATTERN
  local reason
  reason=$(grep -A1 -E "^SKIP +$3 " "$2" | grep -E '^\s+Reason:' | head -n 1)
  case "$reason" in
    *"$4"*) ok "$1: $3 SKIP naming $4" ;;
    *) bad "$1: $3 not SKIP with a reason naming $4 (reason: $reason)" "$2" ;;
  esac
}

# 2. No --global-timeout: SKIP naming it; exit 0.
"$HITLCHECK" run "${target[@]}" --report-dir "$tmp/none" >"$tmp/none.log" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "none: exit 0" || bad "none: exit $rc" "$tmp/none.log"
skip_reason none "$tmp/none.log" expiry.global.form-get "--global-timeout S"
skip_reason none "$tmp/none.log" expiry.global.stopped "--global-timeout S"

# 3. The main app's node timeout (2 s) ends the form before the global timeout (4 s): SKIP
# naming --global-timeout-key.
"$HITLCHECK" run "${target[@]}" --global-timeout 4 --report-dir "$tmp/short" >"$tmp/short.log" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "short: exit 0" || bad "short: exit $rc" "$tmp/short.log"
skip_reason short "$tmp/short.log" expiry.global.form-get "--global-timeout-key"

# 4. --max-wait shorter than the global timeout: SKIP naming the --max-wait needed.
"$HITLCHECK" run "${target[@]}" --global-timeout 4 --global-timeout-key SECRETGLOBAL9 \
  --max-wait 3 --report-dir "$tmp/wait" >"$tmp/wait.log" 2>&1
skip_reason wait "$tmp/wait.log" expiry.global.stopped "needs --max-wait 5"

# 5. Everything given: every check PASSes on each of its surfaces (the Service API submit
# with the key's app); the key is in no artifact.
"$HITLCHECK" run "${target[@]}" --global-timeout 4 --global-timeout-key SECRETGLOBAL9 \
  --max-wait 20 --report-dir "$tmp/full" --trace "$tmp/full/trace.har" >"$tmp/full.log" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "full: exit 0" || bad "full: exit $rc" "$tmp/full.log"
for want in 'expiry.global.form-get \[web\]' 'expiry.global.form-get \[service\]' \
            'expiry.global.form-submit \[web\]' 'expiry.global.form-submit \[service\]' \
            'expiry.global.upload-token \[web\]' 'expiry.global.upload \[web\]' \
            'expiry.global.stopped \[service\]'; do
  grep -qE "^PASS +$want" "$tmp/full.log" && ok "full: PASS $want" || bad "full: no PASS $want" "$tmp/full.log"
done
grep -qF -- '--global-timeout-key [REDACTED]' "$tmp/full/junit.xml" &&
  ok "full: the options show the key as [REDACTED]" || bad "full: the key is not shown masked" "$tmp/full/junit.xml"
if grep -rl SECRETGLOBAL9 "$tmp/full" "$tmp/full.log" >"$tmp/leak"; then
  bad "full: the global-timeout key leaked" "$tmp/leak"
else
  ok "full: the global-timeout key is in no artifact (trace included)"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
