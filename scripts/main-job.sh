#!/usr/bin/env bash
# main-job.sh: the README's first command. Builds hitlcheck and runs its main job.
# Extra arguments are passed to `hitlcheck run`.
set -euo pipefail
HITL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$HITL_ROOT/scripts/deps.sh"
hitl_need_packages "${HITL_BUILD_PACKAGES[@]}"

build="$HITL_ROOT/build"
hitl_configure "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(hitl_jobs)" >/dev/null
bin="$build/harness/hitlcheck"

# Until the conformance engine exists, the main job inspects the shipped corpus: every
# Dify stream through the SSE parser and every Dify form through the form linter.
echo "== hitlcheck sse-dump over the Dify streams in corpus/sse"
status=0
for f in "$HITL_ROOT"/corpus/sse/dify_*.sse; do
  n=$("$bin" sse-dump "$f" | wc -l) || status=1
  printf '  %-60s %3d events\n' "$(basename "$f")" "$n"
done
echo "== hitlcheck form-lint over the Dify forms in corpus/form"
for f in "$HITL_ROOT"/corpus/form/dify_*.json; do
  if "$bin" form-lint "$f" >/dev/null; then
    printf '  %-60s valid\n' "$(basename "$f")"
  else
    printf '  %-60s INVALID\n' "$(basename "$f")"; status=1
  fi
done
exit $status
