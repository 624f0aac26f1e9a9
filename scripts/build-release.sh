#!/usr/bin/env bash
# Builds the release crossrun (.build/release/crossrun) as the README, scripts/bench.py and
# scripts/try.sh use it, set up for a fast start (doc/ARCHITECTURE.md, "Start-up"):
#   --static-swift-stdlib             the Swift runtime linked in (no Swift shared libraries)
#   -no-pie                           no PIE relocations of the 58 MB binary at every start
#   --no-export-dynamic               no dynamic symbol table of CrossRun's own ~5,700 symbols
#                                     (the static-stdlib link exports them; nothing looks them up)
#   static-cxx/, -static-libgcc       libstdc++ and libgcc linked in: no shared C++ runtime to
#                                     load and relocate (see scripts/static-cxx/libstdc++.so)
#   --disable-local-rpath             no $ORIGIN run path: the loader does not search the build
#                                     directory for libm and libc first
#   -disable-concrete-type-metadata-mangled-name-accessors
#                                     generic metadata by direct accessor calls, not by
#                                     demangling plus a conformance scan
# Extra arguments go to swift build.
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift build -c release --product crossrun --static-swift-stdlib --disable-local-rpath \
    -Xlinker -no-pie -Xlinker --no-export-dynamic \
    -Xswiftc "-L$PWD/scripts/static-cxx" -Xswiftc -Xclang-linker -Xswiftc -static-libgcc \
    -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors "$@"
