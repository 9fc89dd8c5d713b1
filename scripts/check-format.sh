#!/usr/bin/env bash
# check-format.sh: every C source and header of the repository is as clang-format (the
# repository's .clang-format: LLVM base, 4 spaces, lines of at most 100 columns) writes it.
# Lists the files that drift and exits 1; exit 0 when none does. Fix with
#   clang-format -i $(scripts/check-format.sh --list)
# Options: --list prints only the drifting files' paths. Env: CLANG_FORMAT (default
# clang-format, Debian's version-neutral package).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
fmt=${CLANG_FORMAT:-clang-format}
command -v "$fmt" >/dev/null ||
  { echo "check-format: $fmt is missing: apt-get install -y --no-install-recommends clang-format" >&2; exit 2; }
list_only=0
[ "${1:-}" = --list ] && list_only=1

# The tracked C files; outside a git checkout, every one but the build folders'.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git -C "$root" ls-files -- '*.c' '*.h')
else
  files=$(find . -path './build*' -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print |
    sed 's|^\./||' | sort)
fi
drift=()
for f in $files; do
  "$fmt" --style=file --dry-run --Werror "$f" >/dev/null 2>&1 || drift+=("$f")
done
if [ "$list_only" = 1 ]; then
  [ "${#drift[@]}" -eq 0 ] || printf '%s\n' "${drift[@]}"
  exit 0
fi
if [ "${#drift[@]}" -gt 0 ]; then
  echo "check-format: ${#drift[@]} file(s) differ from clang-format's output (.clang-format):"
  printf '  %s\n' "${drift[@]}"
  echo "check-format: fix with: clang-format -i \$(scripts/check-format.sh --list)"
  exit 1
fi
echo "check-format: $(printf '%s\n' $files | grep -c .) files, all formatted"
