#!/usr/bin/env bash
# One command to see CrossRun work: installs what is missing, builds the release binary and
# runs the sample program through the full pipeline (compile, JIT-link, run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --static-swift-stdlib -Xlinker -no-pie \
    -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors --product crossrun 2>&1 | grep -E "error:|Compiling|Build complete" | grep -v "^\[" || true
echo "\$ .build/release/crossrun samples/hello.c -- from the README" >&2
exec .build/release/crossrun samples/hello.c -- from the README
