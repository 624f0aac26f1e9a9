import CNativeSupport
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// Signals that reach a guest thread other than the running one, as Linux delivers them.
///
/// **Waits are interruptible.** A signal the thread handles and does not block wakes it from
/// whatever it waits in, and its handler runs on it before its next instruction
/// (``deliverSignalsAtSwitch(_:)``): a futex wait returns EINTR to the thread library (which
/// waits again); `nanosleep`/`clock_nanosleep`/`usleep` end with EINTR (`nanosleep`'s time left
/// written, `sleep` returns the seconds left); a descriptor or child wait (`read`, `accept`,
/// `waitpid`…) restarts when the handler has `SA_RESTART`, else fails with EINTR, and `select`,
/// `poll`, `epoll_wait` and `pause` always fail with EINTR (Linux never restarts them).
///
/// **Process-directed signals** (`kill` or `sigqueue` to this process, a signal from outside)
/// that the running thread blocks go to a thread that does not block it
/// (``redirectProcessSignal(_:code:value:)``), and process-pending ones are delivered at a switch
/// to any thread not blocking them. The host thread running the engine blocks only what every
/// live guest thread blocks (``hostMirrorMask(_:)``), so a signal from outside is recorded when
/// some thread can take it; one recorded while every thread waits is routed from the
/// scheduler's idle wait (``routeRecordedSignals(_:)``).
extension GuestProcess {
    /// Calls that fail with EINTR after a handler even with `SA_RESTART` (signal(7)).
    static let neverRestartedWaits: Set<String> = ["select", "pselect", "poll", "ppoll", "epoll_wait", "epoll_pwait", "epoll_pwait2", "pause"]
    /// `SI_QUEUE`: a `sigqueue`'s `si_code`.
    static let siQueue: Int32 = -1

    /// Makes `sig` pending for thread `i` (not the running one) with its origin (nil:
    /// `SI_TKILL`), and interrupts its wait when it handles the signal and does not block it.
    func giveSignal(_ s: GuestScheduler, _ i: Int, _ sig: Int32, origin: (code: Int32, value: UInt64?)?) {
        let bit = UInt64(1) << UInt64(sig - 1)
        s.threads[i].pendingSignals |= bit
        s.threads[i].signalOrigins[sig] = origin
        if s.threads[i].signalMask & bit == 0 { interruptWait(s, i, sig) }
    }

    /// Ends thread `i`'s wait for `sig` as Linux's signal delivery does (see the type's notes).
    private func interruptWait(_ s: GuestScheduler, _ i: Int, _ sig: Int32) {
        guard runtime.catchesSignal(sig), let b = s.threads[i].block else { return }
        /// The wait ends with `result`, `errno` EINTR (when given) in the thread's own cell.
        func fail(_ result: Int64, errno: Bool = true) {
            s.threads[i].state = .runnable
            s.threads[i].resumeResult = result
            if errno { try? memory.store(Int32(EINTR), at: s.threads[i].errnoAddress) }
        }
        if b.futex != nil {
            guard b.retryPC == nil else { return }
            fail(Int64(EINTR), errno: false)   // the thread library's futex primitive returns it
            return
        }
        if let pc = b.retryPC {
            if b.primitive == "sigsuspend" {
                // It makes the call again now, which takes the signal under its mask.
                s.threads[i].state = .runnable
                s.threads[i].retryPC = pc
                return
            }
            let restarts = (runtime.signalActions[sig]?.flags ?? 0) & SA_RESTART != 0
            if restarts && !Self.neverRestartedWaits.contains(b.primitive) {
                s.threads[i].state = .runnable
                s.threads[i].retryPC = pc
            } else if s.threads[i].writeProgress > 0 {
                // A write that already wrote some of its data returns that count, as Linux's.
                fail(Int64(s.threads[i].writeProgress), errno: false)
                s.threads[i].writeProgress = 0
            } else {
                fail(-1)
            }
            return
        }
        // A sleep: the time left.
        let now = GuestScheduler.monotonicNow()
        let left = b.wakeAt.map { $0 > now ? $0 - now : 0 } ?? 0
        switch b.primitive {
        case "nanosleep", "clock_nanosleep":
            if b.remainder != 0 {
                try? memory.store(Int64(left / 1_000_000_000), at: b.remainder)
                try? memory.store(Int64(left % 1_000_000_000), at: b.remainder &+ 8)
            }
            if b.primitive == "nanosleep" { fail(-1) } else { fail(Int64(EINTR), errno: false) }
        case "usleep":
            fail(-1)
        case "sleep":
            // glibc's sleep: the seconds left, rounded to the nearest.
            fail(Int64(left / 1_000_000_000 + (left % 1_000_000_000 >= 500_000_000 ? 1 : 0)), errno: false)
        default:
            return
        }
    }

