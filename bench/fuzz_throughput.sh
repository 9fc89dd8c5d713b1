#!/usr/bin/env bash
# fuzz_throughput.sh: executions per second of each libFuzzer parser target, fuzzing from its
# seed corpus and dictionary, as scripts/test-all.sh builds them (clang, libFuzzer, ASan +
# UBSan, RelWithDebInfo, instrumented cJSON when its source is at hand). Run by hand:
#     bash bench/fuzz_throughput.sh [TARGET…]      (default: sse event form submit)
# Not a test: timings on a shared machine are noise, not pass/fail.
#
# Each target runs FUZZ_BENCH_RUNS times (default 3) for FUZZ_BENCH_SECONDS (default 20)
# with seeds 1, 2, 3…; new inputs go to a scratch folder, never into corpus/. Per run it reads
# libFuzzer's final stats (stat::number_of_executed_units) and the process's CPU time, and
# prints the median of
#   exec/s      executions over wall-clock seconds (what libFuzzer prints; drops when other
#               processes share the cores: read the load average next to it)
#   exec/cpu-s  executions over the fuzzer's own user+system CPU seconds: the rate on one
#               core of its own, which is what the ≥ 10,000 exec/s aim is about
#
# Environment (all optional):
#   FUZZ_BENCH_BUILD    build folder (default: <repo>/build-fuzz-bench; configured here)
#   FUZZ_BENCH_SECONDS  seconds per run (default 20)
#   FUZZ_BENCH_RUNS     runs per target, median reported (default 3)
#   FUZZ_BENCH_SKIP_BUILD=1  use the binaries already in FUZZ_BENCH_BUILD/fuzz
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench_dir")
build=${FUZZ_BENCH_BUILD:-$root/build-fuzz-bench}
seconds=${FUZZ_BENCH_SECONDS:-20}
runs=${FUZZ_BENCH_RUNS:-3}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sse event form submit)
note() { printf '== %s\n' "$*" >&2; }

if [ "${FUZZ_BENCH_SKIP_BUILD:-0}" != 1 ]; then
    # Instrumented cJSON, as test-all.sh builds it: reuse a source tree already fetched.
    cjson_src=""
    for d in "$build/deps/cjson-src" "$root/build-fuzz/deps/cjson-src"; do
        [ -f "$d/cJSON.c" ] && { cjson_src=$d; break; }
    done
    if [ -z "$cjson_src" ]; then
        cjson_src=$("$root/scripts/fetch-cjson-source.sh" "$build/deps" 2>/dev/null) || cjson_src=""
    fi
    [ -n "$cjson_src" ] || note "no cJSON source: the targets link the uninstrumented system cJSON"
    note "building the fuzz targets in $build"
    mkdir -p "$build"
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITL_FUZZ=ON \
        -DCMAKE_C_COMPILER=clang -DHITL_CJSON_SOURCE_DIR="$cjson_src" >"$build/bench-build.log" 2>&1 ||
        { cat "$build/bench-build.log" >&2; exit 1; }
    cmake --build "$build" --target hitl_fuzz_targets -j"$(nproc)" >>"$build/bench-build.log" 2>&1 ||
        { tail -40 "$build/bench-build.log" >&2; exit 1; }
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
printf '| target | exec/s (median of %s × %ss) | exec/cpu-s (median) | runs: executions / wall s / cpu s |\n' \
    "$runs" "$seconds"
printf '|---|---|---|---|\n'
for t in "${targets[@]}"; do
    bin=$build/fuzz/fuzz_$t
    [ -x "$bin" ] || { echo "fuzz_throughput.sh: $bin is missing" >&2; exit 1; }
    dict=()
    [ -f "$root/corpus/$t.dict" ] && dict=(-dict="$root/corpus/$t.dict")
    seeds=("$root/corpus/$t") # and the test-data folders corpus/<name>.seeds names
    if [ -f "$root/corpus/$t.seeds" ]; then
        for d in $(grep -v '^#' "$root/corpus/$t.seeds"); do seeds+=("$root/$d"); done
    fi
    walls=() cpus=() detail=""
    for r in $(seq 1 "$runs"); do
        work=$scratch/$t.$r
        mkdir -p "$work"
        # %e wall, %U user, %S system seconds of the fuzzer process.
        /usr/bin/time -f '%e %U %S' -o "$scratch/time" "$bin" -seed="$r" \
            -max_total_time="$seconds" -print_final_stats=1 "${dict[@]}" "$work" \
            "${seeds[@]}" >"$scratch/log" 2>&1 ||
            { tail -30 "$scratch/log" >&2; echo "fuzz_throughput.sh: fuzz_$t failed" >&2; exit 1; }
        units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log")
        read -r wall user sys <"$scratch/time"
        walls+=("$(awk -v u="$units" -v w="$wall" 'BEGIN { printf "%.0f", u / w }')")
        cpus+=("$(awk -v u="$units" -v a="$user" -v b="$sys" 'BEGIN { printf "%.0f", u / (a + b) }')")
        detail+="${detail:+; }$units / $wall / $(awk -v a="$user" -v b="$sys" 'BEGIN { print a + b }')"
    done
    printf '| %s | %s | %s | %s |\n' "fuzz_$t" "$(printf '%s\n' "${walls[@]}" | median)" \
        "$(printf '%s\n' "${cpus[@]}" | median)" "$detail"
done
echo
echo "Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo);" \
    "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Build: $build ($(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)," \
    "$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null), HITL_FUZZ=ON);" \
    "git $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo '+changes')."
