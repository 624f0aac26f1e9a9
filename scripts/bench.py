#!/usr/bin/env python3
"""Benchmarks CrossRun against a normal native build, measured side by side in one run.

For each program in ../shared/bench (or the files given), it times:
  host     clang -O2 prog.c -lm && ./a.out        (the reference; compile not timed)
  native   crossrun -O2 prog.c                     (compile + link + run)
  emu      crossrun --backend emu -O2 prog.c       (x86-64 under the emulator)
  a64      crossrun --target aarch64 -O2 prog.c    (aarch64 under the emulator)
  rv64     crossrun --target rv64 -O2 prog.c       (riscv64 under the emulator)
checks that all outputs are identical, and prints times and ratios to host (median of --runs).
Usage: scripts/bench.py [--runs N] [--arg N] [--targets x64,aarch64,rv64] [prog.c ...]
"""
import argparse, glob, os, statistics, subprocess, sys, tempfile, time

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
    ap.add_argument("programs", nargs="*")
    a = ap.parse_args()
    progs = a.programs or sorted(glob.glob(os.path.join(ROOT, "..", "shared", "bench", "*.c")))
    if not progs:
        sys.exit("bench: no programs (expected ../shared/bench/*.c)")
    subprocess.run(["swift", "build", "-c", "release", "--product", "crossrun"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    crossrun = os.path.join(ROOT, ".build", "release", "crossrun")
    clang = subprocess.run(["bash", "-c", "dirname $(readlink -f $(which swift))"], capture_output=True, text=True).stdout.strip() + "/clang"
    args = [a.arg] if a.arg else []
    targets = [t for t in a.targets.split(",") if t]
    label = {"x64": "emu", "aarch64": "a64", "rv64": "rv64"}
    print(f"{'program':14} {'host s':>8} {'native':>7}" + "".join(f" {label.get(t, t) + '/host':>10}" for t in targets))
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
            note = "  OUTPUT DIFFERS: " + ",".join(differs) if differs else ""
            print(f"{name:14} {host:8.3f} {native / host:7.2f}" + "".join(f" {r:10.1f}" for r in ratios) + note)
            sys.stdout.flush()

if __name__ == "__main__":
    main()
