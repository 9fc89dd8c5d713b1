#!/usr/bin/env bash
# product_self_contained.sh: nothing hitlcheck ships (code, docs, README, --help texts,
# specs, the reference server, benchmarks) refers to the research notes outside the
# repository: no "../shared", no "/work/shared", no "dify-hitl-api.md". The contract users
# get is specs/contract.md. Only tests/ may read data kept outside the repository.
# Env: HITL_SOURCE_DIR (the source tree).
set -euo pipefail
: "${HITL_SOURCE_DIR:?source dir}"
pattern='\.\./shared|/work/shared|dify-hitl-api\.md'

# Prints "path:line:text" for every mention under the tree |root|, tests/ excepted. In a git
# checkout only tracked and new files count (build trees and reports stay out); otherwise
# every file but build*/ and reports/.
mentions() {
  local root=$1
  if git -C "$root" rev-parse --show-toplevel >/dev/null 2>&1 &&
     [ "$(git -C "$root" rev-parse --show-toplevel)" = "$(cd "$root" && pwd -P)" ]; then
    git -C "$root" ls-files -z --cached --others --exclude-standard -- . ':!tests' |
      (cd "$root" && xargs -0 -r grep -HInE "$pattern" -- 2>/dev/null) || true
  else
    (cd "$root" && grep -rHInE "$pattern" --exclude-dir=tests --exclude-dir='build*' \
       --exclude-dir=reports --exclude-dir=.git . 2>/dev/null) || true
  fi
}

fail=0
# The scan finds a planted mention and ignores one under tests/ (a scan that finds nothing
# would pass any tree).
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
mkdir -p "$probe/docs" "$probe/tests"
echo 'see ../shared/dify-hitl-api.md' > "$probe/docs/planted.md"
echo 'HITL_SHARED_DIR=../shared' > "$probe/tests/allowed.sh"
self_test() {
  local found
  found=$(mentions "$probe")
  case "$found" in
    *docs/planted.md*) ;;
    *) echo "self-test ($1): the scan missed a planted mention"; fail=1 ;;
  esac
  case "$found" in
    *tests/allowed.sh*) echo "self-test ($1): the scan did not leave tests/ out"; fail=1 ;;
  esac
}
self_test "plain tree"
if command -v git >/dev/null && git -C "$probe" init -q 2>/dev/null; then self_test "git checkout"; fi

found=$(mentions "$HITL_SOURCE_DIR")
if [ -n "$found" ]; then
  echo "the product refers to notes outside the repository (cite specs/contract.md instead):"
  echo "$found"
  fail=1
fi
if [ "$fail" = 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit "$fail"
