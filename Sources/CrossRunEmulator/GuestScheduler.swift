import CNativeSupport
import CUnicorn
#if canImport(Glibc)
import Glibc
#endif

/// The seeded generator behind every scheduling choice (SplitMix64): the same seed gives the
/// same choices, so an interleaving can be replayed with `--schedule-seed N`.
struct SchedulePRNG {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (`bound` > 0).
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(max(bound, 1)))
    }
}

/// Why a guest thread waits.
struct ThreadBlock {
    /// The library function it waits in (for deadlock reports).
    var primitive: String
    /// The futex word it waits on (nil: a sleep).
    var futex: UInt64?
    /// When it wakes by itself, in host `CLOCK_MONOTONIC` nanoseconds (nil: never).
    var wakeAt: UInt64?
    /// What its call returns when `wakeAt` passes (ETIMEDOUT for a futex wait, 0 for a sleep).
    var timeoutResult: Int64
    /// Order of blocking, so futex waiters wake first come, first served.
    var sequence: UInt64
    /// For a call waiting on descriptors (`read`, `select`, `poll`…): the host descriptors and
    /// events it waits for, and its trampoline, which it re-enters when one is ready or its
    /// time limit passes (the call then runs again, finding data or its time up).
    var descriptors: [pollfd]? = nil
    var retryPC: UInt64? = nil
    /// For `nanosleep`/`clock_nanosleep`: where a signal that ends the sleep early writes the
    /// time left (0: nowhere).
    var remainder: UInt64 = 0
}

/// One guest thread of an emulated program.
struct GuestThread {
    enum State {
        case runnable
        case blocked(ThreadBlock)
        case ended
    }

    /// Its id (`gettid`): the process id for the main thread (in a forked child, the thread
    /// that forked becomes the main thread, with the new process id).
    var id: Int32
    /// Its CPU registers while it does not run (`uc_context`).
    let context: OpaquePointer
    var state: State = .runnable
    /// Where it starts, until it has run once: `entry(arg)` on a stack below `stackTop`.
    var start: (entry: UInt64, argument: UInt64, stackTop: UInt64)?
    /// Its stack pointer right after the start call was set up (to tell a return of its entry
    /// function from a jump to the emulator's return address).
    var entryStackPointer: UInt64 = 0
    /// Its thread pointer (FS base / TPIDR_EL0 / tp): the thread control block.
    var threadPointer: UInt64
    /// Its `errno` cell.
    var errnoAddress: UInt64
    /// Its stack mapping (with the guard page), released when it ends; nil for the main thread.
    var stackMapping: (address: UInt64, length: UInt64)?
    /// Where its stack lies (for backtraces).
    var stack: Range<UInt64>
    /// The guest heap block with its control block, `errno` cell and TLS block (nil: main's).
    var storage: UInt64?
    /// The word cleared and woken when it ends (`CLONE_CHILD_CLEARTID`).
    var tidWord: UInt64?
    /// The result its blocked call returns when it runs again.
    var resumeResult: Int64?
    /// Where it resumes instead, to make its blocked library call again (descriptor waits).
    var retryPC: UInt64?
    /// Where it resumes when its last library call asked for a switch after a nested guest
    /// call (``GuestProcess/keepStopAfterNestedCalls()``): the stub's return.
    var resumePC: UInt64?
    /// Its descriptor wait ended by its time limit: the retried call must not wait again.
    var waitTimedOut = false
    /// Bytes its blocking `write`/`writev` to a pipe or socket already wrote before it waited
    /// for room (`GuestProcess+StreamWrites.swift`); 0 between such calls.
    var writeProgress = 0
    /// The host rounding mode its library calls run under (its `<fenv.h>` state).
    var rounding: Int32 = FE_TONEAREST
    /// Its signal mask (`pthread_sigmask` is per thread; a new thread inherits its creator's).
    var signalMask: UInt64 = 0
    /// Signals sent to it alone (`pthread_kill`, `tgkill`), delivered when it next runs.
    var pendingSignals: UInt64 = 0
    /// The `si_code` and `sigqueue` value of those that carry one (`pthread_sigqueue`, a
    /// process-directed signal another thread blocked); the others are `SI_TKILL`.
    var signalOrigins: [Int32: (code: Int32, value: UInt64?)] = [:]
    var flagsKnownSet: Int32 = 0

    var isRunnable: Bool { if case .runnable = state { return true } else { return false } }
    var block: ThreadBlock? { if case .blocked(let b) = state { return b } else { return nil } }
}

/// Why the running thread stops running.
enum SwitchReason {
    /// It blocked (futex wait, sleep).
    case block
    /// `sched_yield`: another runnable thread goes first if there is one.
    case yield
    /// Preempted (a seeded count of library calls, a spawn, a time slice).
    case preempt
    /// It ended.
    case exit
}

/// The emulated scheduler's state: guest threads multiplexed on one engine (see
/// GuestProcess+Threads for the switching). Created at the program's first
/// `__crossrun_thread_spawn`; a single-threaded program never has one.
final class GuestScheduler {
    /// Live threads (and the running one even when it has just ended), in creation order.
    var threads: [GuestThread]
    /// The running thread's id.
    var current: Int32
    var random: SchedulePRNG
    /// Library calls left before the running thread is preempted.
    var callsUntilPreemption: Int
    /// Library calls made at the outermost run level so far, and at the last time slice.
    var calls: UInt64 = 0
    var callsAtTick: UInt64 = 0
    /// A switch the running thread asked for (set in a trap, acted on by the run loop).
    var request: SwitchReason?
    var nextSequence: UInt64 = 0
    var nextID: Int32
    /// The time-slice thread (`crossrun_ticker`), while more than one thread lives.
    var ticker: OpaquePointer?
    /// The block hook that acts on its ticks.
    var sliceHook: uc_hook?
    /// Stacks of ended threads kept for new ones (unmapping costs the engine a TLB and jump
    /// cache flush per page: ~0.5 ms for an 8 MiB stack), at most ``cachedStacks``.
    var stackCache: [(address: UInt64, length: UInt64)] = []
    static let cachedStacks = 16

