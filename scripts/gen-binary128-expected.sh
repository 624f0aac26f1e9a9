#!/usr/bin/env bash
# Writes fixtures/NAME.aarch64.expected and NAME.rv64.expected for fixtures whose output depends
# on long double being IEEE binary128 (as on aarch64 and riscv64 Linux), without an aarch64 or
# riscv64 machine: the fixture is built on the x86-64 host with LD=__float128 and
# scripts/binary128-shim.h, which maps its long double functions to glibc's own *f128 ones and
# prints %La with glibc's strfromf128. The fixture must spell its long double type LD.
# Usage: scripts/gen-binary128-expected.sh conf_math_long_double
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-clang}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in "$@"; do
  "$CC" -w -DLD=__float128 -include scripts/binary128-shim.h -o "$tmp/$name" "fixtures/$name.c" -lm
  (cd "$tmp" && "./$name") > "$tmp/$name.out"
  cp "$tmp/$name.out" "fixtures/$name.aarch64.expected"
  cp "$tmp/$name.out" "fixtures/$name.rv64.expected"
  echo "fixtures/$name.{aarch64,rv64}.expected: $(wc -l < "$tmp/$name.out") lines"
done
