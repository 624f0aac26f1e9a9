#!/usr/bin/env bash
# Installs what CrossRun needs that a fresh Debian machine with the Swift toolchain lacks.
# Idempotent and quiet.
#
# - The emulator engine: Unicorn 2.1.1, pinned, from PyPI's `unicorn` wheel (it carries the whole
#   C SDK: headers, libunicorn.a). CrossRun links libunicorn.a statically. 2.1.1 is the release
#   whose guest stores take QEMU's fast path (~0.5 ns); Debian's 2.0.1 takes ~60 ns per store and
#   2.1.2-2.1.4 ~22 ns (doc/ARCHITECTURE.md, "Engine"). The SDK goes to $UNICORN_PREFIX and a
#   pkg-config file `unicorn.pc` to /usr/local/lib/pkgconfig, which pkg-config searches before
#   /usr/lib, so a plain `swift build` picks it up. The .pc file names the pin
#   (`crossrun_engine_pin=2.1.1`), which UnicornEngineTests checks against the linked engine.
#   No Python is needed at run time: pip only downloads the wheel, which is a zip file.
# - pkg-config (how SwiftPM finds the engine), libquadmath0 (printf of binary128 long double for
#   aarch64/riscv64 guests, loaded on first use), libxml2 (the tests parse `crossrun test --junit`
#   output with FoundationXML, which links it), gdb-multiarch (GDBSessionTests drive it against
#   `crossrun --gdb` on every target; doc/DEBUGGING.md), gdb (GDBNativeTests: host gdb on a native run),
#   lldb (Debian's lldb 14: LLDBSessionTests; the Swift toolchain's own lldb does not start here).
#
# CROSSRUN_ENGINE=system skips the wheel and builds against Debian's libunicorn-dev (2.0.1: every
# feature works, emulation is several times slower).
set -euo pipefail

UNICORN_VERSION=2.1.1
UNICORN_WHEEL_SHA256=b0f139adb1c9406f57d25cab96ad7a6d3cbb9119f5480ebecedd4f5d7cb024fb
UNICORN_PREFIX=/usr/local/lib/crossrun/unicorn-$UNICORN_VERSION
PC_DIR=/usr/local/lib/pkgconfig

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_updated=0
apt_install() {
  echo "crossrun setup: installing $*" >&2
  if [ $apt_updated -eq 0 ]; then $SUDO apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libquadmath\.so\.0' || missing+=(libquadmath0)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libxml2\.so\.2' || missing+=(libxml2)
command -v unzip >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 || missing+=(unzip)
command -v gdb-multiarch >/dev/null 2>&1 || missing+=(gdb-multiarch)
command -v gdb >/dev/null 2>&1 || missing+=(gdb)
[ -x /usr/bin/lldb ] || missing+=(lldb)
if [ "${CROSSRUN_ENGINE:-pinned}" = system ]; then
  pkg-config --exists unicorn 2>/dev/null || missing+=(libunicorn-dev)
fi
[ ${#missing[@]} -gt 0 ] && apt_install "${missing[@]}"

install_pinned_engine() {
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  command -v pip3 >/dev/null 2>&1 || command -v pip >/dev/null 2>&1 || apt_install python3-pip
  local pip
  pip=$(command -v pip3 || command -v pip)
  echo "crossrun setup: fetching the Unicorn $UNICORN_VERSION SDK (PyPI wheel)" >&2
  if ! "$pip" download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
      --dest "$work" "unicorn==$UNICORN_VERSION" >&2; then
    echo "crossrun setup: could not download unicorn==$UNICORN_VERSION from PyPI" >&2
    return 1
  fi
  local wheel
  wheel=$(ls "$work"/unicorn-"$UNICORN_VERSION"-*.whl 2>/dev/null | head -1)
  [ -n "$wheel" ] || { echo "crossrun setup: no unicorn $UNICORN_VERSION wheel was downloaded" >&2; return 1; }
  local sum
  sum=$(sha256sum "$wheel" | cut -d' ' -f1)
  if [ "$sum" != "$UNICORN_WHEEL_SHA256" ]; then
    echo "crossrun setup: $wheel has SHA-256 $sum, expected $UNICORN_WHEEL_SHA256; refusing it" >&2
    return 1
  fi
  mkdir -p "$work/x"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$wheel" 'unicorn/include/*' 'unicorn/lib/libunicorn.a' -d "$work/x"
  else
    python3 -m zipfile -e "$wheel" "$work/x"
  fi
  # Only the static library goes into lib/, so `-lunicorn` cannot pick a shared one there.
  $SUDO rm -rf "$UNICORN_PREFIX"
  $SUDO mkdir -p "$UNICORN_PREFIX/lib" "$UNICORN_PREFIX/include" "$PC_DIR"
  $SUDO cp -r "$work/x/unicorn/include/unicorn" "$UNICORN_PREFIX/include/"
  $SUDO cp "$work/x/unicorn/lib/libunicorn.a" "$UNICORN_PREFIX/lib/"
  $SUDO tee "$PC_DIR/unicorn.pc" >/dev/null <<EOF
# Written by CrossRun's scripts/ensure-deps.sh: Unicorn $UNICORN_VERSION from PyPI's wheel, static.
prefix=$UNICORN_PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include
crossrun_engine_pin=$UNICORN_VERSION

Name: unicorn
Description: Unicorn CPU emulator engine (static, pinned by CrossRun)
Version: $UNICORN_VERSION
Libs: -L\${libdir} -lunicorn -lpthread -lm
Cflags: -I\${includedir}
EOF
}

if [ "${CROSSRUN_ENGINE:-pinned}" != system ]; then
  if [ "$(pkg-config --variable=crossrun_engine_pin unicorn 2>/dev/null)" != "$UNICORN_VERSION" ] \
     || [ ! -f "$UNICORN_PREFIX/lib/libunicorn.a" ]; then
    if ! install_pinned_engine; then
      echo "crossrun setup: falling back to Debian's libunicorn-dev (slower engine; see doc/ARCHITECTURE.md)" >&2
      pkg-config --exists unicorn 2>/dev/null || apt_install libunicorn-dev
    fi
  fi
fi
command -v swift >/dev/null 2>&1 || { echo "crossrun setup: the Swift toolchain (swift, clang) must be on PATH" >&2; exit 1; }
