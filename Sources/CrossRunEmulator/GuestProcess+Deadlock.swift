import CUnicorn
import CrossRunLibc

/// Deadlock reports: every guest thread blocked and none can wake (no time limit pending).
/// Instead of hanging until `--timeout`, the run ends with ``deadlockStatus`` and a report
/// naming, per thread, its id, the call it blocks in and a symbolized backtrace (the runtime
/// is compiled with frame pointers, so the walk goes through the thread library).
extension GuestProcess {
    /// The exit status of a deadlocked run (no other CrossRun outcome uses it; doc/CLI.md).
    public static let deadlockStatus: Int32 = 125

    /// The seed used when none is given, so runs are reproducible by default.
    public static let defaultScheduleSeed: UInt64 = 1

    /// Ends the run with the report for every thread of `s` (all blocked).
    func reportDeadlock(_ s: GuestScheduler) {
        let waiting = s.threads.filter { $0.block != nil }   // not the thread that just ended
        var lines = ["deadlock: all \(waiting.count) threads are blocked and none can be woken"]
        let running = s.currentIndex
        uc_context_save(uc, s.threads[running].context)
        for t in waiting {
            uc_context_restore(uc, t.context)
            lines.append(threadLine(t.id, main: t.storage == nil, block: t.block, stack: t.stack))
        }
        uc_context_restore(uc, s.threads[running].context)
        deadlockReport = lines.joined(separator: "\n")
        termination = .immediateExit(Self.deadlockStatus)
    }

    /// A wait that nothing can ever end: the only thread waits without a time limit, or a
    /// thread waits inside a nested guest call (a signal handler or a host callback), where
    /// the scheduler cannot switch to the thread that would wake it.
    func blockedForever(_ primitive: String, futex: UInt64) throws -> Never {
        let insideNestedCall = !nested.stackTops.isEmpty && (threads?.liveCount ?? 1) > 1
        let head = insideNestedCall
            ? "deadlock: a thread waits inside a call from the C library into guest code (a signal handler or callback), where other threads cannot run"
            : "deadlock: the only thread waits with no time limit and nothing can wake it"
        let id = threads?.current ?? getpid()
        let stack = threads.map { $0.threads[$0.currentIndex].stack }
        let block = ThreadBlock(primitive: primitive, futex: futex, wakeAt: nil, timeoutResult: 0, sequence: 0)
        deadlockReport = head + "\n" + threadLine(id, main: stack == nil || threads?.threads.first?.id == id, block: block, stack: stack)
        throw GuestTermination.immediateExit(Self.deadlockStatus)
    }

    /// `  thread 4242 (main): __crossrun_futex_wait on 0x…, at 0x… (f+0x1c) <- 0x… (main+0x40)`
    /// for the thread whose registers the engine holds.
    private func threadLine(_ id: Int32, main: Bool, block: ThreadBlock?, stack: Range<UInt64>?) -> String {
        var text = "  thread \(id)" + (main ? " (main)" : "") + ": "
        if let block {
            text += block.primitive
            if let f = block.futex { text += " on 0x" + String(f, radix: 16) }
        } else {
            text += "running"
        }
        var frames = backtrace(stack: stack).map { describe($0, returnAddress: true) }
        if !isTrapStop { frames.insert(describe(arch.pc(uc)), at: 0) }
        if !frames.isEmpty { text += ", at " + frames.joined(separator: " <- ") }
        return text
    }
}
