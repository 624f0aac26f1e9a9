import CNativeSupport
import CUnicorn
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// `--timeout` for emulated runs: one deadline for the whole run (initializers, entry, exit
/// handlers together), kept by a watchdog thread rather than by libunicorn's per-call timer,
/// so it also holds while the guest waits in a host call (`sleep`, `read` on a silent pipe,
/// `poll`, `waitpid`…), which no engine timer can interrupt.
///
/// At the deadline the watchdog stops the engine (`uc_emu_stop`) and signals the running
/// thread with ``CROSSRUN_TIMEOUT_SIGNAL`` every 20 ms, whose handler does nothing but make
/// blocking system calls return `EINTR`; each trap checks the deadline when its host function
/// returns and ends the run with the timeout report. If host code still has not returned a
/// second later (a call that retries on `EINTR`, such as `system`), the watchdog ends the
/// process itself when ``Options/watchdogExit`` is set (the CLI), else keeps interrupting.
extension GuestProcess {
    /// Starts the run's deadline (no-op without a timeout, or when fuzzing limits each call).
    func startDeadline() {
        guard options.timeout > 0, callTimeoutMicros == nil, deadline == nil else { return }
        crossrun_install_interrupt_signal(CROSSRUN_TIMEOUT_SIGNAL)
        let expire: @convention(c) (UnsafeMutableRawPointer?) -> Void = { engine in
            guard let engine else { return }
            uc_emu_stop(OpaquePointer(engine))
        }
        let hardExit = options.watchdogExit
        deadline = crossrun_deadline_start(UInt64(options.timeout) * 1000,
                                           CROSSRUN_TIMEOUT_SIGNAL, expire, UnsafeMutableRawPointer(uc),
                                           hardExit == nil ? -1 : Int(CROSSRUN_HARD_EXIT_MS), hardExit?.report, hardExit?.record)
    }

    /// Stops the watchdog (before the engine closes).
    func cancelDeadline() {
        crossrun_deadline_cancel(deadline)
        deadline = nil
    }

    /// In the child of an emulated `fork`: the watchdog thread did not survive, so a new one
    /// keeps the same deadline (one deadline for the parent and its children).
    func deadlineAfterFork() {
        deadline = crossrun_deadline_after_fork(deadline)
    }

    /// Whether the run's deadline has passed.
    var deadlinePassed: Bool { deadline != nil && crossrun_deadline_expired(deadline) != 0 }

    /// Ends the current `uc_emu_start` with the timeout when the deadline has passed.
    @inline(__always)
    func checkDeadline() {
        if deadline != nil && crossrun_deadline_expired(deadline) != 0 { stop(Self.timedOut) }
    }

    /// The termination a passed deadline sets.
    static var timedOut: GuestTermination { .signal(0, "timeout") }
}
