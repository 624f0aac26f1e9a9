#if canImport(Glibc)
import Glibc
#endif

/// signal.h: dispositions are kept per guest; `raise` runs the guest's handler or applies
/// the default action. Signals from outside (Ctrl-C) keep the host's default behaviour.
enum LibcSignal {
    static let SIG_DFL: UInt64 = 0, SIG_IGN: UInt64 = 1, SIG_ERR = UInt64.max
    /// Signals whose default action is to be ignored.
    static let ignoredByDefault: Set<Int32> = [SIGCHLD, SIGCONT, SIGURG, SIGWINCH]

    static func deliver(_ rt: LibcRuntime, _ sig: Int32) throws {
        let handler = rt.signalHandlers[sig] ?? SIG_DFL
        if handler == SIG_IGN || (handler == SIG_DFL && ignoredByDefault.contains(sig)) { return }
        if handler == SIG_DFL {
            rt.flushAll()   // raise() of a fatal signal: glibc's stdio is not flushed, but what was written stays
            throw GuestTermination.signal(sig, String(cString: strsignal(sig)).lowercased())
        }
        guard let call = rt.callGuest else { throw GuestTermination.signal(sig, "signal") }
        _ = try call(handler, [UInt64(sig)])
    }

    static func valid(_ sig: Int32) -> Bool { sig > 0 && sig < 65 && sig != SIGKILL && sig != SIGSTOP }

    static let functions: [String: HostFunction] = [
        "signal": { rt, f in
            let sig = try f.int32(0), handler = try f.int(1)
            guard valid(sig) else { rt.setErrno(EINVAL); f.returnInt(SIG_ERR); return }
            let old = rt.signalHandlers[sig] ?? SIG_DFL
            rt.signalHandlers[sig] = handler
            f.returnInt(old)
        },
        "sigaction": { rt, f in
            let sig = try f.int32(0), act = try f.int(1), oldact = try f.int(2)
            guard valid(sig) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            if oldact != 0 {
                memset(try rt.memory.host(oldact, 152, write: true), 0, 152)
                try rt.memory.store(rt.signalHandlers[sig] ?? SIG_DFL, at: oldact)
            }
            if act != 0 { rt.signalHandlers[sig] = try rt.memory.load(act, as: UInt64.self) }
            f.returnInt32(0)
        },
        "raise": { rt, f in
            let sig = try f.int32(0)
            guard valid(sig) || sig == SIGKILL else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            try deliver(rt, sig)
            f.returnInt32(0)
        },
        "kill": { rt, f in
            let pid = try f.int32(0), sig = try f.int32(1)
            guard pid == getpid() || pid == 0 else { rt.setErrno(EPERM); f.returnInt32(-1); return }
            if sig != 0 { try deliver(rt, sig) }
            f.returnInt32(0)
        },
        "sigprocmask": { rt, f in
            let old = try f.int(2)
            if old != 0 { memset(try rt.memory.host(old, 128, write: true), 0, 128) }
            f.returnInt32(0)
        },
        "sigemptyset": { rt, f in memset(try rt.memory.host(f.int(0), 128, write: true), 0, 128); f.returnInt32(0) },
        "sigfillset": { rt, f in memset(try rt.memory.host(f.int(0), 128, write: true), 0xff, 128); f.returnInt32(0) },
        "sigaddset": { rt, f in try setBit(rt, f, true) },
        "sigdelset": { rt, f in try setBit(rt, f, false) },
        "sigismember": { rt, f in
            let sig = try f.int32(1)
            guard sig > 0 && sig < 65 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let word = try rt.memory.load(f.int(0) + UInt64((sig - 1) / 64 * 8), as: UInt64.self)
            f.returnInt32(Int32(word >> UInt64((sig - 1) % 64) & 1))
        },
    ]

    static func setBit(_ rt: LibcRuntime, _ f: any CallFrame, _ on: Bool) throws {
        let sig = try f.int32(1)
        guard sig > 0 && sig < 65 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
        let a = try f.int(0) + UInt64((sig - 1) / 64 * 8)
        var word = try rt.memory.load(a, as: UInt64.self)
        let bit = UInt64(1) << UInt64((sig - 1) % 64)
        word = on ? word | bit : word & ~bit
        try rt.memory.store(word, at: a)
        f.returnInt32(0)
    }
}
