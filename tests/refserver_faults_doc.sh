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
# The catching-check column names every check that tests/fault_matrix.txt proves catches the
# fault (no TBD left once the checks exist).
matrix="$HITL_SOURCE_DIR/tests/fault_matrix.txt"
awk '/^\| name \|/{t=1; next} t && /^\|---/{next} t && /^\|/{print} t && !/^\|/{exit}' "$doc" |
  awk '{l = $0; gsub(/\\\|/, "", l); split(l, c, "|"); gsub(/ /, "", c[2]); print c[2] "\t" c[5]}' \
  > "$tmp/catching"
# A PREFLIGHT row is caught by the preflight: the column says "preflight".
grep -vE '^\s*(#|$)' "$matrix" | awk '$2 != "GAP" {sub(/@.*/, "", $1);
  if ($3 == "PREFLIGHT") print $1 "\tpreflight"; else for (i = 4; i <= NF; i++) print $1 "\t" $i}' |
  sort -u > "$tmp/caught"
while IFS=$'\t' read -r name id; do
  col=$(awk -F'\t' -v n="$name" '$1 == n {print $2}' "$tmp/catching")
  case " $col " in
    *[\ ,]"$id"[\ ,\(]*) ;;
    *) echo "FAULTS.md: fault $name's catching check does not name $id (fault_matrix.txt)"; fail=1 ;;
  esac
done < "$tmp/caught"
if grep -q '| TBD |' "$doc"; then echo "FAULTS.md still has TBD catching checks"; fail=1; fi
# Every fault has exactly one probe row in the fault suites.
while read -r name; do
  rows=$(cat "$HITL_SOURCE_DIR"/tests/test_refserver_faults_*.c | grep -c "^ *{\"$name\"," || true)
  [ "$rows" = 1 ] || { echo "fault $name has $rows test rows (want 1)"; fail=1; }
done < "$tmp/list"
n=$(wc -l < "$tmp/list")
if [ "$fail" = 0 ]; then echo "1 passed, 0 failed ($n faults agree)"; else echo "0 passed, 1 failed"; fi
exit "$fail"
