import CNativeSupport
#if canImport(Glibc)
import Glibc
#endif

/// Futex words in `MAP_SHARED` mappings: a process-shared mutex, condition variable or
/// semaphore that another process (a forked CrossRun, with its own engine) may hold, signal or
/// post. Such a word is waited on and woken through the host's shared futex on the host page
/// (the same page in every process that maps it), so a wake from any process reaches the
/// waiter. The scheduler cannot see those wakes: a guest thread among others waits in slices
/// of ``sharedWaitSlice`` and its thread library looks at the word again after each.
extension GuestProcess {
    /// Longest sleep of one wait on a shared word, in nanoseconds.
    static let sharedWaitSlice: UInt64 = 10_000_000

    /// `__crossrun_futex_wait` on a word of a shared mapping (the value already checked):
    /// 0 when woken (or at the end of a slice: a spurious wake-up), ETIMEDOUT at `wakeAt`.
    func sharedFutexWait(_ address: UInt64, expected: Int32, wakeAt: UInt64?) throws -> Int32 {
        let (sliceEnd, over) = GuestScheduler.monotonicNow().addingReportingOverflow(Self.sharedWaitSlice)
        let end = over ? UInt64.max : sliceEnd
        let until = min(wakeAt ?? end, end)
        let timesOut = wakeAt.map { $0 <= end } ?? false
        if let s = threads, s.liveCount > 1, nested.stackTops.isEmpty {
            s.blockCurrent(primitive: "__crossrun_futex_wait", futex: address, wakeAt: until,
                           timeoutResult: timesOut ? Int64(ETIMEDOUT) : 0)
            requestSwitch(.block)
            return 0
        }
        // The only thread (or inside a call from the C library): the engine waits on the host.
        guard !deadlinePassed, let word = try? memory.host(address, 4, write: false) else { return EINTR }
        var at = timespec(tv_sec: Int(until / 1_000_000_000), tv_nsec: Int(until % 1_000_000_000))
        let r = __crossrun_futex_wait(word.assumingMemoryBound(to: Int32.self), expected, &at, CLOCK_MONOTONIC)
        if r == ETIMEDOUT { return timesOut ? ETIMEDOUT : 0 }
        return r == EAGAIN ? EAGAIN : 0
    }

    /// The host half of `__crossrun_futex_wake`: wakes up to `count` waiters of other
    /// processes on a word of a shared mapping; returns how many (0 for other words).
    func sharedFutexWake(_ address: UInt64, count: Int32) -> Int {
        guard count > 0, address % 4 == 0, memory.isShared(address),
              let word = try? memory.host(address, 4, write: false) else { return 0 }
        return Int(__crossrun_futex_wake(word.assumingMemoryBound(to: Int32.self), count))
    }
}
