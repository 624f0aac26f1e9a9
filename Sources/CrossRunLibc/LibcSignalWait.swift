#if canImport(Glibc)
import Glibc
#endif

/// `sigwait`: takes a signal of the set that is pending for the guest (raised while blocked,
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

    static let functions: [String: HostFunction] = [
        "sigwait": { rt, f in
            let setAddress = try f.int(0), out = try f.int(1)
            let set = try rt.memory.load(setAddress, as: UInt64.self) & ~LibcSignal.unblockable
            _ = try rt.memory.host(out, 4, write: true)   // a bad result pointer faults first, as natively
            func takePending() throws -> Bool {
                guard case let ready = rt.pendingSignals & set, ready != 0 else { return false }
                let sig = Int32(ready.trailingZeroBitCount + 1)
                rt.pendingSignals &= ~LibcSignal.bit(sig)
                try rt.memory.store(sig, at: out)
                f.returnInt32(0)
                return true
            }
            if try takePending() { return }
            var host = sigset_t(), old = sigset_t()
            sigemptyset(&host)
            for sig in Int32(1)..<32 where set & LibcSignal.bit(sig) != 0 && hostWaitable(sig) { sigaddset(&host, sig) }
            guard (1..<32).contains(where: { sigismember(&host, Int32($0)) == 1 }) else {
                f.returnInt32(EINVAL)   // nothing the host could deliver: it would wait forever
                return
            }
            pthread_sigmask(SIG_BLOCK, &host, &old)
            defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
            // Blocked on the host now: what arrives stays pending there for sigwaitinfo. What
            // came before was recorded for the guest: deliver it (a blocked one becomes pending).
            var recorded = rt.takeRecordedSignals?() ?? 0
            while recorded != 0 {
                let sig = Int32(recorded.trailingZeroBitCount + 1)
                recorded &= recorded &- 1
                try LibcSignal.deliver(rt, sig)
            }
            if try takePending() { return }
            var sig: Int32 = -1
            repeat { sig = sigwaitinfo(&host, nil) } while sig < 0 && errno == EINTR
            guard sig > 0 else { f.returnInt32(errno); return }
            try rt.memory.store(sig, at: out)
            f.returnInt32(0)
        },
    ]
}
