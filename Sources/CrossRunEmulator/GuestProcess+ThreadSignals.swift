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
/// instruction). One blocked in a futex wait (a mutex, a condition, a join, a semaphore) is
/// woken to take it, and its wait returns EINTR to the thread library, which waits again, as
/// Linux's interrupted futex wait does; a sleeping thread or one waiting for a descriptor gets
/// it when that wait ends. A signal the thread blocks stays with it until it runs with the
/// signal unblocked (`sigsuspend` looks too).
///
/// `sigsuspend` replaces the mask, delivers what it unblocks, else waits (one thread: as
/// `pause` does, for a signal from outside; several: in 2 ms sleeps of the scheduler, each
/// retrying the call, so other threads run and can signal it), and returns -1/EINTR once a
/// handler has run, with the mask put back.
extension GuestProcess {
    /// Names served by ``threadSignalFunction(_:)``.
    static let threadSignalFunctionNames = ["tgkill", "sigsuspend"]

    func threadSignalFunction(_ name: String) -> HostFunction? {
        switch name {
        case "tgkill":
            return { [unowned self] rt, f in
                let e = try sendToThread(rt, process: f.int32(0), thread: f.int32(1), sig: f.int32(2))
                if e != 0 { rt.setErrno(e); f.returnInt32(-1) } else { f.returnInt32(0) }
            }
        case "sigsuspend":
            return { [unowned self] rt, f in try suspend(rt, f) }
        default:
            return nil
        }
    }

    /// `tgkill(process, thread, sig)`: 0 or the errno.
    private func sendToThread(_ rt: LibcRuntime, process: Int32, thread: Int32, sig: Int32) throws -> Int32 {
        guard sig >= 0, sig < 65, process > 0, thread > 0 else { return EINVAL }
        guard process == getpid() else {
            // A thread of another process: the host's (under --root, only the guest's children).
            if rt.fileSystem.confined && !rt.isChildProcess(process) { return EPERM }
            return crossrun_tgkill(process, thread, sig) == 0 ? 0 : errno
        }
        if thread == (threads?.current ?? getpid()) {
            if sig != 0 { try rt.deliverThreadSignal(sig) }
            return 0
        }
        guard let s = threads, let i = s.index(of: thread) else { return ESRCH }
        if case .ended = s.threads[i].state { return ESRCH }
        guard sig != 0 else { return 0 }
        let bit = UInt64(1) << UInt64(sig - 1)
        s.threads[i].pendingSignals |= bit
        // Linux interrupts a futex wait for a signal the thread will handle now.
        if s.threads[i].signalMask & bit == 0, rt.catchesSignal(sig),
           let b = s.threads[i].block, b.futex != nil, b.retryPC == nil {
            s.threads[i].state = .runnable
            s.threads[i].resumeResult = Int64(EINTR)
        }
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

    /// At a switch to a thread with signals of its own pending: their handlers run on it
    /// before it goes on. False when the run ended.
    func deliverSignalsAtSwitch(_ s: GuestScheduler) -> Bool {
        let i = s.currentIndex
        guard s.threads[i].pendingSignals & ~runtime.signalMask != 0 else { return true }
        switch runAtInterruption(pc: arch.pc(uc), { try deliverThreadPending(s); return true }) {
        case .notRun, .returned, .jumped: return termination == nil
        case .ended: return false
        }
    }

    /// `sigsuspend(mask)`.
    private func suspend(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let set = try rt.memory.load(try f.int(0), as: UInt64.self)
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
