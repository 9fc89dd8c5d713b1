#!/usr/bin/env bash
# main-job.sh: the README's first command. Builds hitlcheck and runs its main job.
# Extra arguments are passed to `hitlcheck run`.
set -euo pipefail
HITL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$HITL_ROOT/scripts/deps.sh"
hitl_need_packages "${HITL_BUILD_PACKAGES[@]}"

build="$HITL_ROOT/build"
hitl_configure "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "hitlcheck: building (log: $build/main-job-build.log)…" >&2
if ! cmake --build "$build" -j "$(hitl_jobs)" --target hitlcheck >"$build/main-job-build.log" 2>&1; then
  tail -n 40 "$build/main-job-build.log" >&2
  echo "hitlcheck: the build failed; the whole log is $build/main-job-build.log" >&2
  exit 2
fi
bin="$build/harness/hitlcheck"

# The main job: the conformance run. With no --target (and no HITLCHECK_TARGET) it checks the
# reference server it starts in-process, so a newcomer sees the whole catalogue run.
exec "$bin" run "$@"
