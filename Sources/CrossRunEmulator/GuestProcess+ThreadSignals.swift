import CNativeSupport
import CUnicorn
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// Signals to one guest thread, and waiting for a signal under another mask.
///
/// `tgkill` (and `pthread_kill`, guest C over it) to the running thread delivers at once, as
/// `raise` does; to another thread it is kept in that thread's pending set and its handler
/// runs on it, under its mask, when the scheduler next switches to it (before its next
/// instruction). One that waits is woken to take it (``giveSignal(_:_:_:origin:)``): a futex
/// wait returns EINTR to the thread library, which waits again, as Linux's interrupted futex
/// wait does; a sleep or a descriptor wait ends with EINTR or restarts
/// (GuestProcess+ThreadWaits). A signal the thread blocks stays with it until it runs with the
/// signal unblocked (`sigsuspend` looks too).
///
/// `sigsuspend` replaces the mask, delivers what it unblocks, else waits (one thread: as
/// `pause` does, for a signal from outside; several: in 2 ms sleeps of the scheduler, each
/// retrying the call, so other threads run and can signal it), and returns -1/EINTR once a
/// handler has run, with the mask put back.
extension GuestProcess {
    /// Names served by ``threadSignalFunction(_:)``.
    static let threadSignalFunctionNames = ["tgkill", "__crossrun_tgsigqueue", "sigsuspend", "sigpause", "__xpg_sigpause", "__sigpause"]

    func threadSignalFunction(_ name: String) -> HostFunction? {
        switch name {
        case "tgkill":
            return { [unowned self] rt, f in
                let e = try sendToThread(rt, process: f.int32(0), thread: f.int32(1), sig: f.int32(2))
                if e != 0 { rt.setErrno(e); f.returnInt32(-1) } else { f.returnInt32(0) }
            }
        case "__crossrun_tgsigqueue":
            // pthread_sigqueue's primitive (runtime/pthread.c): tgkill with a sigqueue value.
            return { [unowned self] rt, f in
                let e = try sendToThread(rt, process: f.int32(0), thread: f.int32(1), sig: f.int32(2), queued: f.int(3))
                if e != 0 { rt.setErrno(e); f.returnInt32(-1) } else { f.returnInt32(0) }
            }
        case "sigsuspend":
            return { [unowned self] rt, f in try suspend(rt, f, mask: rt.memory.load(try f.int(0), as: UInt64.self)) }
        case "__xpg_sigpause", "sigpause", "__sigpause":
            // X/Open: waits with `sig` unblocked. BSD (`sigpause`, `__sigpause(mask, 0)`): with
            // the one-word mask (signals 1-32) as the whole mask, as glibc's.
            return { [unowned self] rt, f in
                let first = try f.int32(0)
                let isSignal = name == "__xpg_sigpause" ? true : name == "sigpause" ? false : try f.int32(1) != 0
                if isSignal {
                    // glibc's sigaddset check: 1-64 but its two internal real-time signals.
                    guard first > 0, first < 65, first != 32, first != 33 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
                    try suspend(rt, f, mask: rt.signalMask & ~(UInt64(1) << UInt64(first - 1)))
                } else {
                    try suspend(rt, f, mask: UInt64(UInt32(bitPattern: first)))
                }
            }
        default:
            return nil
        }
    }

    /// The `si_code` and value kept for the running thread's pending `sig`, taken.
    func takeThreadSignalOrigin(_ sig: Int32) -> (code: Int32, value: UInt64?)? {
        guard let s = threads, let i = s.index(of: s.current) else { return nil }
        return s.threads[i].signalOrigins.removeValue(forKey: sig)
    }

    /// `tgkill(process, thread, sig)` (`queued`: `pthread_sigqueue`'s value): 0 or the errno.
    private func sendToThread(_ rt: LibcRuntime, process: Int32, thread: Int32, sig: Int32, queued: UInt64? = nil) throws -> Int32 {
        guard sig >= 0, sig < 65, process > 0, thread > 0 else { return EINVAL }
        guard process == getpid() else {
            // A thread of another process: the host's (under --root, only the guest's children).
            if rt.fileSystem.confined && !rt.isChildProcess(process) { return EPERM }
            if let queued { return crossrun_tgsigqueue(process, thread, sig, UnsafeMutableRawPointer(bitPattern: UInt(queued))) == 0 ? 0 : errno }
            return crossrun_tgkill(process, thread, sig) == 0 ? 0 : errno
        }
        if thread == (threads?.current ?? getpid()) {
            if sig != 0 { try rt.deliverThreadSignal(sig, queued: queued) }
            return 0
        }
        guard let s = threads, let i = s.index(of: thread) else { return ESRCH }
        if case .ended = s.threads[i].state { return ESRCH }
        guard sig != 0 else { return 0 }
        giveSignal(s, i, sig, origin: queued.map { (Self.siQueue, $0) })   // GuestProcess+ThreadWaits
        return 0
    }

