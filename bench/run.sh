#!/usr/bin/env bash
# run.sh: the SSE parser benchmark. Builds sse_bench and gen_streams (Release, in
# build-bench), writes the input streams once into bench/out/, times hitl_sse, the
# eventsource-parser npm package and a memchr line scan on those same bytes, counts
# hitl_sse's instructions per byte under callgrind, and prints one Markdown table (also
# written to bench/out/results.md). Run by hand: bash bench/run.sh. Not a test.
#
# Environment (all optional):
#   BENCH_BUILD     build folder (default: <repo>/build-bench)
#   BENCH_RUNS      timed runs per measurement, median reported (default 5, at least 5
#                   for a reportable result)
#   BENCH_PEER_CAP  seconds after which one eventsource-parser run stops feeding and
#                   reports the throughput over the bytes fed so far (default 10)
#   BENCH_CHUNKS    chunk sizes in bytes, 0 = whole buffer in one call (default 4096,1,0)
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench_dir")
build=${BENCH_BUILD:-$root/build-bench}
out=$bench_dir/out
runs=${BENCH_RUNS:-5}
cap=${BENCH_PEER_CAP:-10}
chunks=${BENCH_CHUNKS:-4096,1,0}
manifest=$out/manifest.tsv

cd "$root"
mkdir -p "$out"
: >"$out/commands.txt"

# Runs a command after recording it, so the report lists exactly what produced it.
run() {
    local arg line=""
    for arg in "$@"; do
        [[ $arg =~ ^[A-Za-z0-9_./=,:+@-]+$ ]] || arg=$(printf '%q' "$arg")
        line+="${line:+ }$arg"
    done
    printf '%s\n' "$line" >>"$out/commands.txt"
    "$@"
}
note() { printf '== %s\n' "$*" >&2; }

for tool in cmake node npm; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed" >&2; exit 1; }
done

note "building sse_bench and gen_streams (Release) in $build"
# -g changes no code at -O3; it lets callgrind_annotate name source lines.
run cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g >"$out/cmake.log"
run cmake --build "$build" --target sse_bench gen_streams -j"$(nproc)" >>"$out/cmake.log"
sse_bench=$build/bench/sse_bench

note "writing the input streams into $out"
run "$build/bench/gen_streams" "$out"

if [[ ! -f $bench_dir/node_modules/eventsource-parser/package.json ]]; then
    note "installing eventsource-parser (bench/package-lock.json) into bench/node_modules"
    run npm ci --prefix "$bench_dir" --no-audit --no-fund >"$out/npm.log" 2>&1 ||
        { cat "$out/npm.log" >&2; exit 1; }
fi
peer_version=$(node -p "require('$bench_dir/node_modules/eventsource-parser/package.json').version")

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
note "timing hitl_sse and memchr ($runs runs each, chunks $chunks)"
run "$sse_bench" -m "$manifest" -s full -r "$runs" -w 1 -c "$chunks" -o hitl,memchr \
    >"$out/hitl.tsv"

note "timing eventsource-parser $peer_version ($runs runs each, capped at ${cap}s per run)"
run node --expose-gc --max-old-space-size=8192 "$bench_dir/peer_bench.mjs" \
    --manifest "$manifest" --set full --runs "$runs" --chunks "$chunks" --cap "$cap" \
    >"$out/peer.tsv"

# Instructions per byte of the timed section only (--toggle-collect=hitl_parse), on the
# 4 MiB streams: callgrind runs the parser ~50x slower than native.
: >"$out/callgrind.tsv"
if command -v valgrind >/dev/null; then
    note "counting instructions under callgrind (4 MiB streams)"
    IFS=, read -r -a chunk_list <<<"$chunks"
    for shape in dify tiny long; do
        bytes=$(awk -F'\t' -v s="$shape" '$1 == "small" && $2 == s { print $4 }' "$manifest")
        for c in "${chunk_list[@]}"; do
            cg=$out/callgrind.$shape.$c.out
            run valgrind --tool=callgrind --callgrind-out-file="$cg" --toggle-collect=hitl_parse \
                "$sse_bench" -m "$manifest" -s small -S "$shape" -r 1 -w 0 -c "$c" -o hitl \
                >/dev/null 2>"$out/callgrind.$shape.$c.log"
            callgrind_annotate "$cg" >"$out/callgrind.$shape.$c.txt" 2>/dev/null || true
            ir=$(awk '/^summary:/ { print $2 }' "$cg")
            printf '%s\t%s\t%s\t%s\n' "$shape" "$c" "$ir" "$bytes" >>"$out/callgrind.tsv"
        done
    done
else
    note "valgrind not found: no instruction counts"
