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
swift test --skip-build 2>&1 | tee .build/test.log | grep -vE "^Test Case '.*' (started|passed)"
exit "${PIPESTATUS[0]}"
