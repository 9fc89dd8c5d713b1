#!/usr/bin/env bash
# fetch-cjson-source.sh DEST: unpack Debian's cJSON source package into DEST/cjson-src, using
# the package tools with a private source list (deb-src of the machine's own Debian mirrors),
# so the fuzz build can compile cJSON with coverage instrumentation. Nothing is committed and
# the system's apt configuration is not touched. Prints the source folder on success; exits
# non-zero (the build then falls back to the system library with a warning) otherwise.
set -euo pipefail
dest=${1:?usage: fetch-cjson-source.sh DEST}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
if [ -f "$dest/cjson-src/cJSON.c" ]; then
  echo "$dest/cjson-src"
  exit 0
fi
apt_dir="$dest/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d"
# Turn every `Types: deb` stanza of the system's deb822 sources into `Types: deb-src`.
found=0
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  sed 's/^Types:.*/Types: deb-src/' "$f" > "$apt_dir/sources.list.d/$(basename "$f")"
  found=1
done
if [ -f /etc/apt/sources.list ]; then
  grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' > "$apt_dir/sources.list" || true
  [ -s "$apt_dir/sources.list" ] && found=1
fi
touch "$apt_dir/sources.list"
[ "$found" = 1 ] || { echo "fetch-cjson-source: no apt sources found" >&2; exit 1; }
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
          -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
          -o "Dir::State::Lists=$apt_dir/lists"
          -o "Dir::Cache=$apt_dir/cache"
          -o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)" -qq)
timeout 180 apt-get "${apt_opts[@]}" update >&2
( cd "$dest" && timeout 180 apt-get "${apt_opts[@]}" source --download-only cjson >&2 )
rm -rf "$dest/cjson-src.tmp"
dsc=$(ls "$dest"/cjson_*.dsc 2>/dev/null | head -n 1)
if [ -n "$dsc" ] && command -v dpkg-source >/dev/null 2>&1; then
  # dpkg-source applies Debian's patches (security fixes included) on top of the release.
  dpkg-source --no-check -x "$dsc" "$dest/cjson-src.tmp" >&2
else
  orig=$(ls "$dest"/cjson_*.orig.tar.* 2>/dev/null | head -n 1)
  [ -n "$orig" ] || { echo "fetch-cjson-source: no source package downloaded" >&2; exit 1; }
  mkdir -p "$dest/cjson-src.tmp"
  tar -xf "$orig" -C "$dest/cjson-src.tmp" --strip-components=1
  deb=$(ls "$dest"/cjson_*.debian.tar.* 2>/dev/null | head -n 1)
  if [ -n "$deb" ]; then
    tar -xf "$deb" -C "$dest/cjson-src.tmp"
    if [ -f "$dest/cjson-src.tmp/debian/patches/series" ]; then
      while read -r patch; do
        case "$patch" in ''|'#'*) continue ;; esac
        patch -d "$dest/cjson-src.tmp" -p1 -s < "$dest/cjson-src.tmp/debian/patches/$patch" >&2
      done < "$dest/cjson-src.tmp/debian/patches/series"
    fi
  fi
fi
[ -f "$dest/cjson-src.tmp/cJSON.c" ] || { echo "fetch-cjson-source: cJSON.c missing" >&2; exit 1; }
rm -rf "$dest/cjson-src"
mv "$dest/cjson-src.tmp" "$dest/cjson-src"
echo "$dest/cjson-src"