fi

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
sse_sha=$(sha256sum "$root/harness/src/parsers/sse.c" | cut -c1-12)
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")

{
    echo "# SSE parser benchmark"
    echo
    echo "Machine: $(nproc) CPUs, ${cpu:-unknown CPU} ($(uname -sr)); $(date -u '+%Y-%m-%d %H:%M UTC');"
    echo "load average (1/5/15 min) before timing: $load_before (other work on the machine skews timings)."
    echo "hitl_sse: harness/src/parsers/sse.c sha256 $sse_sha, $("${cc:-cc}" --version | head -1), Release."
    echo "Peer: eventsource-parser $peer_version on Node $(node --version), fed through TextDecoder."
    echo "MB/s = 10^6 bytes/s; each cell: median (min–max) of $runs timed runs after 1 warm-up."
    echo
    awk -F'\t' -v cap="$cap" -v cgfile="$out/callgrind.tsv" '
        FILENAME == cgfile { cg[$1 "," $2] = ($3 != "" && $4 > 0) ? sprintf("%.2f", $3 / $4) : "n/a"; next }
        { key = $2 "," $3; cell[$1, key] = sprintf("%s (%s–%s)", fmt($5), fmt($6), fmt($7))
          med[$1, key] = $5; capped[$1, key] = $10; fed[$1, key] = $8; total[$1, key] = $9
          if (!(key in seen)) { seen[key] = 1; order[n++] = key } }
        function fmt(x) { return x >= 100 ? sprintf("%.0f", x) : sprintf("%.1f", x) }
        function shape_name(s) {
            if (s == "dify") return "(a) Dify 1 KiB frames, 32 MiB"
            if (s == "tiny") return "(b) `data: hi`, 32 MiB"
            if (s == "long") return "(c) one 64 MiB line"
            return s
        }
        function chunk_name(c) { return c == 0 ? "whole" : c == 4096 ? "4 KiB" : c " B" }
        END {
            print "| shape | chunking | hitl_sse MB/s (median) | eventsource-parser MB/s | ratio | memchr MB/s | hitl/memchr | callgrind Ir/byte |"
            print "|---|---|---|---|---|---|---|---|"
            for (i = 0; i < n; i++) {
                key = order[i]; split(key, k, ",")
                h = med["hitl_sse", key]; p = med["eventsource-parser", key]; m = med["memchr", key]
                mark = capped["eventsource-parser", key] ? " †" : ""
                if (capped["eventsource-parser", key])
                    notes[nn++] = sprintf("† %s, %s: each peer run stopped after %s s, having fed %.1f of %.1f MB; its MB/s is over the bytes fed.",
                        shape_name(k[1]), chunk_name(k[2]), cap, fed["eventsource-parser", key] / 1e6, total["eventsource-parser", key] / 1e6)
                printf "| %s | %s | %s | %s%s | %s | %s | %s | %s |\n", shape_name(k[1]), chunk_name(k[2]),
                    cell["hitl_sse", key], cell["eventsource-parser", key], mark,
                    (p > 0 ? sprintf("%.1fx", h / p) : "n/a"), cell["memchr", key],
                    (m > 0 ? sprintf("%.2f", h / m) : "n/a"), ((key in cg) ? cg[key] : "—")
                if (p > 0) verdict[vn++] = sprintf("%s, %s: hitl_sse/peer %.1fx (aim ≥ 10x): %s",
                    shape_name(k[1]), chunk_name(k[2]), h / p, h / p >= 10 ? "met" : "MISSED")
                if (k[1] == "dify" && k[2] == 4096 && m > 0)
                    verdict[vn++] = sprintf("%s, %s: memchr/hitl_sse %.2fx (aim ≤ 3x): %s",
                        shape_name(k[1]), chunk_name(k[2]), m / h, m / h <= 3 ? "met" : "MISSED")
            }
            print ""
            for (i = 0; i < nn; i++) print notes[i] "\n"
            print "Aims (from the issue):"
            print ""
            for (i = 0; i < vn; i++) print "- " verdict[i]
        }' "$out/callgrind.tsv" "$out/hitl.tsv" "$out/peer.tsv"
    echo
    echo "callgrind Ir/byte: instructions in the timed section (feed loop + finish + the counting"
    echo "callback) on the 4 MiB variant of each stream, over its bytes. Top functions:"
    echo "bench/out/callgrind.<shape>.<chunk>.txt (callgrind_annotate)."
    echo
    echo "Commands (from $root):"
    echo
    echo '```'
    sed -e "s#$root/##g" -e "s#$root #. #g" -e "s#$root\$#.#" "$out/commands.txt"
    echo '```'
} >"$out/results.md"

cat "$out/results.md"
