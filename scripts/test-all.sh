#!/usr/bin/env bash
# test-all.sh: the README's second command, and all that CI runs. Three builds:
#   build-asan  gcc, ASan+UBSan: every unit and integration suite
#   build-fuzz  clang, libFuzzer (+ASan/UBSan): every fuzz target replays its corpus, then a
#               bounded fuzz smoke of each (HITL_FUZZ_SMOKE_SECONDS, default 30); it builds
#               every target, so clang -Werror sees all the code, not gcc alone
#   build       gcc, -Werror, the normal build: every suite, plus valgrind runs of the parsers.
# The fuzz tests run first (they compute: one core each). Then the ASan+UBSan and the normal
# build's tests run in one ctest: most integration tests wait (form TTLs, expiry, rate
# windows), so ctest runs several at once, counting HITL_CTEST_SLOTS_PER_CORE (4) slots to a
# core: a computing test takes 4, a waiting one 1 or 2 (tests/CMakeLists.txt, PROCESSORS).
# The pool is the cores' slots plus one core's for waiting tests. Then the normal build's
# hostile_modes runs alone (it asserts wall-time bounds), and a line sums up the exits.
set -euo pipefail
HITL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$HITL_ROOT/scripts/deps.sh"
hitl_need_packages "${HITL_BUILD_PACKAGES[@]}" "${HITL_TEST_PACKAGES[@]}"
jobs=$(hitl_jobs)
smoke=${HITL_FUZZ_SMOKE_SECONDS:-30}
started=$(date +%s)

stage() { printf '\n== %s (%ss elapsed)\n' "$*" "$(( $(date +%s) - started ))"; }

# The clang-format drift check (scripts/check-format.sh, ctest `format`): the tree is
# formatted, so CI fails on drift (HITL_FORMAT_CHECK=0 skips it for a local run).
format_check=${HITL_FORMAT_CHECK:-1}
if [ "$format_check" = 1 ]; then
  stage "format: every C file as clang-format writes it"
  bash "$HITL_ROOT/scripts/check-format.sh"
  format_cmake=ON
else
  format_cmake=OFF
fi

stage "configure and build: normal (gcc, -Werror)"
hitl_configure "$HITL_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITL_VALGRIND=ON \
  -DHITL_FORMAT_CHECK="$format_cmake"
cmake --build "$HITL_ROOT/build" -j "$jobs"

stage "configure and build: ASan+UBSan (gcc)"
hitl_configure "$HITL_ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DHITL_SANITIZE=ON
cmake --build "$HITL_ROOT/build-asan" -j "$jobs"

stage "configure and build: libFuzzer (clang; every target, so clang's -Werror gates too)"
cjson_src=""
if cjson_src=$("$HITL_ROOT/scripts/fetch-cjson-source.sh" "$HITL_ROOT/build-fuzz/deps" 2>/dev/null); then
  echo "cJSON: instrumented from Debian's source package ($cjson_src)"
else
  echo "WARNING: could not fetch Debian's cJSON source package; fuzzing the system cJSON," \
       "whose code gives the fuzzer no coverage" >&2
  cjson_src=""
fi
hitl_configure "$HITL_ROOT/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITL_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DHITL_FUZZ_SMOKE_SECONDS="$smoke" -DHITL_CJSON_SOURCE_DIR="$cjson_src"
cmake --build "$HITL_ROOT/build-fuzz" -j "$jobs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

stage "tests: fuzz targets (corpus replay, then ${smoke}s of fuzzing each)"
# '^fuzz$': the fuzz targets and the ClusterFuzzLite build; the `hitlcheck fuzz` tests (label
# fuzzcmd) run in the two builds below (the planted-bug hunts in the normal one only), not
# again under the fuzzer's instrumentation.
ctest --test-dir "$HITL_ROOT/build-fuzz" --output-on-failure -j "$jobs" -L '^fuzz$'

slots_per_core=4
slots=$(( jobs * slots_per_core + slots_per_core ))
# One ctest over both build folders (a CTestTestfile.cmake that names them): the two builds'
# tests share one pool of slots, so neither waits on a half of the machine the other has left
# (run as two ctests of half the slots each, the ASan run went on alone for minutes after the
# normal one ended). The normal build's tests come first in the numbering; the ASan build's
# carry the label asan-build. hostile_modes of the normal build (label walltime) measures wall
# time (every mode under 60 s): it runs after, alone on the machine.
both="$HITL_ROOT/build-tests"
mkdir -p "$both"
printf 'subdirs("%s" "%s")\n' "$HITL_ROOT/build" "$HITL_ROOT/build-asan" \
  >"$both/CTestTestfile.cmake"
normal_count=$(ctest --test-dir "$HITL_ROOT/build" -N | sed -n 's/^Total Tests: //p')
stage "tests: the normal build (unit, integration, valgrind; tests 1-$normal_count) and the" \
  "ASan+UBSan build (the tests after, label asan-build) in one ctest -j $slots"
tests_rc=0
ctest --test-dir "$both" --output-on-failure -j "$slots" -LE '^walltime$' || tests_rc=$?
stage "tests: normal build, hostile_modes alone (it measures wall time)"
hostile_rc=0
ctest --test-dir "$HITL_ROOT/build" --output-on-failure -L '^walltime$' || hostile_rc=$?
stage "done: normal and ASan+UBSan tests exit $tests_rc, hostile_modes exit $hostile_rc"
[ "$tests_rc" = 0 ] && [ "$hostile_rc" = 0 ]
