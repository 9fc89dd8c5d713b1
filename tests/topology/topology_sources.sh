#!/usr/bin/env bash
# topology_sources.sh: every config of the topology names, in its header comment, the Dify
# file and commit it follows (docker/…@<40 hex>), and README.md records the same path@commit;
# a config of our own says "(not Dify's)". Keeps the configs and the README in step when a
# template is moved to a newer Dify commit. Env: HITL_SOURCE_DIR.
set -uo pipefail
: "${HITL_SOURCE_DIR:?HITL_SOURCE_DIR must name the source tree}"
dir=$HITL_SOURCE_DIR/tests/topology
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

for f in "$dir"/dify.env "$dir"/nginx/*.template "$dir"/squid/*.template; do
  name=${f#"$dir"/}
  header=$(awk '/^#/ { print; next } { exit }' "$f")
  cites=$(grep -oE 'docker/[A-Za-z0-9_./-]+@[0-9a-f]{40}' <<<"$header" | sort -u)
  if [ -z "$cites" ]; then
    case $header in
      *"(not Dify's)"*|*"index file id"*) ok ;;
      *) bad "$name: the header names no docker/…@<commit> it follows" ;;
    esac
    continue
  fi
  while read -r c; do
    grep -qF -- "$c" "$dir/README.md" && ok || bad "$name cites $c, which README.md does not record"
  done <<<"$cites"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
