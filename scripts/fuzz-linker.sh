#!/usr/bin/env bash
# Fuzzes CrossRun's ELF reader and linker with libFuzzer (FuzzTesting/, LinkProbe).
#
#   scripts/fuzz-linker.sh [RUNS] [libFuzzer flags...]     (default RUNS: 1000000)
#
# 1. Builds FuzzTesting/ in release mode with `-sanitize=fuzzer` on every module (CrossRunELF
#    and CrossRunLink are instrumented too) and links it with `swiftc -sanitize=fuzzer`.
#    SANITIZER=address adds AddressSanitizer.
# 2. Generates the seed corpus at run time: small C and assembly programs compiled by clang for
#    x86-64, aarch64 and riscv64 (with CrossRun's compile flags, at -O0 and -O2, and riscv64
#    also with linker relaxation), plus one `ar` archive per architecture.
# 3. Runs RUNS inputs (-seed=1 unless given). Crashing inputs are written to
#    Tests/CrossRunTests/Resources/linker-regressions/, which LinkerRegressionTests replays.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
package=$root/FuzzTesting
runs=${1:-1000000}
shift || true
work=$package/.build/fuzz-linker
corpus=$work/corpus
regressions=$root/Tests/CrossRunTests/Resources/linker-regressions
clang=$(command -v clang)
ar=$(dirname "$clang")/llvm-ar

flags=(-sanitize=fuzzer${SANITIZER:+,$SANITIZER})
build_args=(build --package-path "$package" -c release --product FuzzLinker -Xswiftc -g)
for f in "${flags[@]}"; do build_args+=(-Xswiftc "$f"); done
swift "${build_args[@]}"
mkdir -p "$work"
swiftc "$package/.build/release/libFuzzLinker.a" "${flags[@]}" -o "$work/fuzz-linker"

# Seed programs: calls in and out of the image, globals, string literals, switch tables,
# function pointers in data, TLS, constructors, commons, weak references, archives.
mkdir -p "$work/src" "$corpus" "$regressions"
cat > "$work/src/main.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
extern int helper(int);
extern int counter;
__attribute__((weak)) extern int maybe(void);
static _Thread_local int tls_count = 3;
_Thread_local int tls_zero;
static const char *names[] = {"zero", "one", "two", "three"};
int (*hook)(int) = helper;
static void __attribute__((constructor)) early(void) { counter += 1; }
static int classify(int x) {
    switch (x) { case 0: return 10; case 1: return 20; case 2: return 30; case 3: return 45; case 4: return 50; default: return -1; }
}
int main(int argc, char **argv) {
    char buf[32];
    snprintf(buf, sizeof buf, "%s-%d", names[argc & 3], classify(argc));
    tls_count += tls_zero + (maybe ? maybe() : 0);
    printf("%s %d %d %zu\n", buf, hook(argc), tls_count, strlen(argv[0]));
    return counter > 100 ? EXIT_FAILURE : 0;
}
EOF
cat > "$work/src/helper.c" <<'EOF'
int counter = 1;
int shared_common;
double scale[4] = {1.5, 2.5, 3.5, 4.5};
int helper(int x) { shared_common += x; return (int)(scale[x & 3] * x) + counter; }
EOF
cat > "$work/src/lib.c" <<'EOF'
static long table[64];
long libsum(int n) { long s = 0; for (int i = 0; i < n && i < 64; i++) s += table[i] = i * 3; return s; }
const char *libname(void) { return "lib"; }
EOF

declare -A triple=([x64]=x86_64-linux-gnu [aarch64]=aarch64-linux-gnu [rv64]=riscv64-linux-gnu)
base_flags=(-c -fPIC -nostdlibinc -isystem "$root/include" -D__CROSSRUN__=1 -fno-asynchronous-unwind-tables -fno-stack-protector)
for arch in x64 aarch64 rv64; do
    for opt in -O0 -O2; do
        variants=("")
        [ "$arch" = rv64 ] && variants+=(-mrelax)
        for extra in "${variants[@]}"; do
            for src in main helper lib; do
                out="$corpus/$arch$opt${extra}-$src.o"
                "$clang" --target="${triple[$arch]}" "${base_flags[@]}" $opt $extra "$work/src/$src.c" -o "$out"
            done
        done
    done
    # An archive holding a whole program (main pulls in helper).
    rm -f "$corpus/$arch-prog.a"
    "$ar" rcs "$corpus/$arch-prog.a" "$corpus/$arch-O0-main.o" "$corpus/$arch-O0-helper.o" "$corpus/$arch-O0-lib.o"
done
echo "seed corpus: $(ls "$corpus" | wc -l) files in $corpus"

cd "$work"
export SWIFT_BACKTRACE=enable=no SWIFT_DETERMINISTIC_HASHING=1
has_seed=no
for a in "$@"; do case $a in -seed=*) has_seed=yes ;; esac; done
seed_flag=()
[ $has_seed = no ] && seed_flag=(-seed=1)
exec "$work/fuzz-linker" -runs="$runs" "${seed_flag[@]}" -max_len=65536 -rss_limit_mb=4096 -timeout=20 \
    -print_final_stats=1 -artifact_prefix="$regressions/" "$@" "$corpus"
