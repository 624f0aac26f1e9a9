import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The temporary directories this process made (``FileIO/makeTemporaryDirectory()``) and has not
/// removed yet, so that an orchestrating command (`crossrun test`, `matrix`) interrupted by
/// Ctrl-C, `kill` or a closed terminal leaves nothing behind in `$TMPDIR`: its runs' scratch
/// directories and outcome records are removed before it dies of the signal as before.
public enum TemporaryDirectories {
    private static let live = Mutex<Set<String>>([])
    /// The signals that end the process after the clean-up (their default action is to end it).
    private static let interrupts: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    static func made(_ path: String) { _ = live.withLock { $0.insert(path) } }

    static func removed(_ path: String) { _ = live.withLock { $0.remove(path) } }

    /// The directories made and not yet removed.
    public static var outstanding: [String] { live.withLock { Array($0) } }

    /// From now on SIGINT, SIGTERM, SIGHUP and SIGQUIT (those not ignored) remove every
    /// outstanding directory and then end the process by that signal (its exit status is what
    /// it was without this).
    ///
    /// Call it before the process starts threads: the signals are blocked in the calling thread
    /// (threads started later inherit that) and taken by a thread of their own with `sigwait`,
    /// so no clean-up code runs in a signal handler. Children must not inherit the mask: every
    /// spawn in CrossRun sets the child's mask and dispositions (``Subprocess``, the run workers).
    public static func removeOnInterrupt() {
        var set = sigset_t()
        sigemptyset(&set)
        // A signal the process was started ignoring (SIGINT in a shell's background job,
        // SIGHUP under nohup) stays ignored.
        for signal in interrupts {
            var current = sigaction()
            if sigaction(signal, nil, &current) == 0, current.__sigaction_handler.sa_handler == nil { sigaddset(&set, signal) }
        }
        guard pthread_sigmask(SIG_BLOCK, &set, nil) == 0 else { return }
        // The waiting thread gets its own copy of the set (freed when it ends).
        let argument = UnsafeMutablePointer<sigset_t>.allocate(capacity: 1)
        argument.initialize(to: set)
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            guard let set = raw?.assumingMemoryBound(to: sigset_t.self) else { return nil }
            var signal: Int32 = 0
            let waited = sigwait(set, &signal)
            set.deallocate()
            if waited == 0 { TemporaryDirectories.removeOutstandingAndDie(of: signal) }
            return nil
        }, argument)
        if started == 0 {
            pthread_detach(thread)
        } else {
            argument.deallocate()
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
        }
    }

    /// Removes what is outstanding and ends the process by `signal`.
    private static func removeOutstandingAndDie(of signal: Int32) {
        for path in outstanding { FileIO.removeTree(path) }
        HostSignal.endProcess(by: signal)
        // A signal whose default action is not to end the process: end it as a shell reports it.
        _exit(128 + signal)
    }
}

/// This process's own end by a signal.
public enum HostSignal {
    /// Flushes stdio and raises `signal` with its default action, unblocked in the calling
    /// thread; returns only if that action does not end the process.
    public static func endProcess(by signal: Int32) {
        fflush(nil)
        Glibc.signal(signal, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(signal)
    }
}
