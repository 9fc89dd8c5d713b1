# Dependencies, found the idiomatic way for each package Debian ships.
find_package(PkgConfig REQUIRED)
find_package(CURL REQUIRED)                       # CURL::libcurl
find_package(Threads REQUIRED)                    # Threads::Threads
pkg_check_modules(CHECK REQUIRED IMPORTED_TARGET check)          # PkgConfig::CHECK (no FindCheck)
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)    # PkgConfig::MHD

# cJSON: the system package's CMake config gives the target `cjson`, headers as <cjson/cJSON.h>.
# A fuzz build may instead compile cJSON from Debian's source package so that its code is
# coverage-instrumented too (scripts/fetch-cjson-source.sh puts it in the build folder).
if(HITL_FUZZ AND HITL_CJSON_SOURCE_DIR AND EXISTS "${HITL_CJSON_SOURCE_DIR}/cJSON.c")
  message(STATUS "cJSON: compiling ${HITL_CJSON_SOURCE_DIR}/cJSON.c with fuzz instrumentation")
  set(_hitl_cjson_inc "${CMAKE_BINARY_DIR}/cjson-include")
  file(MAKE_DIRECTORY "${_hitl_cjson_inc}/cjson")
  file(COPY "${HITL_CJSON_SOURCE_DIR}/cJSON.h" DESTINATION "${_hitl_cjson_inc}/cjson")
  add_library(cjson STATIC "${HITL_CJSON_SOURCE_DIR}/cJSON.c")
  target_include_directories(cjson SYSTEM PUBLIC "${_hitl_cjson_inc}")
  target_compile_options(cjson PRIVATE -w)
else()
  if(HITL_FUZZ)
    message(WARNING "cJSON: no source tree given (HITL_CJSON_SOURCE_DIR); fuzzing links the "
                    "uninstrumented system library, so cJSON's own branches give no coverage")
  endif()
  find_package(cJSON CONFIG REQUIRED)
  if(NOT TARGET cjson)
    message(FATAL_ERROR "cJSON's CMake config did not define the target `cjson`")
  endif()
endif()
