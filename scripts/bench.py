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
checks that all outputs are identical, and prints times and ratios to host (median of --runs).
  --fuzz   instead: executions per second of `crossrun fuzz` on samples/fuzz/parser_fuzz.c
           (-use_cmp and the heap checker on, -runs=N from --fuzz-runs, seed 1) for x64 native,
           x64 emulated, aarch64 and rv64, with the ratio of each to x64 native.
Usage: scripts/bench.py [--runs N] [--arg N] [--targets x64,aarch64,rv64] [--qemu] [--fuzz] [prog.c ...]
"""
import argparse, glob, os, shutil, statistics, subprocess, sys, tempfile, time

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

def timed(cmd, runs):
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True)
        times.append(time.perf_counter() - t)
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
    ap.add_argument("programs", nargs="*")
    a = ap.parse_args()
    if a.fuzz:
        return fuzz_bench(a)
    progs = a.programs or sorted(glob.glob(os.path.join(ROOT, "..", "shared", "bench", "*.c")))
    if not progs:
        sys.exit("bench: no programs (expected ../shared/bench/*.c)")
    subprocess.run(["swift", "build", "-c", "release", "--product", "crossrun"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    crossrun = os.path.join(ROOT, ".build", "release", "crossrun")
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

def fuzz_bench(a):
    """Executions per second of one fuzzing run per target/backend, measured in one go."""
    import re
    subprocess.run(["swift", "build", "-c", "release", "--product", "crossrun"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    crossrun = os.path.join(ROOT, ".build", "release", "crossrun")
    harness = os.path.join(ROOT, "samples", "fuzz", "parser_fuzz.c")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for target, backend in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")]:
            cmd = [crossrun, "fuzz", "--target", target, "--backend", backend, harness, f"-runs={a.fuzz_runs}",
                   "-seed=1", f"-artifact_prefix={tmp}/"]
            start = time.time()
            r = subprocess.run(cmd, capture_output=True, text=True)
            elapsed = time.time() - start
            done = re.findall(r"#(\d+)\s+\S+\s+cov: (\d+).*exec/s: (\d+)", r.stderr)
            execs, cov, rate = done[-1] if done else ("0", "0", "0")
            found = "crash found" if r.returncode == 77 else ("ok" if r.returncode == 0 else f"exit {r.returncode}")
            rows.append((f"{target}/{backend}", int(execs), int(rate), int(cov), elapsed, found))
    base = rows[0][2] or 1
    print(f"{'target':14} {'execs':>8} {'exec/s':>8} {'vs native':>10} {'cov':>5} {'wall s':>7}  result")
    for name, execs, rate, cov, elapsed, found in rows:
        print(f"{name:14} {execs:8} {rate:8} {rate / base:10.3f} {cov:5} {elapsed:7.2f}  {found}")

if __name__ == "__main__":
    main()
