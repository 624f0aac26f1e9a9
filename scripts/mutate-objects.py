#!/usr/bin/env python3
"""Seeded mutation run of clang-built objects through `crossrun inspect` and `crossrun run`.

    scripts/mutate-objects.py SEED COUNT [--crossrun PATH] [--jobs N] [--keep DIR]

For each of x64, aarch64 and rv64, COUNT objects are made by compiling small C programs with
clang (CrossRun's compile flags, at run time) and changing 1 to 3 fields of their symbol
table entries, relocation entries or section headers to boundary values (0, all ones, 2^63,
2^31, huge offsets, indices just past a table, ...). Each mutated object goes through
`crossrun inspect --target T` and `crossrun run --target T --backend emu --timeout 2`.

A *crash* is CrossRun itself dying from a signal (a Swift trap, a host fault): a clean error
(status 1), a normal exit, or a guest fault that CrossRun reports (status 128+N with its
`crossrun: ...` report on stderr) are all fine. The run prints one summary line per arch and
exits 1 if any crash happened; crashing inputs are copied to --keep (default
mutate-crashes/) for the regression folder.
"""
import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRIPLES = {"x64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu", "rv64": "riscv64-linux-gnu"}

SOURCES = {
    "calls.c": r'''
#include <stdio.h>
#include <string.h>
static int square(int x) { return x * x; }
int table[8] = {1, 2, 3, 4, 5, 6, 7, 8};
const char *greeting = "hello";
int main(int argc, char **argv) {
    int s = 0;
    for (int i = 0; i < 8; i++) s += square(table[i]);
    printf("%s %d %zu\n", greeting, s, strlen(argv[0]) > 0 ? (size_t)1 : (size_t)0);
    return 0;
}
''',
    "data.c": r'''
#include <stdio.h>
#include <stdlib.h>
struct node { int v; struct node *next; };
static struct node c = {3, 0}, b = {2, &c}, a = {1, &b};
static _Thread_local int tls = 7;
int (*op)(int, int);
static int add(int x, int y) { return x + y; }
static int cmp(const void *x, const void *y) { return *(const int *)x - *(const int *)y; }
static void __attribute__((constructor)) init(void) { op = add; }
int main(void) {
    int v[5] = {5, 3, 4, 1, 2};
    qsort(v, 5, sizeof v[0], cmp);
    int s = 0;
    for (struct node *n = &a; n; n = n->next) s = op(s, n->v);
    printf("%d %d %d\n", s, v[0], tls);
    return 0;
}
''',
    "switch.c": r'''
#include <stdio.h>
static const char *name(int k) {
    switch (k) { case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three";
                 case 4: return "four"; case 5: return "five"; default: return "many"; }
}
double weights[3] = {0.5, 1.5, 2.5};
int main(void) {
    double t = 0;
    for (int i = 0; i < 7; i++) { t += weights[i % 3]; puts(name(i)); }
    printf("%.1f\n", t);
    return 0;
}
''',
}

# Boundary values for 64-, 32- and 16-bit fields.
INTERESTING64 = [0, 1, 2, 7, 8, 0xFFF, 0x1000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 32, 1 << 46, 1 << 47,
                 1 << 62, (1 << 63) - 1, 1 << 63, 0x7FFF_FFFF_FFFF_FFF0, (1 << 64) - 1, (1 << 64) - 8, (1 << 64) - 0x1000]
INTERESTING32 = [0, 1, 2, 0x7F, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]
INTERESTING16 = [0, 1, 0xFF00, 0xFFF1, 0xFFF2, 0xFFFF, 0x7FFF]


def compile_objects(work, arch):
    clang = shutil.which("clang")
    flags = ["-c", "-fPIC", "-nostdlibinc", "-isystem", os.path.join(ROOT, "include"), "-D__CROSSRUN__=1",
             "-fno-asynchronous-unwind-tables", "-fno-stack-protector"]
    objects = []
    for name, text in SOURCES.items():
        src = os.path.join(work, name)
        with open(src, "w") as f:
            f.write(text)
        for opt in ["-O0", "-O2"]:
            out = os.path.join(work, f"{arch}{opt}-{name[:-2]}.o")
            subprocess.run([clang, f"--target={TRIPLES[arch]}", *flags, opt, src, "-o", out], check=True)
            with open(out, "rb") as f:
                objects.append(f.read())
    return objects


