#!/usr/bin/env bash
# cflite_local.sh: ctest's cflite_build. Runs .clusterfuzzlite/build.sh without Docker, with the
# variables an OSS-Fuzz / ClusterFuzzLite address build gives it (the compile flags of
# base-builder's address sanitizer and libFuzzer coverage, $LIB_FUZZING_ENGINE=-fsanitize=fuzzer,
# $SRC $WORK $OUT in the build folder), then checks what it left in $OUT for every target of
# fuzz/CMakeLists.txt: the binary, a seed zip holding exactly corpus/<name>/ and the folders of
# corpus/<name>.seeds, the dictionary, an options file whose max_len fits every seed; and runs each binary briefly on the seeds
# unpacked from its zip, with the options file's max_len and dict, as the service would.
#
# Environment (set by fuzz/CMakeLists.txt): HITL_CC, HITL_CXX (clang, clang++), HITL_CFLITE_DIR
# (scratch folder), HITL_CJSON_SOURCE_DIR (cJSON source, may be empty). Optional:
# HITL_CFLITE_RUNS (executions per target, default 2000). Run from the repository's root.
set -euo pipefail
: "${HITL_CC:?}" "${HITL_CXX:?}" "${HITL_CFLITE_DIR:?}"
root=$PWD
dir=$HITL_CFLITE_DIR
runs=${HITL_CFLITE_RUNS:-2000}
fail() { echo "cflite_local: FAIL: $*" >&2; exit 1; }

rm -rf "$dir/out" "$dir/seeds"
mkdir -p "$dir/src" "$dir/work" "$dir/out" "$dir/seeds"

# base-builder's SANITIZER_FLAGS_address and COVERAGE_FLAGS, with the optimization and debug
# flags its compile script adds.
flags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
flags+=" -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
started=$(date +%s)
env CC="$HITL_CC" CXX="$HITL_CXX" CFLAGS="$flags" CXXFLAGS="$flags" \
    LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
    SRC="$dir/src" WORK="$dir/work" OUT="$dir/out" \
    HITL_CJSON_SOURCE_DIR="${HITL_CJSON_SOURCE_DIR:-}" \
    bash "$root/.clusterfuzzlite/build.sh" >"$dir/build.log" 2>&1 ||
    { tail -40 "$dir/build.log" >&2; fail ".clusterfuzzlite/build.sh failed (log: $dir/build.log)"; }
echo "build.sh: $(($(date +%s) - started)) s"

# Every target, the conditional ones (fuzz_dsl, built only with libyaml: HITL_CFLITE_DSL says
# whether this build has it) included.
targets=$(sed -n 's/^ *hitl_add_fuzz_target(\([a-z0-9_]*\).*/\1/p' "$root/fuzz/CMakeLists.txt")
[ -n "$targets" ] || fail "no hitl_add_fuzz_target in fuzz/CMakeLists.txt"
for t in $targets; do
    name=fuzz_$t
    out=$dir/out
    if [ "$t" = dsl ] && [ "${HITL_CFLITE_DSL:-ON}" != ON ]; then
        echo "$name: not built here (no libyaml), not checked"
        continue
    fi
    [ -x "$out/$name" ] || fail "$name: no binary in \$OUT"
    [ -d "$root/corpus/$t" ] || fail "$name: no seeds in corpus/$t"

    # The zip holds exactly the seeds: same names, same bytes.
    [ -f "$out/${name}_seed_corpus.zip" ] || fail "$name: no ${name}_seed_corpus.zip"
    seeds=$dir/seeds/$t
    mkdir -p "$seeds"
    (cd "$seeds" && cmake -E tar xf "$out/${name}_seed_corpus.zip") ||
        fail "$name: the seed zip does not unpack"
    want=$dir/want/$t
    rm -rf "$want" && mkdir -p "$want" && cp "$root/corpus/$t"/* "$want"/
    if [ -f "$root/corpus/$t.seeds" ]; then
        for d in $(grep -v '^#' "$root/corpus/$t.seeds"); do cp "$root/$d"/* "$want"/; done
    fi
    diff -r "$want" "$seeds" >/dev/null ||
        fail "$name: the seed zip differs from corpus/$t and the folders of corpus/$t.seeds"

    [ -f "$out/$name.dict" ] && cmp -s "$out/$name.dict" "$root/corpus/$t.dict" ||
        fail "$name: $name.dict missing or not corpus/$t.dict"
    [ -f "$out/$name.options" ] || fail "$name: no $name.options"
    max_len=$(sed -n 's/^max_len *= *\([0-9]*\)$/\1/p' "$out/$name.options")
    dict=$(sed -n 's/^dict *= *\(.*\)$/\1/p' "$out/$name.options")
    [ -n "$max_len" ] || fail "$name.options: no max_len"
    [ -z "$dict" ] || [ -f "$out/$dict" ] || fail "$name.options: dict $dict is not in \$OUT"
    largest=$(find "$want" -type f -printf '%s\n' | sort -n | tail -1)
    [ "$largest" -le "$max_len" ] ||
        fail "$name.options: max_len $max_len would truncate a $largest-byte seed"

    # Every shared library outside the C runtime ships in $OUT/lib, which the RUNPATH names:
    # the runner image has none of them.
    needed=$(ldd "$out/$name" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' |
        grep -Ev '/(libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s|ld-linux[^/]*)\.so' || true)
    for lib in $needed; do
        [ -f "$out/lib/$(basename "$lib")" ] || fail "$name: $(basename "$lib") is not in \$OUT/lib"
    done
    if [ -n "$needed" ]; then
        readelf -d "$out/$name" | grep -Eq 'R(UN)?PATH.*\$ORIGIN/lib' ||
            fail "$name: links shared libraries but its RUNPATH does not name \$ORIGIN/lib"
    fi

    # A brief run as the service would start it; new inputs land in the scratch copy.
    started=$(date +%s)
    (cd "$out" && "./$name" -runs="$runs" -max_len="$max_len" ${dict:+-dict="$dict"} \
        -rss_limit_mb=2560 -timeout=25 "$seeds") >"$dir/run_$t.log" 2>&1 ||
        { tail -30 "$dir/run_$t.log" >&2; fail "$name: the fuzzer failed (log: $dir/run_$t.log)"; }
    grep -q "^Done $runs runs in" "$dir/run_$t.log" ||
        fail "$name: it did not run $runs inputs (log: $dir/run_$t.log)"
    echo "$name: seeds, dictionary and options packaged; $runs runs in $(($(date +%s) - started)) s"
done
