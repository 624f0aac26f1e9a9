#if canImport(Glibc)
import Glibc
#endif

/// `sigwait`, `sigwaitinfo`, `sigtimedwait`: take a signal of the set that is pending for the guest (raised while blocked,
/// or a SIGPIPE a write raised: LMDB's copy thread collects that one after EPIPE), else waits
/// for one from outside with the host's `sigtimedwait`, the set blocked on the host meanwhile.
/// Signal numbers are the same on every Linux target. Synchronous fault signals and the
/// real-time ones (CrossRun's own timers use them) are not waited for on the host. While the
/// host waits, other guest threads do not run (as for `waitpid`).
enum LibcSignalWait {
    /// Signals a host wait may block: the ordinary ones a process can send.
    static func hostWaitable(_ sig: Int32) -> Bool {
        sig > 0 && sig < 32 && ![SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP].contains(sig)
    }

    /// How a wait ended: a signal (with the host's `siginfo_t` bytes when the host delivered
    /// it), or an errno.
    enum Outcome {
        case signal(Int32, info: [UInt8]?)
        case failure(Int32)
    }

    /// The guest's `sigset_t` at `address`, without SIGKILL and SIGSTOP.
    static func set(_ rt: LibcRuntime, _ address: UInt64) throws -> UInt64 {
        try rt.memory.load(address, as: UInt64.self) & ~LibcSignal.unblockable
    }

    /// Waits for a signal of `set`: one pending for the guest first, else from outside through
    /// the host's `sigtimedwait` (`timeout` nil: no limit), the set blocked on the host meanwhile.
    static func wait(_ rt: LibcRuntime, _ set: UInt64, timeout: timespec?) throws -> Outcome {
        func takePending() -> Outcome? {
            guard case let ready = rt.pendingSignals & set, ready != 0 else { return nil }
            let sig = Int32(ready.trailingZeroBitCount + 1)
            let (code, value) = rt.takePendingSignal(sig)
            let sender = rt.state.signalSenders.removeValue(forKey: sig)
            return .signal(sig, info: pendingInfo(sig, code: code, value: value, sender: sender))
        }
        if let taken = takePending() { return taken }
        var host = sigset_t(), old = sigset_t()
        sigemptyset(&host)
        for sig in Int32(1)..<32 where set & LibcSignal.bit(sig) != 0 && hostWaitable(sig) { sigaddset(&host, sig) }
        guard (1..<32).contains(where: { sigismember(&host, Int32($0)) == 1 }) else {
            return .failure(EINVAL)   // nothing the host could deliver: it would wait forever
        }
        pthread_sigmask(SIG_BLOCK, &host, &old)
        // Afterwards only what this added is unblocked: a handler run below may change the
        // guest's mask, which the host's then follows (``LibcRuntime/signalMaskChanged``).
        var added = sigset_t()
        sigemptyset(&added)
        for sig in Int32(1)..<32 where sigismember(&host, sig) == 1 && sigismember(&old, sig) == 0 { sigaddset(&added, sig) }
        defer { pthread_sigmask(SIG_UNBLOCK, &added, nil) }
        // Blocked on the host now: what arrives stays pending there for the host's wait. What
        // came before was recorded for the guest: deliver it (a blocked one becomes pending).
        var recorded = rt.takeRecordedSignals?() ?? 0
        while recorded != 0 {
            let sig = Int32(recorded.trailingZeroBitCount + 1)
            recorded &= recorded &- 1
            try rt.deliverHostSignal(sig)   // with its sender, kept if it becomes pending
        }
        if let taken = takePending() { return taken }
        var info = siginfo_t()
        var sig: Int32 = -1
        repeat {
            if var limit = timeout { sig = sigtimedwait(&host, &info, &limit) } else { sig = sigwaitinfo(&host, &info) }
        } while sig < 0 && errno == EINTR
        guard sig > 0 else { return .failure(errno) }
        return .signal(sig, info: withUnsafeBytes(of: &info) { Array($0.prefix(128)) })
    }

    /// The host-layout `siginfo_t` (the same 128 bytes on every 64-bit Linux target) of a
    /// signal taken from the pending set: its `si_code`, its sender (another process's kept
    /// with it, else this process) and a `sigqueue` value.
    static func pendingInfo(_ sig: Int32, code: Int32, value: UInt64?, sender: (pid: Int32, uid: UInt32)?) -> [UInt8] {
        var info = siginfo_t()
        info.si_signo = sig
        info.si_code = code
        info._sifields._rt.si_pid = sender?.pid ?? getpid()
        info._sifields._rt.si_uid = sender?.uid ?? getuid()
        if let value { info._sifields._rt.si_sigval.sival_ptr = UnsafeMutableRawPointer(bitPattern: UInt(value)) }
        return withUnsafeBytes(of: &info) { Array($0.prefix(128)) }
    }

    /// `sigwaitinfo`/`sigtimedwait`: the signal, its `siginfo_t` at argument 1 (the host's
    /// record for a signal from outside that arrives during the wait; for one that was pending
    /// ``pendingInfo(_:code:value:sender:)``), -1 and errno on failure.
    static func waitWithInfo(_ rt: LibcRuntime, _ f: any CallFrame, timed: Bool) throws {
        let set = try set(rt, f.int(0)), infoAddress = try f.int(1)
        if infoAddress != 0 { _ = try rt.memory.host(infoAddress, 128, write: true) }
        var timeout: timespec?
        if timed {
            let at = try f.int(2)
            guard at != 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let seconds = try rt.memory.load(at, as: Int64.self), nanoseconds = try rt.memory.load(at &+ 8, as: Int64.self)
            guard seconds >= 0, (0..<1_000_000_000).contains(nanoseconds) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            timeout = timespec(tv_sec: Int(seconds), tv_nsec: Int(nanoseconds))
        }
        switch try wait(rt, set, timeout: timeout) {
        case .failure(let e):
            rt.setErrno(e)
            f.returnInt32(-1)
        case .signal(let sig, let info):
            if infoAddress != 0 {
                var bytes = info ?? [UInt8](repeating: 0, count: 128)
                if info == nil { withUnsafeBytes(of: sig.littleEndian) { bytes.replaceSubrange(0..<4, with: $0) } }
                try rt.memory.write(bytes, at: infoAddress)
            }
            f.returnInt32(sig)
        }
    }

    static let functions: [String: HostFunction] = [
        "sigwait": { rt, f in
            let set = try set(rt, f.int(0)), out = try f.int(1)
            _ = try rt.memory.host(out, 4, write: true)   // a bad result pointer faults first, as natively
            switch try wait(rt, set, timeout: nil) {
            case .failure(let e): f.returnInt32(e)
            case .signal(let sig, _):
                try rt.memory.store(sig, at: out)
                f.returnInt32(0)
            }
        },
        "sigwaitinfo": { rt, f in try waitWithInfo(rt, f, timed: false) },
        "sigtimedwait": { rt, f in try waitWithInfo(rt, f, timed: true) },
    ]
}