class Elf:
    """Where the mutable fields of an ELF64 LE relocatable object are."""

    def __init__(self, data):
        self.shoff = struct.unpack_from("<Q", data, 40)[0]
        self.shnum = struct.unpack_from("<H", data, 60)[0]
        self.sections = []  # (header offset, type, offset, size, entsize)
        for i in range(self.shnum):
            h = self.shoff + 64 * i
            typ, = struct.unpack_from("<I", data, h + 4)
            off, size = struct.unpack_from("<QQ", data, h + 24)
            ent, = struct.unpack_from("<Q", data, h + 56)
            self.sections.append((h, typ, off, size, ent))

    def entries(self, typ, entsize):
        out = []
        for (_, t, off, size, ent) in self.sections:
            if t == typ and ent == entsize:
                out += [off + k * entsize for k in range(size // entsize)]
        return out


def mutate(rng, data):
    data = bytearray(data)
    elf = Elf(data)
    symbols = elf.entries(2, 24)
    relocations = elf.entries(4, 24)
    nsym = len(symbols)
    done = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["symbol", "relocation", "section"])
        if kind == "symbol" and symbols:
            e = rng.choice(symbols)
            field = rng.choice(["st_name", "st_info", "st_other", "st_shndx", "st_value", "st_size"])
            if field == "st_name":
                struct.pack_into("<I", data, e, rng.choice(INTERESTING32 + [rng.getrandbits(32)]))
            elif field in ("st_info", "st_other"):
                data[e + (4 if field == "st_info" else 5)] = rng.getrandbits(8)
            elif field == "st_shndx":
                struct.pack_into("<H", data, e + 6, rng.choice(INTERESTING16 + [elf.shnum, elf.shnum - 1, rng.getrandbits(16)]))
            else:
                value = rng.choice(INTERESTING64 + [rng.getrandbits(64)])
                struct.pack_into("<Q", data, e + (8 if field == "st_value" else 16), value)
        elif kind == "relocation" and relocations:
            e = rng.choice(relocations)
            field = rng.choice(["r_offset", "r_sym", "r_type", "r_addend"])
            if field == "r_offset":
                struct.pack_into("<Q", data, e, rng.choice(INTERESTING64 + [rng.getrandbits(12)]))
            elif field == "r_sym":
                struct.pack_into("<I", data, e + 12, rng.choice([0, nsym - 1, nsym, nsym + 1, 0xFFFF_FFFF, rng.randrange(max(nsym, 1))]))
            elif field == "r_type":
                struct.pack_into("<I", data, e + 8, rng.choice(INTERESTING32 + [rng.randrange(0, 600)]))
            else:
                struct.pack_into("<Q", data, e + 16, rng.choice(INTERESTING64 + [rng.getrandbits(64)]))
        else:
            h = rng.choice(elf.sections)[0]
            field = rng.choice(["sh_name", "sh_type", "sh_flags", "sh_offset", "sh_size", "sh_link", "sh_info",
                                "sh_addralign", "sh_entsize"])
            at = {"sh_name": (0, "<I"), "sh_type": (4, "<I"), "sh_flags": (8, "<Q"), "sh_offset": (24, "<Q"),
                  "sh_size": (32, "<Q"), "sh_link": (40, "<I"), "sh_info": (44, "<I"), "sh_addralign": (48, "<Q"),
                  "sh_entsize": (56, "<Q")}[field]
            if at[1] == "<Q":
                value = rng.choice(INTERESTING64 + [rng.getrandbits(64)])
            else:
                value = rng.choice(INTERESTING32 + [elf.shnum, elf.shnum - 1, rng.randrange(0, 20)])
            struct.pack_into(at[1], data, h + at[0], value)
        done.append(kind)
    return bytes(data)


def classify(proc):
    """'crash', 'guest-fault', 'error', 'ok', or 'timeout' for one finished crossrun."""
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode < 0 or "Fatal error" in err:
        return "crash"
    if proc.returncode == 124:
        return "timeout"
    if proc.returncode > 128:
        # A guest fault must come with CrossRun's report.
        return "guest-fault" if "crossrun: " in err else "crash"
    if proc.returncode == 1 and "crossrun: error: " in err:
        return "error"
    return "ok"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seed", type=int)
    parser.add_argument("count", type=int, help="mutated objects per architecture")
    parser.add_argument("--crossrun", default=os.path.join(ROOT, ".build/debug/crossrun"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", default="mutate-crashes")
    parser.add_argument("--archs", default="x64,aarch64,rv64")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="crossrun-mutate-")
    crashes = 0
    try:
        for arch in args.archs.split(","):
            bases = compile_objects(work, arch)
            rng = random.Random(f"{args.seed}-{arch}")
            paths = []
            for i in range(args.count):
                path = os.path.join(work, f"{arch}-{i}.o")
                with open(path, "wb") as f:
                    f.write(mutate(rng, rng.choice(bases)))
                paths.append(path)

            def check(path):
                results = []
                for command in (["inspect", "--target", arch, path],
                                ["run", "--target", arch, "--backend", "emu", "--timeout", "2", path]):
                    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
                    try:
                        p = subprocess.run([args.crossrun, *command], capture_output=True, timeout=60, env=env,
                                           stdin=subprocess.DEVNULL, cwd=work)
                        results.append((command[0], classify(p), p))
                    except subprocess.TimeoutExpired:
                        results.append((command[0], "hang", None))
                return path, results

            counts = {}
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                for path, results in pool.map(check, paths):
                    for command, verdict, p in results:
                        counts[(command, verdict)] = counts.get((command, verdict), 0) + 1
                        if verdict in ("crash", "hang"):
                            crashes += 1
                            os.makedirs(args.keep, exist_ok=True)
                            shutil.copy(path, os.path.join(args.keep, os.path.basename(path)))
                            detail = p.stderr.decode("utf-8", "replace")[-400:] if p else ""
                            print(f"{verdict}: {command} {os.path.basename(path)} (status {p.returncode if p else '-'})\n{detail}")
            summary = ", ".join(f"{c} {v}: {n}" for (c, v), n in sorted(counts.items()))
            print(f"{arch}: {args.count} objects (seed {args.seed}): {summary}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"crashes: {crashes}")
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
