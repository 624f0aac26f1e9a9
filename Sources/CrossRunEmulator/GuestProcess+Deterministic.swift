import CNativeSupport
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// `--deterministic` under the emulator: the library functions and system calls that read
/// clocks, process ids or random sources answer from `deterministic.c` (CNativeSupport),
/// the same code a native run's imports are bound to.
extension GuestProcess {
    /// Host functions served instead of the C library's in a deterministic run.
    static let deterministicFunctions: [String: HostFunction] = [
        "clock_gettime": { rt, f in
            var s: Int64 = 0, ns: Int64 = 0
            guard crossrun_det_clock_gettime(try f.int32(0), &s, &ns) == 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            try storePair(rt, s, ns, at: f.int(1))
            f.returnInt32(0)
        },
        "gettimeofday": { rt, f in
            var s: Int64 = 0, ns: Int64 = 0
            crossrun_det_clock_gettime(CLOCK_REALTIME, &s, &ns)
            let p = try f.int(0)
            if p != 0 { try storePair(rt, s, ns / 1000, at: p) }
            f.returnInt32(0)
        },
        "timespec_get": { rt, f in
            guard try f.int32(1) == 1 /* TIME_UTC */ else { f.returnInt32(0); return }
            var s: Int64 = 0, ns: Int64 = 0
            crossrun_det_clock_gettime(CLOCK_REALTIME, &s, &ns)
            try storePair(rt, s, ns, at: f.int(0))
            f.returnInt32(1)
        },
        "time": { rt, f in
            let t = crossrun_det_time(nil)
            let p = try f.int(0)
            if p != 0 { try rt.memory.store(t, at: p) }
            f.returnSigned(t)
        },
        "clock": { _, f in f.returnSigned(crossrun_det_clock()) },
        "getpid": { _, f in f.returnInt32(CROSSRUN_DET_PID) },
        "getppid": { _, f in f.returnInt32(CROSSRUN_DET_PPID) },
        "arc4random": { _, f in f.returnInt32(Int32(bitPattern: crossrun_det_arc4random())) },
        "arc4random_uniform": { _, f in f.returnInt32(Int32(bitPattern: crossrun_det_arc4random_uniform(UInt32(truncatingIfNeeded: try f.int(0))))) },
        "arc4random_buf": { rt, f in
            let n = try f.size(1)
            if n > 0 { crossrun_det_fill(try rt.memory.host(f.int(0), n, write: true), n) }
        },
    ]

    /// A `timespec`/`timeval` (two 64-bit fields on every target).
    private static func storePair(_ rt: LibcRuntime, _ first: Int64, _ second: Int64, at address: UInt64) throws {
        try rt.memory.store(first, at: address)
        try rt.memory.store(second, at: address &+ 8)
    }

    /// Starts a deterministic run: the virtual clock and random stream from their beginning,
    /// `/dev/urandom` and `/dev/random` leading to the fixed device.
    func prepareDeterministicRun() {
        crossrun_det_reset()
        guard let device = crossrun_det_random_device() else { return }
        let host = Array(UnsafeBufferPointer(start: device, count: strlen(device) + 1))
        for name in ["/dev/urandom", "/dev/random"] { runtime.fileSystem.substitutes[Array(name.utf8)] = host }
    }

    /// The deterministic answer to a system call that reads a clock, a process id or random
    /// bytes; nil for every other call (performed as usual).
    func deterministicSyscall(_ call: GuestSyscall, _ a: [UInt64]) throws -> Int64? {
        switch call {
        case .getpid, .gettid, .setTidAddress:
            return Int64(CROSSRUN_DET_PID)
        case .clockGettime:
            var s: Int64 = 0, ns: Int64 = 0
            guard crossrun_det_clock_gettime(Int32(truncatingIfNeeded: a[0]), &s, &ns) == 0 else { return -Int64(EINVAL) }
            try memory.store(s, at: a[1])
            try memory.store(ns, at: a[1] &+ 8)
            return 0
        case .gettimeofday:
            var s: Int64 = 0, ns: Int64 = 0
            crossrun_det_clock_gettime(CLOCK_REALTIME, &s, &ns)
            if a[0] != 0 {
                try memory.store(s, at: a[0])
                try memory.store(ns / 1000, at: a[0] &+ 8)
            }
            return 0
        case .getrandom:
            let n = Int(clamping: min(a[1], 1 << 25))
            if n > 0 { crossrun_det_fill(try memory.host(a[0], n, write: true), n) }
            return Int64(n)
        default:
            return nil
        }
    }
}
