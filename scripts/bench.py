#!/usr/bin/env python3
"""Benchmarks CrossRun against a normal native build, measured side by side in one run.

For each program in ../shared/bench (or the files given), it times:
  host     clang -O2 prog.c -lm && ./a.out        (the reference; compile not timed)
  native   crossrun -O2 prog.c                     (compile + link + run)
  emu      crossrun --backend emu -O2 prog.c       (x86-64 under the emulator)
  a64      crossrun --target aarch64 -O2 prog.c    (aarch64 under the emulator)
  rv64     crossrun --target rv64 -O2 prog.c       (riscv64 under the emulator)
  qemu-*   with --qemu: the program built by Debian's cross gcc -O2 -static (glibc) and run by
           qemu-user, the peer to beat (installs qemu-user and the cross compilers with apt-get
           when missing; they are benchmark tools only, never a dependency of CrossRun)
checks that all outputs are identical, and prints CPU times (user + system of the child) and
ratios to host (median of --runs). Then the engine's unit costs per arch (emulated, native for
reference): ns per guest store, ns per libc call (`toupper`: emulated, a register-only call
straight from the block hook), ns per frame call (`strtol`: the general path, arguments through
the call frame and a guest string read), and the CPU cost of `crossrun hello.c` with a warm
compile cache.
  --micro  only the unit costs and start-up
  --fuzz   instead: executions per CPU second of `crossrun fuzz` on samples/fuzz/parser_fuzz.c
           (-use_cmp and the heap checker on, -runs=N from --fuzz-runs, seed 1; start-up, timed
           by a -runs=1 run, taken off) for x64 native, x64 emulated, aarch64 and rv64, with the
           ratio of each to x64 native; --crossrun BIN times that binary instead of a release build.
Usage: scripts/bench.py [--runs N] [--arg N] [--targets x64,aarch64,rv64] [--qemu] [--fuzz [--crossrun BIN]] [prog.c ...]
"""
import argparse, glob, os, resource, shutil, statistics, subprocess, sys, tempfile, time

QEMU = {"aarch64": ("aarch64-linux-gnu-gcc", "qemu-aarch64"), "rv64": ("riscv64-linux-gnu-gcc", "qemu-riscv64")}
QEMU_PACKAGES = ["qemu-user", "gcc-aarch64-linux-gnu", "gcc-riscv64-linux-gnu", "libc6-dev-arm64-cross", "libc6-dev-riscv64-cross"]

