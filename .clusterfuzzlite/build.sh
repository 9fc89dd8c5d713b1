#!/bin/bash -eu
# build.sh: hitlcheck's libFuzzer targets for ClusterFuzzLite and OSS-Fuzz, built the way their
# contract asks (https://google.github.io/clusterfuzzlite/build-integration/ and OSS-Fuzz's
# base-builder README): the service sets $CC $CXX $CFLAGS $CXXFLAGS (its sanitizer and
# coverage flags), $LIB_FUZZING_ENGINE (the engine to link), $SRC (sources), $WORK (scratch)
# and $OUT (results), and runs this script from the project's folder (the Dockerfile's
# WORKDIR). For every fuzz_<name> target fuzz/CMakeLists.txt defines, it leaves in $OUT:
#   fuzz_<name>                 the target, linked with $CXX and $LIB_FUZZING_ENGINE
#   fuzz_<name>_seed_corpus.zip the seeds of corpus/<name>/ and corpus/<name>.seeds' folders
#   fuzz_<name>.dict            corpus/<name>.dict
#   fuzz_<name>.options         fuzz/fuzz_<name>.options (max_len, dict)
# A new target is packaged without touching this script; one that links libraries outside the
# tree (libcurl, libmicrohttpd: the in-process server target) must link them statically or
# ship them in $OUT, since the fuzzers run in another image than the one they are built in.
#
# cJSON is compiled from source with the service's flags when $HITL_CJSON_SOURCE_DIR (default
# $SRC/cjson, cloned by the Dockerfile) holds cJSON.c, so its branches are instrumented too.
# ctest runs this script without Docker (test cflite_build, fuzz/cflite_local.sh).
root=$PWD
[ -f "$root/CMakeLists.txt" ] && [ -d "$root/fuzz" ] && [ -d "$root/corpus" ] || {
    echo "build.sh: run it from hitlcheck's folder (the Dockerfile's WORKDIR), not $root" >&2
    exit 1
}
cjson_src=${HITL_CJSON_SOURCE_DIR:-$SRC/cjson}
if [ ! -f "$cjson_src/cJSON.c" ]; then
    echo "build.sh: WARNING: no cJSON source in $cjson_src; linking the system cJSON," \
         "whose branches give the fuzzer no coverage" >&2
    cjson_src=""
fi
build=$WORK/hitlcheck-build

# CMAKE_BUILD_TYPE names a type with no flags of its own: $CFLAGS alone set optimization and
# debug info. HITL_FUZZ_ENGINE keeps hitlcheck's own sanitizer flags out (cmake/HitlFlags.cmake);
# warnings stay on but are not errors, so a newer clang in the service's image cannot break
# the fuzzing (the project's own CI keeps -Werror).
cmake -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=FuzzingService \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
    -DHITL_FUZZ=ON -DHITL_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" -DHITL_WERROR=OFF \
    -DHITL_FUZZ_COMMAND=OFF \
    -DHITL_CJSON_SOURCE_DIR="$cjson_src"
cmake --build "$build" --target hitl_fuzz_targets -j"$(nproc)"

mkdir -p "$OUT"
found=0
for bin in "$build"/fuzz/fuzz_*; do
    [ -f "$bin" ] && [ -x "$bin" ] || continue
    name=$(basename "$bin")
    short=${name#fuzz_}
    cp "$bin" "$OUT/$name"
    if [ -d "$root/corpus/$short" ]; then
        rm -f "$OUT/${name}_seed_corpus.zip"
        # The seeds: corpus/<name>/ and the test-data folders corpus/<name>.seeds names.
        stage="$build/seeds/$short"
        rm -rf "$stage" && mkdir -p "$stage"
        cp "$root/corpus/$short"/* "$stage"/
        if [ -f "$root/corpus/$short.seeds" ]; then
            grep -v '^#' "$root/corpus/$short.seeds" | while read -r dir; do
                [ -n "$dir" ] && cp "$root/$dir"/* "$stage"/
            done
        fi
        # cmake -E tar writes the zip: cmake is here whatever the image, zip may not be.
        (cd "$stage" && cmake -E tar cf "$OUT/${name}_seed_corpus.zip" --format=zip -- *)
    fi
    if [ -f "$root/corpus/$short.dict" ]; then
        cp "$root/corpus/$short.dict" "$OUT/$name.dict"
    fi
    if [ -f "$root/fuzz/$name.options" ]; then
        cp "$root/fuzz/$name.options" "$OUT/$name.options"
    fi
    # fuzz_server and fuzz_dsl link the reference server, hence libcurl, libmicrohttpd, cJSON
    # (and libyaml) as shared libraries (their static archives pull TLS and more): they ship in
    # $OUT/lib, found through the target's RUNPATH $ORIGIN/lib (fuzz/CMakeLists.txt), since the
    # runner image does not have them. A parser target links none of them (but the system cJSON
    # when no cJSON source was found).
    libs=$(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' |
        grep -Ev '/(libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s|ld-linux[^/]*)\.so' || true)
    if [ -n "$libs" ]; then
        mkdir -p "$OUT/lib"
        printf '%s\n' "$libs" | while read -r lib; do cp -L "$lib" "$OUT/lib/"; done
    fi
    found=$((found + 1))
done
[ "$found" -gt 0 ] || { echo "build.sh: no fuzz_* target was built in $build/fuzz" >&2; exit 1; }
echo "build.sh: $found targets in $OUT"
