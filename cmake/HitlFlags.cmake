# Compiler flags for every target of the project.
add_compile_options(-Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
                    -Wvla -Wpointer-arith)
if(HITL_WERROR)
  add_compile_options(-Werror)
endif()
# POSIX APIs (clock_gettime, strdup, getaddrinfo…) under -std=c11.
add_compile_definitions(_POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)

# A fuzzing service's build (OSS-Fuzz, ClusterFuzzLite: .clusterfuzzlite/build.sh) brings its own
# flags: the sanitizer and coverage of that build in CMAKE_C_FLAGS ($CFLAGS), the engine to link
# in HITL_FUZZ_ENGINE ($LIB_FUZZING_ENGINE). With it, HITL_FUZZ adds no flags of its own.
set(HITL_FUZZ_ENGINE "" CACHE STRING
    "Link argument of a fuzzing service's engine (OSS-Fuzz's $LIB_FUZZING_ENGINE); empty = libFuzzer with hitlcheck's own sanitizer flags")

if(HITL_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "HITL_FUZZ needs clang (libFuzzer): configure with -DCMAKE_C_COMPILER=clang")
  endif()
  if(NOT HITL_FUZZ_ENGINE)
    # Every object gets coverage instrumentation; only the fuzz executables link libFuzzer's main.
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                        -fno-omit-frame-pointer -g)
    add_link_options(-fsanitize=address,undefined)
  endif()
elseif(HITL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
