#!/usr/bin/env bash
# ci_snippets.sh: the CI jobs shown in README.md are the files in tests/data/ci/
# (byte for byte, so the docs cannot drift from what is tested), and each parses as YAML
# with the keys its CI system needs (yaml_parse_check, libyaml).
set -uo pipefail
: "${YAML_CHECK:?YAML_CHECK must name the yaml_parse_check tool}"
: "${HITL_SOURCE_DIR:?HITL_SOURCE_DIR must name the source tree}"
doc=$HITL_SOURCE_DIR/README.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# Each ```yaml block of the doc whose first line is "# file: tests/data/ci/NAME.yml"
# (that marker line is not part of the file) goes to $work/NAME.yml.
awk -v out="$work" '
  /^```yaml$/ { inblock = 1; first = 1; next }
  /^```$/ && inblock { inblock = 0; if (file) close(file); file = ""; next }
  inblock && first { first = 0; if (match($0, /^# file: tests\/data\/ci\/[a-z-]+\.yml$/)) {
                       n = split($0, parts, "/"); file = out "/" parts[n] } ; next }
  inblock && file { print > file }
' "$doc"

for name in github-actions gitlab-ci; do
  if [ ! -f "$work/$name.yml" ]; then
    bad "$name: no block marked '# file: tests/data/ci/$name.yml' in README.md"
  elif cmp -s "$work/$name.yml" "$HITL_SOURCE_DIR/tests/data/ci/$name.yml"; then
    ok "$name: README.md shows tests/data/ci/$name.yml as it is"
  else
    bad "$name: README.md differs from tests/data/ci/$name.yml"
    diff "$work/$name.yml" "$HITL_SOURCE_DIR/tests/data/ci/$name.yml" | head -n 20
  fi
done

check() { # check NAME PATH…
  local name=$1
  shift
  if "$YAML_CHECK" "$HITL_SOURCE_DIR/tests/data/ci/$name.yml" "$@" 2>"$work/$name.err"; then
    ok "$name: parses, with $*"
  else
    bad "$name: $(cat "$work/$name.err")"
  fi
}
check github-actions on jobs.hitlcheck.runs-on jobs.hitlcheck.steps jobs.hitlcheck.permissions.checks
check gitlab-ci hitlcheck.script hitlcheck.artifacts.reports.junit hitlcheck.artifacts.paths

# The checker must be able to fail.
printf 'a: [1, 2\n' >"$work/broken.yml"
if "$YAML_CHECK" "$work/broken.yml" 2>/dev/null; then bad "a broken YAML file parses"; else ok "broken YAML is refused"; fi
if "$YAML_CHECK" "$HITL_SOURCE_DIR/tests/data/ci/gitlab-ci.yml" hitlcheck.no-such-key 2>/dev/null; then
  bad "a missing key is not noticed"
else
  ok "a missing key is refused"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
