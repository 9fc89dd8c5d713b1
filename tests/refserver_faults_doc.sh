#!/usr/bin/env bash
# refserver_faults_doc.sh: `hitl-refserver --list-faults`, `--help` and refserver/FAULTS.md
# name the same faults, in the same order. Env: REFSERVER (binary), HITL_SOURCE_DIR.
set -euo pipefail
: "${REFSERVER:?path to hitl-refserver}" "${HITL_SOURCE_DIR:?source dir}"
doc="$HITL_SOURCE_DIR/refserver/FAULTS.md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$REFSERVER" --list-faults | cut -f1 > "$tmp/list"
# The first table of FAULTS.md: rows "| name | …", header and separator skipped.
awk '/^\| name \|/{t=1; next} t && /^\|---/{next} t && /^\|/{print} t && !/^\|/{exit}' "$doc" |
  awk -F'|' '{gsub(/ /, "", $2); print $2}' > "$tmp/doc"
"$REFSERVER" --help | awk '/^Faults \(/{t=1; next} t && NF {print $1}' > "$tmp/help"

fail=0
[ -s "$tmp/list" ] || { echo "--list-faults printed nothing"; fail=1; }
if ! diff -u "$tmp/list" "$tmp/doc"; then echo "FAULTS.md and --list-faults differ"; fail=1; fi
if ! diff -u "$tmp/list" "$tmp/help"; then echo "--help and --list-faults differ"; fail=1; fi
# Every --list-faults line is name<TAB>summary with a non-empty summary.
if "$REFSERVER" --list-faults | awk -F'\t' 'NF != 2 || $2 == "" {bad=1} END {exit !bad}'; then
  echo "a --list-faults line is not name<TAB>summary"; fail=1
fi
# FAULTS.md rows keep the catching-check column (TBD until the checks exist).
if awk '/^\| name \|/{t=1; next} t && /^\|---/{next} t && /^\|/{l=$0; gsub(/\\\|/, "", l); n=split(l, c, "|"); if (n != 6) bad=1} t && !/^\|/{exit} END {exit !bad}' "$doc"; then
  echo "a FAULTS.md row does not have 4 columns"; fail=1
fi
# Every fault has exactly one probe row in the fault suites.
while read -r name; do
  rows=$(cat "$HITL_SOURCE_DIR"/tests/test_refserver_faults_*.c | grep -c "^ *{\"$name\"," || true)
  [ "$rows" = 1 ] || { echo "fault $name has $rows test rows (want 1)"; fail=1; }
done < "$tmp/list"
n=$(wc -l < "$tmp/list")
if [ "$fail" = 0 ]; then echo "1 passed, 0 failed ($n faults agree)"; else echo "0 passed, 1 failed"; fi
exit "$fail"
