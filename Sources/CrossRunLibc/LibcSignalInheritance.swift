#if canImport(Glibc)
import Glibc
#endif

/// What a process inherits across `execve` about signals: its blocked mask, and the signals it
/// ignores (a handled signal is reset to its default action; an ignored one stays ignored).
/// A background job of a non-interactive shell ignores SIGINT and SIGQUIT, `nohup` ignores
/// SIGHUP, a program that blocked SIGCHLD and executed another passes the mask on: the guest
/// of an emulated run starts with what the CrossRun process started with, as a native run does.
/// Bit N-1 stands for signal N (Linux's numbers, the same on every target).
public struct InheritedSignals: Sendable, Equatable {
    public var blocked: UInt64
    public var ignored: UInt64

    public init(blocked: UInt64 = 0, ignored: UInt64 = 0) {
        self.blocked = blocked
        self.ignored = ignored
    }

    /// The signals a guest never inherits as ignored: SIGKILL and SIGSTOP cannot be, and a
    /// fault signal that is ignored still ends the process on Linux when the fault happens.
    static let neverIgnored: UInt64 = [SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP]
        .reduce(0) { $0 | LibcSignal.bit($1) }

    /// The calling thread's mask and the process's ignored signals, now.
    public static func current() -> InheritedSignals {
        var mask = sigset_t()
        sigemptyset(&mask)
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        var result = InheritedSignals()
        for sig in Int32(1)...64 {
            if sigismember(&mask, sig) == 1 { result.blocked |= LibcSignal.bit(sig) }
            if hostIgnores(sig) { result.ignored |= LibcSignal.bit(sig) }
        }
        return result
    }

    /// Whether this process's disposition of `sig` is SIG_IGN now.
    static func hostIgnores(_ sig: Int32) -> Bool {
        var action = sigaction()
        return sigaction(sig, nil, &action) == 0 && unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == 1
    }

    /// What this process started with: read once, at CrossRun's start, before it changes any
    /// disposition or mask of its own (``CrossRunCommand``'s entry reads it first).
    public static let atStart = current()
}

extension LibcRuntime {
    /// Starts the guest with `inherited` as the state it got from `execve` (before its first
    /// instruction: nothing is pending, so nothing is delivered).
    public func inherit(_ inherited: InheritedSignals) {
        var ignored = inherited.ignored & ~InheritedSignals.neverIgnored
        while ignored != 0 {
            let sig = Int32(ignored.trailingZeroBitCount + 1)
            ignored &= ignored &- 1
            LibcSignalLegacy.setDisposition(self, sig, handler: 1, flags: 0)   // SIG_IGN
        }
        if inherited.blocked != 0 { try? setSignalMask(inherited.blocked) }
    }
}
