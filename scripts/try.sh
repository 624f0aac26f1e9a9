#!/usr/bin/env bash
# One command to see CrossRun work: installs what is missing, builds the release binary and
# runs the sample program through the full pipeline (compile, JIT-link, run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
scripts/build-release.sh 2>&1 | grep -E "error:|Compiling|Build complete" | grep -v "^\[" || true
echo "\$ .build/release/crossrun samples/hello.c -- from the README" >&2
exec .build/release/crossrun samples/hello.c -- from the README
