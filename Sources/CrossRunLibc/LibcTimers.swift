#if canImport(Glibc)
import Glibc
#endif

/// `alarm`, `ualarm`, `getitimer`, `setitimer`: the host process's timers, as a native run's
/// would be. The signal they raise reaches the guest under its own disposition (a handler runs
/// at the guest's next library call, `SIG_IGN` ignores it, the default ends the run as it would
/// end the process). `struct itimerval` is two LP64 `timeval`s on every target.
enum LibcTimers {
    static func loadTimeval(_ rt: LibcRuntime, _ a: UInt64) throws -> timeval? {
        let sec = try rt.memory.load(a, as: Int64.self), usec = try rt.memory.load(a &+ 8, as: Int64.self)
        guard sec >= 0, (0..<1_000_000).contains(usec), let s = Int(exactly: sec) else { return nil }
        return timeval(tv_sec: s, tv_usec: Int(usec))
    }

    static func storeTimerValue(_ rt: LibcRuntime, _ v: itimerval, _ a: UInt64) throws {
        try rt.memory.store(Int64(v.it_interval.tv_sec), at: a)
        try rt.memory.store(Int64(v.it_interval.tv_usec), at: a &+ 8)
        try rt.memory.store(Int64(v.it_value.tv_sec), at: a &+ 16)
        try rt.memory.store(Int64(v.it_value.tv_usec), at: a &+ 24)
    }

    static func which(_ f: any CallFrame) throws -> __itimer_which_t? {
        let w = try f.int32(0)
        guard (0...2).contains(w) else { return nil }
        return __itimer_which_t(w)
    }

    static let functions: [String: HostFunction] = [
        "alarm": { _, f in f.returnInt32(Int32(bitPattern: alarm(UInt32(truncatingIfNeeded: try f.int(0))))) },
        "ualarm": { rt, f in
            let r = ualarm(useconds_t(truncatingIfNeeded: try f.int(0)), useconds_t(truncatingIfNeeded: try f.int(1)))
            if r == useconds_t.max { rt.setErrno(errno) }
            f.returnInt32(Int32(bitPattern: r))
        },
        "getitimer": { rt, f in
            guard let w = try which(f) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            var v = itimerval()
            guard getitimer(w, &v) == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
            try storeTimerValue(rt, v, f.int(1))
            f.returnInt32(0)
        },
        "setitimer": { rt, f in
            guard let w = try which(f) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let new = try f.int(1), old = try f.int(2)
            guard let interval = try loadTimeval(rt, new), let value = try loadTimeval(rt, new &+ 16) else {
                rt.setErrno(EINVAL); f.returnInt32(-1); return
            }
            if old != 0 { _ = try rt.memory.mutableBytes(old, 32) }   // fault before the timer changes
            var v = itimerval(it_interval: interval, it_value: value), previous = itimerval()
            guard setitimer(w, &v, &previous) == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
            if old != 0 { try storeTimerValue(rt, previous, old) }
            f.returnInt32(0)
        },
    ]
}
