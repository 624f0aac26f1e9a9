import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// `wait`, `waitpid`, `wait3`, `wait4` and `waitid` while other guest threads live. All guest
/// threads share one engine, so a call that blocked on the host until a child ended would stop
/// every thread (Janet waits for a child in a worker thread while its event loop runs on, and
/// kills the child if a deadline passes first). Instead, when no child the call asks for is
/// ready, only the calling thread waits: it sleeps in the scheduler for ``childPollInterval``
/// and then re-enters the call's trampoline, which asks again. Whether a child is ready is
/// asked with `waitid(…, WNOHANG | WNOWAIT)`, which leaves it to the real call. With one
/// thread, inside a nested guest call, or with `WNOHANG`, calls go straight to the host.
extension GuestProcess {
    /// The functions wrapped here.
    static let childWaitingFunctionNames: Set<String> = ["wait", "waitpid", "wait3", "wait4", "waitid"]
    /// How long a waiting thread sleeps between two looks at its children (nanoseconds).
    static let childPollInterval: UInt64 = 2_000_000

    /// The thread-aware form of `name`, or nil when it is not one of them.
    func childWaitingFunction(_ name: String) -> HostFunction? {
        guard Self.childWaitingFunctionNames.contains(name), let plain = HostLibc.function(named: name) else { return nil }
        return { [unowned self] rt, f in
            guard nested.stackTops.isEmpty, let s = threads, s.liveCount > 1 else { return try plain(rt, f) }
            s.threads[s.currentIndex].waitTimedOut = false
            guard let probe = try Self.childProbe(name, f), !probe.ready() else { return try plain(rt, f) }
            let now = GuestScheduler.monotonicNow()
            s.blockCurrent(primitive: name, futex: nil, wakeAt: now &+ Self.childPollInterval, timeoutResult: 0,
                           retryPC: trapSite)
            requestSwitch(.block)
        }
    }

    /// What a wait call asks for, as `waitid` arguments.
    struct ChildProbe {
        var idtype: idtype_t
        var id: id_t
        var options: Int32

        /// Whether a child the call asks for can be reaped now, or the call fails at once
        /// (no such child: ECHILD, bad options: EINVAL); the real call then answers.
        func ready() -> Bool {
            var info = siginfo_t()
            guard waitid(idtype, id, &info, options | WNOHANG | WNOWAIT) == 0 else { return true }
            return info.si_signo != 0
        }
    }

    /// The probe for `name`'s arguments; nil when the call does not wait (`WNOHANG`).
    static func childProbe(_ name: String, _ f: any CallFrame) throws -> ChildProbe? {
        /// waitpid's options as waitid's: WUNTRACED is WSTOPPED, and the `__W*` thread flags pass.
        func forPid(_ pid: Int32, _ options: Int32) -> ChildProbe? {
            guard options & WNOHANG == 0 else { return nil }
            let passed = options & (WUNTRACED | WCONTINUED | Int32(bitPattern: 0xe000_0000))
            let flags = WEXITED | passed
            if pid == -1 { return ChildProbe(idtype: P_ALL, id: 0, options: flags) }
            if pid == 0 { return ChildProbe(idtype: P_PGID, id: id_t(getpgrp()), options: flags) }
            if pid < 0 {
                guard pid != Int32.min else { return nil }
                return ChildProbe(idtype: P_PGID, id: id_t(-pid), options: flags)
            }
            return ChildProbe(idtype: P_PID, id: id_t(pid), options: flags)
        }
        switch name {
        case "wait": return forPid(-1, 0)
        case "waitpid", "wait4": return forPid(try f.int32(0), try f.int32(2))
        case "wait3": return forPid(-1, try f.int32(1))
        case "waitid":
            let options = try f.int32(3)
            guard options & WNOHANG == 0 else { return nil }
            return ChildProbe(idtype: idtype_t(UInt32(truncatingIfNeeded: try f.int(0))), id: id_t(truncatingIfNeeded: try f.int(1)),
                              options: options)
        default: return nil
        }
    }
}
