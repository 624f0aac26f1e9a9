#!/usr/bin/env bash
# Installs what CrossRun needs that a fresh Debian machine with the Swift toolchain lacks:
# libunicorn-dev (the emulator), pkg-config (how SwiftPM finds it) and libquadmath0 (printf of
# binary128 long double for aarch64/riscv64 guests, loaded on first use), libxml2 (the tests
# parse `crossrun test --junit` output with FoundationXML, which links it). Idempotent and quiet.
set -euo pipefail
missing=()
pkg-config --exists unicorn 2>/dev/null || missing+=(libunicorn-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libquadmath\.so\.0' || missing+=(libquadmath0)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libxml2\.so\.2' || missing+=(libxml2)
if [ ${#missing[@]} -gt 0 ]; then
  echo "crossrun setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null 2>&1 || { echo "crossrun setup: the Swift toolchain (swift, clang) must be on PATH" >&2; exit 1; }
