#!/usr/bin/env bash
# conformance_clean.sh: the whole catalogue against the clean embedded reference server, in
# both app modes and both upload layouts. Every check must PASS or SKIP with a reason:
# zero FAIL, zero WARN, zero ERROR, exit 0.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
pass=0 fail=0
out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT

run_one() {
  local mode=$1 layout=$2 log="$out_dir/$1-$2.log"
  "$HITLCHECK" run --app-mode "$mode" --embedded-layout "$layout" --jobs 4 --no-color >"$log" 2>&1
  echo $? >"$log.rc"
}

for mode in workflow chatflow; do
  for layout in v1 v2; do
    run_one "$mode" "$layout" &
  done
done
wait

for mode in workflow chatflow; do
  for layout in v1 v2; do
    log="$out_dir/$mode-$layout.log"
    rc=$(cat "$log.rc")
    bad=$(grep -E '^(FAIL|WARN|ERROR) ' "$log" || true)
    unjustified=$(grep -A1 -E '^SKIP ' "$log" | grep -E '^\s+Reason:\s*$' || true)
    if [ "$rc" = 0 ] && [ -z "$bad" ] && [ -z "$unjustified" ] && grep -qE '^[0-9]+ passed, 0 failed, 0 warned' "$log"; then
      pass=$((pass + 1))
      echo "ok   $mode/$layout: $(tail -n 1 "$log")"
    else
      fail=$((fail + 1))
      echo "FAIL $mode/$layout (exit $rc):"
      sed 's/^/     /' "$log" | tail -n 60
    fi
  done
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
