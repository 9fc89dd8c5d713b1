#!/usr/bin/env bash
# profiles_dify.sh: both sides of the profiles, the whole catalogue against the embedded
# reference server (docs/profiles.md):
#   --embedded-behave dify --profile contract  exit 1; the FAIL/WARN results are exactly the
#       (check, surface) pairs of specs/deviations.json, each naming its deviation
#   --embedded-behave dify --profile dify      exit 0; exactly those results are KNOWN
#   --profile dify (a server that follows the guide)  exit 0; nothing FAILs, nothing is KNOWN
# (--profile contract without --behave dify is conformance_clean.) report.json is compared
# with specs/deviations.json by deviation_report_check.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REPORT_CHECK:?REPORT_CHECK must name the deviation_report_check tool}"
: "${HITL_SOURCE_DIR:?HITL_SOURCE_DIR must name the source tree}"
devs="$HITL_SOURCE_DIR/specs/deviations.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' "$2" | tail -n 40; }

# run NAME ARGS…: one whole-catalogue run in the background, report dir $work/NAME.
run() {
  local name=$1
  shift
  ( "$HITLCHECK" run --jobs 4 --no-color -q --report-dir "$work/$name" "$@" >"$work/$name.log" 2>&1
    echo $? >"$work/$name.rc" ) &
}
run contract --embedded-behave dify
run dify --embedded-behave dify --profile dify
run clean --profile dify
wait

# judge NAME WANT_EXIT MODE
judge() {
  local name=$1 want=$2 mode=$3 rc
  rc=$(cat "$work/$name.rc")
  if [ "$rc" = "$want" ]; then ok "$name: exit $rc"; else bad "$name: exit $rc, want $want" "$work/$name.log"; fi
  if "$REPORT_CHECK" "$mode" "$devs" "$work/$name/report.json" >"$work/$name.check" 2>&1; then
    ok "$name: $(tail -n 1 "$work/$name.check")"
  else
    bad "$name: report.json against specs/deviations.json" "$work/$name.check"
  fi
}
judge contract 1 contract
judge dify 0 dify
judge clean 0 clean

# The console says it too: under contract every FAIL/WARN names the deviation genuine Dify
# shares; under dify every KNOWN shows it, and the summary counts them.
findings=$(grep -cE '^(FAIL|WARN) ' "$work/contract.log")
named=$(grep -c '^      Dify:     Genuine Dify does this too (recorded deviation ' "$work/contract.log")
if [ "$findings" -gt 0 ] && [ "$findings" = "$named" ]; then ok "contract: $named findings name their deviation"
else bad "contract: $findings findings, $named name a deviation" "$work/contract.log"; fi
known=$(grep -cE '^KNOWN ' "$work/dify.log")
shown=$(grep -c '^      Dify:     Known deviation .* Evidence: ' "$work/dify.log")
if [ "$known" -gt 0 ] && [ "$known" = "$shown" ] && grep -qE "^[0-9]+ passed, 0 failed, 0 warned, [0-9]+ skipped, $known known$" "$work/dify.log"
then ok "dify: $known KNOWN, each with its evidence, counted in the summary"
else bad "dify: $known KNOWN, $shown with evidence" "$work/dify.log"; fi
# A KNOWN result's reproducer reruns it the same way: the same server behaviour and profile.
if grep -q '"reproducer":.*hitlcheck run --embedded-behave dify --profile dify ' "$work/dify/report.json"
then ok "dify: the reproducers rerun with --embedded-behave dify --profile dify"
else bad "dify: no reproducer reruns with --embedded-behave dify --profile dify" "$work/dify/report.json"; fi
if grep -qE '^(KNOWN|FAIL|WARN|ERROR) ' "$work/clean.log"; then bad "clean: a finding without --behave dify" "$work/clean.log"
else ok "clean: no finding under --profile dify against a server that follows the guide"; fi

# Usage errors, before any check runs: exit 2 naming the option.
usage() {
  local name=$1 want=$2 rc
  shift 2
  if "$HITLCHECK" run "$@" >"$work/$name.out" 2>&1; then rc=0; else rc=$?; fi
  if [ "$rc" = 2 ] && grep -qF -- "$want" "$work/$name.out"; then ok "usage: $name"
  else bad "usage: $name (exit $rc)" "$work/$name.out"; fi
}
usage bad-profile "--profile 'strict': use contract or dify" --profile strict
usage bad-behave "--embedded-behave 'genuine': use contract or dify" --embedded-behave genuine
usage behave-with-target "--embedded-behave and --embedded-form apply only without --target" \
  --target http://127.0.0.1:9 --api-key k --embedded-behave dify

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
