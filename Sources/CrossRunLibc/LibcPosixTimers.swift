import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `timer_create` & co. (POSIX per-process timers): host timers on the host's clocks, behind
/// small guest ids (the guest's `timer_t` is the id, never a host handle). A `SIGEV_SIGNAL`
/// timer raises its signal in the host process, which the emulator records for the guest as
/// it does a signal from outside (the guest's handler must be set, else the host's disposition
/// is the guest's default or ignore, as natively), and delivers at the next library call with
/// `si_code` `SI_TIMER`, the timer id, its overrun count and the `sigev_value`
/// (``LibcRuntime/deliverHostSignal(_:)``). `SIGEV_NONE` timers only count down.
/// Not emulated: `SIGEV_THREAD` (a new guest thread per expiry) and `SIGEV_THREAD_ID` answer
/// `ENOTSUP`, and so do signals the emulator keeps for itself (the fault signals, SIGPIPE's
/// origin aside, and the real-time signals, among which CrossRun's own timeout signal).
enum LibcPosixTimers {
    /// A guest timer: the host's handle, its signal (0 for `SIGEV_NONE`) and `sigev_value`.
    struct Timer {
        var host: UInt64
        var signal: Int32
        var value: UInt64
    }

    /// `si_code` of a timer's signal (Linux's `SI_TIMER`).
    static let siTimer: Int32 = -2
    /// Live timers a guest may hold (the kernel's limit is RLIMIT_SIGPENDING's, larger).
    static let maximumTimers = 4096

    /// Signals a host timer may raise for the guest: those the emulator forwards to guest
    /// handlers (1–31 but SIGKILL, SIGSTOP and the fault signals).
    static func forwardable(_ sig: Int32) -> Bool {
        sig > 0 && sig < 32 && ![SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT].contains(sig)
    }

    /// The guest's `struct itimerspec` as four checked longs (nanoseconds within a second).
    static func loadSpec(_ rt: LibcRuntime, _ address: UInt64) throws -> [Int]? {
        let spec = try (0..<4).map { Int(try rt.memory.load(address &+ UInt64(8 * $0), as: Int64.self)) }
        guard spec[0] >= 0, spec[2] >= 0, (0..<1_000_000_000).contains(spec[1]), (0..<1_000_000_000).contains(spec[3]) else { return nil }
        return spec
    }

    static func fail(_ rt: LibcRuntime, _ f: any CallFrame, _ error: Int32) {
        rt.setErrno(error)
        f.returnInt32(-1)
    }

    /// The timer a guest `timer_t` names, or nil (EINVAL).
    static func timer(_ rt: LibcRuntime, _ f: any CallFrame) throws -> Timer? {
        rt.posix.timers[try f.int(0)]
    }

    static let functions: [String: HostFunction] = [
        "timer_create": { rt, f in
            let clock = try f.int32(0), event = try f.int(1), out = try f.int(2)
            _ = try rt.memory.mutableBytes(out, 8)   // a bad result pointer faults before a timer exists
            let id = rt.posix.nextTimerID
            var notify: Int32 = 0, signal = SIGALRM, value = id   // no sigevent: SIGALRM carrying the id
            if event != 0 {
                value = try rt.memory.load(event, as: UInt64.self)
                signal = try rt.memory.load(event &+ 8, as: Int32.self)
                notify = try rt.memory.load(event &+ 12, as: Int32.self)
            }
            switch notify {
            case 0:
                guard signal > 0 && signal < 65 else { return fail(rt, f, EINVAL) }
                guard forwardable(signal) else { return fail(rt, f, ENOTSUP) }
            case 1: signal = 0
            case 2, 4: return fail(rt, f, ENOTSUP)
            default: return fail(rt, f, EINVAL)
            }
            guard clock >= 0 else { return fail(rt, f, EINVAL) }   // no other process's CPU clock
            guard rt.posix.timers.count < maximumTimers else { return fail(rt, f, EAGAIN) }
            var host: UInt64 = 0
            guard crossrun_timer_create(clock, notify, signal, id, &host) == 0 else { return fail(rt, f, errno) }
            rt.posix.timers[id] = Timer(host: host, signal: signal, value: value)
            rt.posix.nextTimerID += 1
            try rt.memory.store(id, at: out)
            f.returnInt32(0)
        },
        "timer_settime": { rt, f in
            guard let timer = try timer(rt, f) else { return fail(rt, f, EINVAL) }
            let flags = try f.int32(1), new = try f.int(2), old = try f.int(3)
            guard new != 0 else { return fail(rt, f, EFAULT) }
            guard let spec = try loadSpec(rt, new) else { return fail(rt, f, EINVAL) }
            if old != 0 { _ = try rt.memory.mutableBytes(old, 32) }   // fault before the timer changes
            var previous = [Int](repeating: 0, count: 4)
            guard crossrun_timer_settime(timer.host, flags & 1, spec, &previous) == 0 else { return fail(rt, f, errno) }   // TIMER_ABSTIME
            if old != 0 { try LibcTimerfd.storeSpec(rt, previous, at: old) }
            f.returnInt32(0)
        },
        "timer_gettime": { rt, f in
            guard let timer = try timer(rt, f) else { return fail(rt, f, EINVAL) }
            let out = try f.int(1)
            _ = try rt.memory.mutableBytes(out, 32)
            var spec = [Int](repeating: 0, count: 4)
            guard crossrun_timer_gettime(timer.host, &spec) == 0 else { return fail(rt, f, errno) }
            try LibcTimerfd.storeSpec(rt, spec, at: out)
            f.returnInt32(0)
        },
        "timer_getoverrun": { rt, f in
            guard let timer = try timer(rt, f) else { return fail(rt, f, EINVAL) }
            let r = crossrun_timer_getoverrun(timer.host)
            if r < 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "timer_delete": { rt, f in
            let id = try f.int(0)
            guard let timer = rt.posix.timers[id] else { return fail(rt, f, EINVAL) }
            rt.posix.timers[id] = nil
            guard crossrun_timer_delete(timer.host) == 0 else { return fail(rt, f, errno) }
            f.returnInt32(0)
        },
    ]
}
