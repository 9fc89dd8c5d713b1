# deps.sh: sourced by the entry scripts. hitl_need_packages PKG… makes sure the Debian
# packages are installed: as root it installs what is missing (apt-get update first);
# otherwise it prints the exact apt line and returns 1.

# What building hitlcheck needs, and what running every test needs on top of it.
# libclang-rt-dev (Debian's llvm-defaults, as `clang` is) brings the libFuzzer and sanitizer
# runtimes of the default clang, whatever its version (14 in Debian 12): no version pinned.
HITL_BUILD_PACKAGES=(cmake make gcc libc6-dev pkg-config ca-certificates
                     libcurl4-openssl-dev libcjson-dev check libsubunit-dev libmicrohttpd-dev
                     zlib1g-dev clang libclang-rt-dev) # clang's libFuzzer runtime: hitlcheck fuzz
HITL_TEST_PACKAGES=(clang libclang-rt-dev clang-format valgrind dpkg-dev xz-utils patch libxml2-utils libyaml-dev jq
                    curl chromium chromium-driver nginx squid openssl time)

hitl_missing_packages() {
  local p
  for p in "$@"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != "installed" ]; then
      printf '%s\n' "$p"
    fi
  done
}

hitl_need_packages() {
  local missing
  mapfile -t missing < <(hitl_missing_packages "$@")
  [ "${#missing[@]}" -eq 0 ] && return 0
  local line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "hitlcheck: missing Debian packages: ${missing[*]}" >&2
    echo "hitlcheck: install them as root, then run this again:" >&2
    echo "  sudo sh -c '$line'" >&2
    return 1
  fi
  echo "hitlcheck: installing missing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# hitl_configure BUILD_DIR [cmake args…]: configure once, reconfigure when the args change.
hitl_configure() {
  local dir=$1; shift
  local stamp="$dir/.hitl-configure-args"
  local args="$*"
  if [ ! -f "$dir/CMakeCache.txt" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$args" ]; then
    mkdir -p "$dir"
    if ! cmake -S "$HITL_ROOT" -B "$dir" "$@" >"$dir/configure.log" 2>&1; then
      cat "$dir/configure.log" >&2
      return 1
    fi
    printf '%s' "$args" > "$stamp"
  fi
}

hitl_jobs() {
  nproc 2>/dev/null || echo 2
}
