#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test (unit, end-to-end
# fixtures, CLI behaviour). Exit status is the suite's.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh || exit 1
mkdir -p .build
if ! swift build --build-tests >.build/build.log 2>&1; then
  grep -E "error:" .build/build.log | sort -u | head -40
  tail -20 .build/build.log
  echo "crossrun tests: build failed" >&2
  exit 1
fi
# The suite runs hostile guests as root: it must leave the host as it found it. /dev/null is
# the canary (a program that unlinks or renames over it leaves a regular file behind, and every
# later `>/dev/null` and child process reads and writes that file instead).
host_intact() { [ -c /dev/null ]; }
host_intact || { echo "crossrun tests: /dev/null is not a character device before the suite; restore it (rm /dev/null; mknod -m 666 /dev/null c 1 3)" >&2; exit 1; }
swift test --skip-build 2>&1 | tee .build/test.log | grep -vE "^Test Case '.*' (started|passed)"
status="${PIPESTATUS[0]}"
host_intact || { echo "crossrun tests: the suite replaced /dev/null (no longer a character device): a test damaged the host" >&2; exit 1; }
exit "$status"