    /// Gives process-directed `sig`, which the running thread blocks, to another live thread
    /// that does not block it (the first, in creation order); false when none.
    func redirectProcessSignal(_ sig: Int32, code: Int32, value: UInt64?) -> Bool {
        guard let s = threads, s.liveCount > 1, sig > 0, sig < 65 else { return false }
        let bit = UInt64(1) << UInt64(sig - 1), current = s.currentIndex
        guard let i = s.threads.indices.first(where: { j in
            guard j != current, s.threads[j].signalMask & bit == 0 else { return false }
            if case .ended = s.threads[j].state { return false }
            return true
        }) else { return false }
        giveSignal(s, i, sig, origin: (code, value))
        return true
    }

    /// What the host thread running the engine blocks: what the running thread blocks (`mask`)
    /// and every other live thread blocks too, so a signal from outside some thread can take
    /// is recorded (and routed) instead of waiting on the host.
    func hostMirrorMask(_ mask: UInt64) -> UInt64 {
        guard let s = threads, s.threads.count > 1 else { return mask }
        let current = s.current
        return s.threads.reduce(mask) { all, t in
            if t.id == current { return all }
            if case .ended = t.state { return all }
            return all & t.signalMask
        }
    }

    /// A library call asked for a thread switch (it blocked, ended its thread, was preempted)
    /// after a nested guest call in it (a signal handler run at its entry): Unicorn then no
    /// longer honours `uc_emu_stop` for this run, and the stub's `ret` would carry on as if
    /// the call had returned (a blocked `read` returned its descriptor). The call leaves for the
    /// run's stop address instead, where the run stops, and the thread resumes at the stub's
    /// `ret` (``GuestThread/resumePC``), its return address untouched. Block-hook stubs only.
    func keepStopAfterNestedCalls() {
        guard let s = threads, s.request != nil, termination == nil, !libraryCallsTrap, hookResumePC != stopAddress else { return }
        s.threads[s.currentIndex].resumePC = hookResumePC
        hookResumePC = stopAddress
    }

    /// From the scheduler's idle wait (every thread waits; the one being left is
    /// `s.current`, its mask still the runtime's): the signals from outside recorded meanwhile
    /// go to a thread that does not block them, waking it; one every thread blocks becomes
    /// pending for the process. True when there was any.
    func routeRecordedSignals(_ s: GuestScheduler) -> Bool {
        guard crossrun_host_signals_pending() != 0 else { return false }
        var signals = crossrun_take_host_signals()
        let current = s.currentIndex
        s.threads[current].signalMask = runtime.signalMask   // the thread being left: its live mask
        while signals != 0 {
            let sig = Int32(signals.trailingZeroBitCount + 1)
            signals &= signals &- 1
            let bit = UInt64(1) << UInt64(sig - 1)
            runtime.noteSignalSender(sig)   // its si_pid/si_uid go with it to whichever thread takes it
            var origin: (code: Int32, value: UInt64?) = (0, nil)   // SI_USER
            if let recorded = runtime.recordedSignalOrigin?(sig), recorded.code == Self.siQueue {
                origin = (recorded.code, recorded.value)
            }
            var currentTakes = runtime.signalMask & bit == 0
            if case .ended = s.threads[current].state { currentTakes = false }   // a thread that just ended
            if currentTakes {
                giveSignal(s, current, sig, origin: origin)
            } else if !redirectProcessSignal(sig, code: origin.code, value: origin.value) {
                // Every live thread blocks it: pending for the process (no handler runs here).
                if runtime.signalMask & bit != 0 { try? runtime.deliverHostSignal(sig) } else { runtime.makePending(sig) }
            }
        }
        return true
    }
}