def ensure_qemu():
    missing = [t for pair in QEMU.values() for t in pair if not shutil.which(t)]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"bench: --qemu needs {', '.join(missing)}: apt-get install {' '.join(QEMU_PACKAGES)}")
    print(f"bench: installing {' '.join(QEMU_PACKAGES)} (benchmark only)", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq"] + QEMU_PACKAGES, check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def build_release():
    """Builds the release binary as the README says (scripts/build-release.sh: Swift runtime,
    libstdc++ and libgcc linked in, no PIE); returns its path."""
    subprocess.run([os.path.join(ROOT, "scripts", "build-release.sh")], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return os.path.join(ROOT, ".build", "release", "crossrun")

def cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime

def timed(cmd, runs):
    """Median CPU time (user + system) of `cmd` over `runs` runs, and its stdout."""
    times, out = [], None
    for _ in range(runs):
        t = cpu_seconds()
        r = subprocess.run(cmd, capture_output=True)
        times.append(cpu_seconds() - t)
        if r.returncode != 0:
            sys.exit(f"bench: {' '.join(cmd)} failed ({r.returncode}): {r.stderr.decode()[-500:]}")
        out = r.stdout
    return statistics.median(times), out

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--arg", help="size argument passed to every program")
    ap.add_argument("--targets", default="x64,aarch64,rv64", help="emulated targets to time (comma-separated)")
    ap.add_argument("--qemu", action="store_true", help="also time qemu-user on static cross-gcc builds")
    ap.add_argument("--fuzz", action="store_true", help="fuzzing executions per second instead")
    ap.add_argument("--fuzz-runs", type=int, default=20000)
    ap.add_argument("--crossrun", help="with --fuzz or --micro: time this crossrun binary instead of building the release one")
    ap.add_argument("--micro", action="store_true", help="only ns per store / per libc call and start-up")
    ap.add_argument("programs", nargs="*")
    a = ap.parse_args()
    if a.fuzz:
        return fuzz_bench(a)
    if a.micro:
        return micro_bench(a)
    progs = a.programs or sorted(glob.glob(os.path.join(ROOT, "..", "shared", "bench", "*.c")))
    if not progs:
        sys.exit("bench: no programs (expected ../shared/bench/*.c)")
    crossrun = build_release()
    clang = subprocess.run(["bash", "-c", "dirname $(readlink -f $(which swift))"], capture_output=True, text=True).stdout.strip() + "/clang"
    args = [a.arg] if a.arg else []
    targets = [t for t in a.targets.split(",") if t]
    qemu_targets = [t for t in targets if t in QEMU] if a.qemu else []
    if qemu_targets:
        ensure_qemu()
    label = {"x64": "emu", "aarch64": "a64", "rv64": "rv64"}
    columns = [label.get(t, t) + "/host" for t in targets] + ["qemu-" + label[t] + "/host" for t in qemu_targets]
    print(f"{'program':14} {'host s':>8} {'native':>7}" + "".join(f" {c:>14}" for c in columns))
    with tempfile.TemporaryDirectory() as tmp:
        for p in progs:
            name = os.path.splitext(os.path.basename(p))[0]
            exe = os.path.join(tmp, name)
            subprocess.run([clang, "-O2", "-w", p, "-lm", "-o", exe], check=True)
            host, ref = timed([exe] + args, a.runs)
            native, out_n = timed([crossrun, "-O2", p, "--"] + args, a.runs)
            differs = [] if out_n == ref else ["native"]
            ratios = []
            for t in targets:
                emu, out_e = timed([crossrun, "--target", t, "--backend", "emu", "-O2", p, "--"] + args, a.runs)
                ratios.append(emu / host)
                if out_e != ref:
                    differs.append(t)
            for t in qemu_targets:
                gcc, qemu = QEMU[t]
                qexe = os.path.join(tmp, name + "-" + t)
                subprocess.run([gcc, "-O2", "-w", "-static", p, "-lm", "-o", qexe], check=True)
                q, out_q = timed([qemu, qexe] + args, a.runs)
                ratios.append(q / host)
                if out_q != ref:
                    differs.append("qemu-" + t)
            note = "  OUTPUT DIFFERS: " + ",".join(differs) if differs else ""
            print(f"{name:14} {host:8.3f} {native / host:7.2f}" + "".join(f" {r:14.1f}" for r in ratios) + note)
            sys.stdout.flush()
    print()
    micro_bench(a, built=True)

# Unit costs: a loop of N volatile stores, and a loop of N calls through a volatile pointer to a
# libc function (so every call is an import: a trap when emulated). The cost per operation is
# (time with N - time with 0) / N, so start-up and compilation cancel out.
STORE_LOOP = r"""
#include <stdlib.h>
static volatile long cells[64];
int main(int argc, char **argv) {
    long n = atol(argv[1]);
    for (long i = 0; i < n; i++) cells[i & 63] = i;
    return (int)(cells[0] & 1);
}
"""
CALL_LOOP = r"""
#include <ctype.h>
#include <stdlib.h>
int (*volatile fn)(int) = toupper;
int main(int argc, char **argv) {
    long n = atol(argv[1]);
    int acc = 0;
    for (long i = 0; i < n; i++) acc += fn('a' + (int)(i & 15));
    return acc & 1;
}
"""
# The general library-call path: pointer and integer arguments read through the call frame, a
# guest string read, a result and errno written (toupper above is a register-only call emulated).
FRAME_LOOP = r"""
#include <stdlib.h>
long (*volatile fn)(const char *, char **, int) = strtol;
int main(int argc, char **argv) {
    long n = atol(argv[1]);
    long acc = 0;
    for (long i = 0; i < n; i++) acc += fn("7", 0, 10);
    return (int)(acc & 1);
}
"""

def micro_bench(a, built=False):
    if a.crossrun:
        crossrun = a.crossrun
    else:
        if not built:
            build_release()
        crossrun = os.path.join(ROOT, ".build", "release", "crossrun")
    version = subprocess.run([crossrun, "--version"], capture_output=True, text=True).stdout.strip()
    configs = [("x64", "native")] + [(t, "emu") for t in ["x64", "aarch64", "rv64"]]
    runs = max(a.runs, 3)
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, text in [("store", STORE_LOOP), ("call", CALL_LOOP), ("frame", FRAME_LOOP)]:
            files[name] = os.path.join(tmp, name + ".c")
            with open(files[name], "w") as f:
                f.write(text)
        hello = os.path.join(ROOT, "samples", "hello.c")
        print(f"unit costs ({version}; CPU time, median of {runs})")
        print(f"{'target':14} {'ns/store':>9} {'ns/libc call':>13} {'ns/frame call':>14} {'hello.c ms':>11}")
        for target, backend in configs:
            base = [crossrun, "--target", target, "--backend", backend, "-O2"]
            row = []
            for name, n in [("store", 200_000_000), ("call", 5_000_000), ("frame", 5_000_000)]:
                timed(base + [files[name], "--", "0"], 1)  # fills the compile cache
                t0, _ = timed_status(base + [files[name], "--", "0"], runs)
                t1, _ = timed_status(base + [files[name], "--", str(n)], runs)
                row.append(max(t1 - t0, 0) / n * 1e9)
            timed(base + [hello], 1)
            h, _ = timed(base + [hello], runs * 3)
            print(f"{target + '/' + backend:14} {row[0]:9.2f} {row[1]:13.1f} {row[2]:14.1f} {h * 1000:11.2f}")
            sys.stdout.flush()

def timed_status(cmd, runs):
    """Like timed, but the program's exit status is its result, not a failure."""
    times = []
    for _ in range(runs):
        t = cpu_seconds()
        subprocess.run(cmd, capture_output=True)
        times.append(cpu_seconds() - t)
    return statistics.median(times), None

def fuzz_bench(a):
    """Executions per CPU second of one fuzzing run per target/backend, measured in one go.

    Each target first runs once with -runs=1 (it warms the compile cache and measures start-up:
    compile, link, load, initializers); the CPU time of that run is taken off the full run's, so
    the rate is the fuzzing loop's own. The ratio is to x64/native's rate."""
    import re
    crossrun = a.crossrun or build_release()
    harness = os.path.join(ROOT, "samples", "fuzz", "parser_fuzz.c")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for target, backend in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")]:
            def fuzz(runs):
                cmd = [crossrun, "fuzz", "--target", target, "--backend", backend, harness, f"-runs={runs}",
                       "-seed=1", f"-artifact_prefix={tmp}/"]
                cpu, start = cpu_seconds(), time.time()
                r = subprocess.run(cmd, capture_output=True, text=True)
                return r, cpu_seconds() - cpu, time.time() - start
            _, startup, _ = fuzz(1)
            r, cpu, elapsed = fuzz(a.fuzz_runs)
            done = re.findall(r"#(\d+)\s+\S+\s+cov: (\d+).*exec/s: (\d+)", r.stderr)
            execs, cov, rate = done[-1] if done else ("0", "0", "0")
            found = "crash found" if r.returncode == 77 else ("ok" if r.returncode == 0 else f"exit {r.returncode}")
            per_cpu = int(execs) / max(cpu - startup, 1e-6)
            rows.append((f"{target}/{backend}", int(execs), per_cpu, int(rate), int(cov), cpu, startup, elapsed, found))
    base = rows[0][2] or 1
    print(f"{'target':14} {'execs':>8} {'exec/cpu-s':>10} {'vs native':>10} {'exec/s':>8} {'cov':>5} {'cpu s':>6} {'start s':>7} {'wall s':>7}  result")
    for name, execs, per_cpu, rate, cov, cpu, startup, elapsed, found in rows:
        print(f"{name:14} {execs:8} {per_cpu:10.0f} {per_cpu / base:10.3f} {rate:8} {cov:5} {cpu:6.2f} {startup:7.2f} {elapsed:7.2f}  {found}")

if __name__ == "__main__":
    main()