    /// Takes the running thread's own pending signals `mask` lets through (``LibcRuntime/takeThreadSignals``).
    func takeThreadSignals(unblockedBy mask: UInt64) -> UInt64 {
        guard let s = threads, let i = s.index(of: s.current) else { return 0 }
        let ready = s.threads[i].pendingSignals & ~mask
        s.threads[i].pendingSignals &= ~ready
        return ready
    }

    /// Delivers the running thread's own pending signals its mask lets through.
    private func deliverThreadPending(_ s: GuestScheduler) throws {
        let id = s.current
        while let i = s.index(of: id), case let ready = s.threads[i].pendingSignals & ~runtime.signalMask, ready != 0 {
            let sig = Int32(ready.trailingZeroBitCount + 1)
            s.threads[i].pendingSignals &= ~(UInt64(1) << UInt64(sig - 1))
            try runtime.deliverThreadSignal(sig)
        }
    }

    /// At a switch to a thread with signals of its own pending, or process-pending ones it
    /// does not block (Linux gives those to any thread that does not block them): their
    /// handlers run on it before it goes on. False when the run ended.
    func deliverSignalsAtSwitch(_ s: GuestScheduler) -> Bool {
        let i = s.currentIndex
        guard s.threads[i].pendingSignals & ~runtime.signalMask != 0 || runtime.deliverablePendingSignals != 0 else { return true }
        // A `sigsuspend` about to be made again takes them itself, under its own mask, and
        // returns EINTR; run here, its handler would leave it waiting.
        guard !retriesSignalWait() else { return true }
        switch runAtInterruption(pc: arch.pc(uc), { try runtime.deliverUnblockedSignals(); try deliverThreadPending(s); return true }) {
        case .notRun, .returned, .jumped: return termination == nil
        case .ended: return false
        }
    }

    /// The calls that wait for a signal under another mask.
    static let signalWaitNames: Set<String> = ["sigsuspend", "sigpause", "__xpg_sigpause", "__sigpause"]

    /// Whether the running thread is about to make one of ``signalWaitNames`` again (its PC at
    /// the function's stub: a retry).
    private func retriesSignalWait() -> Bool {
        let pc = arch.pc(uc)
        guard pc >= trampolineBase &+ 16, pc < trampolineEnd, (pc &- trampolineBase) & 15 == 0 else { return false }
        return Self.signalWaitNames.contains(libraryName(Int((pc &- trampolineBase) >> 4)))
    }

    /// `sigsuspend(mask)` (and `sigpause`'s forms, which compute `set` from their arguments:
    /// a retried call computes the same one, the mask being back as it was).
    private func suspend(_ rt: LibcRuntime, _ f: any CallFrame, mask set: UInt64) throws {
        let old = rt.signalMask, before = rt.signalHandlersRun
        func interrupted() throws {
            try rt.setSignalMask(old)
            rt.setErrno(EINTR)
            f.returnInt32(-1)
        }
        try rt.setSignalMask(set)   // delivers what it unblocks
        if let s = threads { try deliverThreadPending(s) }
        if rt.signalHandlersRun != before { return try interrupted() }
        if let s = threads, s.liveCount > 1, nested.stackTops.isEmpty {
            // Other threads run meanwhile; the call is made again after a short sleep.
            try rt.setSignalMask(old)
            s.threads[s.currentIndex].waitTimedOut = false
            let wakeAt = GuestScheduler.monotonicNow() &+ 2_000_000
            s.blockCurrent(primitive: "sigsuspend", futex: nil, wakeAt: wakeAt, timeoutResult: 0, retryPC: trapSite)
            requestSwitch(.block)
            return
        }
        guard let pause = HostLibc.function(named: "pause") else { return try interrupted() }
        while rt.signalHandlersRun == before, termination == nil {
            try signalSafeWait("pause", pause, rt, f)
        }
        try interrupted()
    }
}
