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
        "getrandom": { rt, f in
            let n = min(try f.size(1), 33_554_431)
            if n > 0 { crossrun_det_fill(try rt.memory.host(f.int(0), n, write: true), n) }
            f.returnSigned(Int64(n))
        },
        "getentropy": { rt, f in
            let n = try f.size(1)
            guard n <= 256 else { rt.setErrno(EIO); f.returnInt32(-1); return }
            if n > 0 { crossrun_det_fill(try rt.memory.host(f.int(0), n, write: true), n) }
            f.returnInt32(0)
        },
        // The program's own pid is the fixed one: kill(getpid(), sig) must reach it.
        "kill": { rt, f in
            let pid = try f.int32(0)
            try library("kill")(rt, pid == CROSSRUN_DET_PID ? ReplacedArgumentFrame(f, UInt64(UInt32(bitPattern: getpid()))) : f)
        },
        // Sleeping moves the virtual clock on by the time asked for (and still sleeps).
        "sleep": { rt, f in
            crossrun_det_advance(UInt64(UInt32(truncatingIfNeeded: try f.int(0))) * 1_000_000_000)
            try library("sleep")(rt, f)
        },
        "usleep": { rt, f in
            crossrun_det_advance(UInt64(UInt32(truncatingIfNeeded: try f.int(0))) * 1000)
            try library("usleep")(rt, f)
        },
        "nanosleep": { rt, f in
            let request = try f.int(0)
            let seconds = try rt.memory.load(request, as: Int64.self), nanoseconds = try rt.memory.load(request &+ 8, as: Int64.self)
            if seconds >= 0 && (0..<1_000_000_000).contains(nanoseconds) {
                let (total, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
                crossrun_det_advance(overflow ? UInt64.max : total &+ UInt64(nanoseconds))
            }
            try library("nanosleep")(rt, f)
        },
    ]

    /// The C library's own function `name` (which a deterministic one wraps).
    private static func library(_ name: String) -> HostFunction {
        HostLibc.functions[name] ?? { rt, f in rt.setErrno(ENOSYS); f.returnInt32(-1) }
    }

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

/// A call frame with one integer argument replaced (`kill`'s pid, a retried `poll`'s timeout).
final class ReplacedArgumentFrame: CallFrame {
    let base: any CallFrame
    let index: Int
    let value: UInt64

    init(_ base: any CallFrame, index: Int = 0, _ value: UInt64) {
        self.base = base
        self.index = index
        self.value = value
    }

    func int(_ i: Int) throws -> UInt64 { i == index ? value : try base.int(i) }
    func double(_ index: Int) throws -> Double { try base.double(index) }
    func float(_ index: Int) throws -> Float { try base.float(index) }
    func longDouble(_ index: Int) throws -> (UInt64, UInt64) { try base.longDouble(index) }
    func longDouble(afterInts ints: Int) throws -> (UInt64, UInt64) { try base.longDouble(afterInts: ints) }
    func returnLongDouble(_ value: (UInt64, UInt64)) { base.returnLongDouble(value) }
    func variadic(afterInts ints: Int, floats: Int) throws -> any VariadicArguments { try base.variadic(afterInts: ints, floats: floats) }
    func vaList(at address: UInt64) throws -> any VariadicArguments { try base.vaList(at: address) }
    func returnInt(_ value: UInt64) { base.returnInt(value) }
    func returnPair(_ low: UInt64, _ high: UInt64) { base.returnPair(low, high) }
    func returnComplexLongDouble(_ real: (UInt64, UInt64), _ imaginary: (UInt64, UInt64)) { base.returnComplexLongDouble(real, imaginary) }
    func returnComplexDouble(_ real: Double, _ imaginary: Double) { base.returnComplexDouble(real, imaginary) }
    func returnComplexFloat(_ real: Float, _ imaginary: Float) { base.returnComplexFloat(real, imaginary) }
    func returnDouble(_ value: Double) { base.returnDouble(value) }
    func returnFloat(_ value: Float) { base.returnFloat(value) }
    func skipping(longDoubles: Int, doubles: Int) -> any CallFrame { base.skipping(longDoubles: longDoubles, doubles: doubles) }
    func returningComplexLongDouble() -> any CallFrame { base.returningComplexLongDouble() }
}
