# libFuzzer's runtime without its main (libclang_rt.fuzzer_no_main-<arch>.a), which drives
# `hitlcheck fuzz` through LLVMFuzzerRunDriver in every build, gcc's included. It comes with
# clang (Debian: libclang-rt-<version>-dev); the installed clang says where it is. The runtime
# is C++: whoever links it links libstdc++ too. Sets HITL_LIBFUZZER_NO_MAIN.
option(HITL_FUZZ_COMMAND "Build `hitlcheck fuzz` (needs clang's libFuzzer runtime)" ON)
set(HITL_LIBFUZZER_NO_MAIN "")
if(HITL_FUZZ_COMMAND)
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    set(_hitl_clang "${CMAKE_C_COMPILER}")
  else()
    find_program(_hitl_clang NAMES clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14)
  endif()
  set(_hitl_arch "${CMAKE_SYSTEM_PROCESSOR}")
  if(_hitl_arch STREQUAL "amd64")
    set(_hitl_arch x86_64)
  endif()
  set(_hitl_rt "")
  if(_hitl_clang)
    execute_process(COMMAND "${_hitl_clang}" --print-file-name=libclang_rt.fuzzer_no_main-${_hitl_arch}.a
                    OUTPUT_VARIABLE _hitl_rt OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
  if(NOT _hitl_rt OR NOT IS_ABSOLUTE "${_hitl_rt}" OR NOT EXISTS "${_hitl_rt}")
    message(FATAL_ERROR
      "hitlcheck fuzz needs libFuzzer's runtime (libclang_rt.fuzzer_no_main-${_hitl_arch}.a), "
      "which comes with clang: install clang and its runtime (Debian: apt-get install clang "
      "libclang-rt-<clang's major version>-dev; scripts/deps.sh lists them), or configure with "
      "-DHITL_FUZZ_COMMAND=OFF to build hitlcheck without the fuzz command.")
  endif()
  set(HITL_LIBFUZZER_NO_MAIN "${_hitl_rt}")
  message(STATUS "libFuzzer runtime for hitlcheck fuzz: ${HITL_LIBFUZZER_NO_MAIN}")
endif()