    /// At most this many threads live at once (more: `EAGAIN`).
    static let maxThreads = 1024
    /// Preemption comes after 1…this many library calls, drawn from the seeded generator.
    static let maxCallsBetweenPreemptions = 64
    /// The time slice in milliseconds of the emulating host thread's CPU time: a thread that
    /// made no library call for a whole slice is preempted (so spin loops progress); one that
    /// did is left alone, so the interleaving of programs whose threads make a library call at
    /// least every few milliseconds depends on the seed only.
    static let sliceMilliseconds: UInt64 = 10

    init(main: GuestThread, seed: UInt64) {
        threads = [main]
        current = main.id
        random = SchedulePRNG(seed: seed)
        nextID = main.id &+ 1
        callsUntilPreemption = 1
        callsUntilPreemption = drawPreemptionInterval()
    }

    func drawPreemptionInterval() -> Int { 1 + random.below(Self.maxCallsBetweenPreemptions) }

    func index(of id: Int32) -> Int? { threads.firstIndex { $0.id == id } }

    /// The running thread's index (it is always in ``threads``).
    var currentIndex: Int { index(of: current) ?? 0 }

    /// Live threads other than ended ones.
    var liveCount: Int { threads.reduce(0) { if case .ended = $1.state { return $0 } else { return $0 + 1 } } }

    /// Blocks the running thread.
    func blockCurrent(primitive: String, futex: UInt64?, wakeAt: UInt64?, timeoutResult: Int64,
                      descriptors: [pollfd]? = nil, retryPC: UInt64? = nil) {
        nextSequence += 1
        threads[currentIndex].state = .blocked(ThreadBlock(primitive: primitive, futex: futex, wakeAt: wakeAt,
                                                           timeoutResult: timeoutResult, sequence: nextSequence,
                                                           descriptors: descriptors, retryPC: retryPC))
    }

    /// Wakes up to `count` threads waiting on `futex`, first blocked first; returns how many.
    func wake(futex: UInt64, count: Int) -> Int {
        let waiting = threads.indices.compactMap { i -> (Int, UInt64)? in
            guard let b = threads[i].block, b.futex == futex else { return nil }
            return (i, b.sequence)
        }.sorted { $0.1 < $1.1 }
        var woken = 0
        for (i, _) in waiting where woken < count {
            threads[i].state = .runnable
            threads[i].resumeResult = 0
            woken += 1
        }
        return woken
    }

    /// Wakes every thread whose time limit is at or before `now`.
    func wakeExpired(now: UInt64) {
        for i in threads.indices {
            if let b = threads[i].block, let at = b.wakeAt, at <= now {
                threads[i].state = .runnable
                if let pc = b.retryPC {
                    threads[i].retryPC = pc
                    threads[i].waitTimedOut = true
                } else {
                    threads[i].resumeResult = b.timeoutResult
                }
            }
        }
    }

    /// Whether a blocked thread waits for a descriptor.
    var anyDescriptorWait: Bool { threads.contains { $0.block?.descriptors != nil } }

    /// Polls the descriptors every waiting thread waits for (one host `poll`, up to
    /// `milliseconds`) and makes the threads with a ready one runnable, to retry their call.
    func wakeReadyDescriptors(milliseconds: Int32) {
        var all: [pollfd] = [], owners: [Int] = []
        for i in threads.indices {
            guard let fds = threads[i].block?.descriptors else { continue }
            all += fds
            owners += Array(repeating: i, count: fds.count)
        }
        // With no descriptors (a `select` used as a sleep) this only waits.
        var n: Int32
        repeat { n = poll(&all, nfds_t(all.count), milliseconds) } while n < 0 && errno == EINTR && milliseconds == 0
        guard n > 0 else { return }
        for (k, fd) in all.enumerated() where fd.revents != 0 {
            let i = owners[k]
            guard let b = threads[i].block, let pc = b.retryPC else { continue }
            threads[i].state = .runnable
            threads[i].retryPC = pc
        }
    }

    /// Whether a blocked thread has a time limit.
    var anyTimedWait: Bool { threads.contains { $0.block?.wakeAt != nil } }

    /// The earliest time limit of a blocked thread.
    var earliestWake: UInt64? { threads.compactMap { $0.block?.wakeAt }.min() }

    /// Chooses the next thread among the runnable ones with the seeded generator (for a
    /// yield, another one than the running thread when there is one); nil if none is runnable.
    func choose(_ reason: SwitchReason) -> Int32? {
        var candidates = threads.filter(\.isRunnable).map(\.id)
        if reason == .yield, candidates.count > 1 { candidates.removeAll { $0 == current } }
        guard !candidates.isEmpty else { return nil }
        return candidates[random.below(candidates.count)]
    }

    /// Host `CLOCK_MONOTONIC` in nanoseconds.
    static func monotonicNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
