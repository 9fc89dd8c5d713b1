#!/usr/bin/env bash
# target_options_cli.sh: the options that tell the checks about a deployment's setup, against
# a --target as a user points them at one: --two-node-api-key (an app whose workflow has two
# Human Input nodes in sequence, §9.1.11), --parallel-api-key and --ifelse-api-key (the variant
# apps of specs/dify-app/, §12.10, §12.11, run by the server with --app-dsl) and --blocked-extension (an entry of the upload
# blacklist, §6.2.7, §6.3.8, §6.4.3). Without them the checks SKIP naming the option; with
# them they PASS against a standalone hitl-refserver so configured (the remote check fetches
# the fixture's evil.<ext>); bad values are usage errors (exit 2, one line naming the
# option); the two-node key is a secret: in no artifact, [REDACTED] in the options.
# Env: HITLCHECK, REFSERVER. Traffic: 127.0.0.1 only.
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

# 1. Bad values: exit 2, one line naming the option, no check run.
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
usage path "--blocked-extension '../x'" --blocked-extension ../x
usage empty "--blocked-extension '.'" --blocked-extension .
usage long "--blocked-extension 'abcdefghijklmnop'" --blocked-extension abcdefghijklmnop
"$HITLCHECK" run --help >"$tmp/help" 2>&1
for opt in --two-node-api-key --blocked-extension --parallel-api-key --ifelse-api-key; do
  grep -qE -- "^  $opt " "$tmp/help" && ok "--help lists $opt" || bad "--help does not list $opt" "$tmp/help"
done

# A standalone server: the main app pauses once; SECRETTWONODE7's workflow pauses twice; the
# upload blacklist holds bat; it may fetch from the harness's fixture port (a port someone
# else holds makes hitlcheck exit 2 naming --fixture-listen, and the next one is tried).
start_server() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -f "$tmp/port" "$tmp/rs.out"
  fport=$((20000 + (RANDOM % 30000)))
  "$REFSERVER" --port 0 --port-file "$tmp/port" --blacklist bat --fetch-allow "127.0.0.1:$fport" \
    --app workflow:app-hitl-workflow --app workflow:SECRETTWONODE7:two-node \
    --app-dsl SECRETPARALLEL7=builtin:workflow-parallel --app-dsl SECRETIFELSE7=builtin:chatflow-ifelse \
    >"$tmp/rs.out" 2>&1 &
  pid=$!
  for _ in $(seq 400); do grep -q listening "$tmp/rs.out" 2>/dev/null && break; sleep 0.05; done
  port=$(cat "$tmp/port" 2>/dev/null) || { echo "FAIL refserver did not start"; exit 1; }
}
# run NAME ARGS…: the selected checks against the server, into $tmp/NAME.log; sets rc.
run() {
  local name=$1
  shift
  for _ in 1 2 3 4 5; do
    start_server
    "$HITLCHECK" run --target "http://127.0.0.1:$port" --api-key app-hitl-workflow --jobs 4 \
      --no-color --fixture-listen "127.0.0.1:$fport" \
      --only resume.continue-on-pause,upload.local.blocked-extension,remote.upload.blocked-extension,regress.parallel,regress.chatflow \
      --report-dir "$tmp/$name" "$@" >"$tmp/$name.log" 2>&1
    rc=$?
    [ "$rc" = 2 ] && grep -q -- "--fixture-listen" "$tmp/$name.log" && continue
    return
  done
}

reason_of() { grep -A1 -E "^SKIP +$2 " "$1" | grep -E '^\s+Reason:' | head -n 1; }

# 2. Neither option: the checks SKIP naming the option they need; exit 0.
run none
[ "$rc" = 0 ] && ok "none: exit 0" || bad "none: exit $rc" "$tmp/none.log"
for pair in "resume.continue-on-pause.two-pauses|--two-node-api-key KEY" \
            "upload.local.blocked-extension|--blocked-extension EXT" \
            "remote.upload.blocked-extension|--blocked-extension EXT" \
            "regress.parallel.both-complete|specs/dify-app/workflow-parallel.yml" \
            "regress.parallel.both-complete|--parallel-api-key KEY" \
            "regress.chatflow.answer-after-resume|specs/dify-app/chatflow-ifelse.yml" \
            "regress.chatflow.answer-after-resume|--ifelse-api-key KEY"; do
  id=${pair%%|*} want=${pair#*|}
  case "$(reason_of "$tmp/none.log" "$id")" in
    *"$want"*) ok "none: $id SKIP naming $want" ;;
    *) bad "none: $id not SKIP naming $want" "$tmp/none.log" ;;
  esac
done

# 3. Both options: every check PASSes; the key is in no artifact.
run full --two-node-api-key SECRETTWONODE7 --blocked-extension .BAT --trace "$tmp/full.har" \
  --parallel-api-key SECRETPARALLEL7 --ifelse-api-key SECRETIFELSE7
[ "$rc" = 0 ] && ok "full: exit 0" || bad "full: exit $rc" "$tmp/full.log"
for want in 'resume.continue-on-pause.two-pauses \[service\]' \
            'upload.local.blocked-extension \[web\]' 'upload.local.blocked-extension \[service\]' \
            'remote.upload.blocked-extension \[web\]' 'regress.parallel.both-complete \[service\]' \
            'regress.chatflow.answer-after-resume \[service\]'; do
  grep -qE "^PASS +$want" "$tmp/full.log" && ok "full: PASS $want" || bad "full: no PASS $want" "$tmp/full.log"
done
grep -qF -- '--two-node-api-key [REDACTED]' "$tmp/full/junit.xml" &&
  ok "full: the options show the key as [REDACTED]" || bad "full: the key is not shown masked" "$tmp/full/junit.xml"
for opt in --parallel-api-key --ifelse-api-key; do
  grep -qF -- "$opt [REDACTED]" "$tmp/full/junit.xml" &&
    ok "full: $opt shows as [REDACTED]" || bad "full: $opt not shown masked" "$tmp/full/junit.xml"
done
if grep -rlE 'SECRETTWONODE7|SECRETPARALLEL7|SECRETIFELSE7' "$tmp/full" "$tmp/full.log" "$tmp/full.har" >"$tmp/leak"; then
  bad "full: a variant app's key leaked" "$tmp/leak"
else
  ok "full: the two-node, parallel and if-else keys are in no artifact (trace included)"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
