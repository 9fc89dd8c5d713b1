#!/usr/bin/env bash
# conformance_clean.sh: the whole catalogue against the clean embedded reference server, in
# both app modes and both upload layouts. Every check must PASS, or SKIP as
# conformance_clean_skips.txt lists (check id, surface, reason; read from report.json with
# jq): zero FAIL, zero WARN, zero ERROR, no other SKIP, exit 0. The main app runs the
# conformance app file a user imports (specs/dify-app/workflow.yml or chatflow.yml) from its
# graph: the resumed stream of resume.after-submit.branch names the file's End/Answer node.
# Env: HITLCHECK (binary); JQ (optional, default: jq on PATH).
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
here=$(cd "$(dirname "$0")" && pwd)
jq=${JQ:-}
[ -x "$jq" ] || jq=$(command -v jq)
if [ -z "$jq" ]; then
  echo "FAIL: jq is needed to read report.json: apt-get install -y --no-install-recommends jq"
  exit 1
fi
pass=0 fail=0
out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT

run_one() {
  local mode=$1 layout=$2 log="$out_dir/$1-$2.log"
  "$HITLCHECK" run --app-mode "$mode" --embedded-layout "$layout" --jobs 4 --no-color \
    --report-dir "$out_dir/$1-$2" >"$log" 2>&1
  echo $? >"$log.rc"
}

for mode in workflow chatflow; do
  for layout in v1 v2; do
    run_one "$mode" "$layout" &
  done
done
wait

# unexpected_skips MODE REPORT: a line for each SKIP no row of the list expects, and for each
# row of MODE that did not SKIP.
unexpected_skips() {
  local mode=$1 report=$2 rows
  rows=$(grep -vE '^(#|$)' "$here/conformance_clean_skips.txt" |
    awk -v m="$mode" '$1 == "*" || $1 == m { id = $2; sf = $3; $1 = $2 = $3 = "";
      sub(/^ +/, ""); print id "\t" sf "\t" $0 }')
  "$jq" -r '.checks[] | select(.verdict == "SKIP") | [.id, .surface, (.reason // "")] | @tsv' \
    "$report" | while IFS=$'\t' read -r id sf reason; do
    local hit
    hit=$(printf '%s\n' "$rows" | while IFS=$'\t' read -r rid rsf rre; do
      [ "$rid" = "$id" ] && [ "$rsf" = "$sf" ] && printf '%s\n' "$reason" | grep -qE -- "$rre" &&
        echo found
    done)
    [ -n "$hit" ] || echo "unexpected SKIP $id [$sf]: $reason"
  done
  printf '%s\n' "$rows" | while IFS=$'\t' read -r rid rsf rre; do
    [ -n "$rid" ] || continue
    "$jq" -e --arg id "$rid" --arg sf "$rsf" \
      'any(.checks[]; .id == $id and .surface == $sf and .verdict == "SKIP")' "$report" \
      >/dev/null || echo "expected SKIP $rid [$rsf] did not SKIP"
  done
}

for mode in workflow chatflow; do
  for layout in v1 v2; do
    log="$out_dir/$mode-$layout.log"
    rc=$(cat "$log.rc")
    bad=$(grep -E '^(FAIL|WARN|ERROR) ' "$log" || true)
    report="$out_dir/$mode-$layout/report.json"
    if [ -s "$report" ]; then
      skips=$(unexpected_skips "$mode" "$report")
      node=end_
      [ "$mode" = chatflow ] && node=answer_
      # (read whole, then searched: grep -q would end the pipe early and, with pipefail, fail it)
      bodies=$("$jq" -r '.checks[] | select(.id == "resume.after-submit.branch")
        | .exchanges[]?.response_body // ""' "$report")
      grep -q "\"node_id\":\"$node" <<<"$bodies" ||
        skips="$skips${skips:+$'\n'}the main app did not run the DSL file: no ${node}… node after the resume"
    else
      skips="no report.json"
    fi
    if [ "$rc" = 0 ] && [ -z "$bad" ] && [ -z "$skips" ] && grep -qE '^[0-9]+ passed, 0 failed, 0 warned' "$log"; then
      pass=$((pass + 1))
      echo "ok   $mode/$layout: $(tail -n 1 "$log")"
    else
      fail=$((fail + 1))
      echo "FAIL $mode/$layout (exit $rc):"
      [ -z "$skips" ] || printf '     %s\n' "$skips"
      sed 's/^/     /' "$log" | tail -n 60
    fi
  done
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
