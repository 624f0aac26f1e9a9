import CNativeSupport
import CUnicorn
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// The emulated thread primitives (`runtime/crossrun_thread.h`'s contract): guest threads are
/// multiplexed on the one engine by ``GuestScheduler``. A primitive that must block, yield or
/// end its thread records the request and stops the engine (`uc_emu_stop`); the run loop
/// (``emulate(from:)``) then saves the CPU context, picks the next thread with the seeded
/// generator and restores it. Switches happen only at the outermost run level, never inside
/// a nested guest call (a signal handler, a host `qsort` comparator) nor inside a hook.
extension GuestProcess {
    /// Names served by ``threadFunction(_:)``.
    static let threadFunctionNames = ["__crossrun_thread_spawn", "__crossrun_thread_exit", "__crossrun_futex_wait",
                                      "__crossrun_futex_wake", "__crossrun_shared_cas", "__crossrun_gettid", "gettid",
                                      "sched_yield", "sched_getaffinity", "sched_setaffinity"]
    /// Library calls that sleep: with other threads alive they block only the caller.
    static let sleepingFunctionNames: Set<String> = ["nanosleep", "usleep", "sleep", "clock_nanosleep"]

    /// The thread primitives and `sched_yield`.
    func threadFunction(_ name: String) -> HostFunction? {
        switch name {
        case "__crossrun_thread_spawn":
            return { [unowned self] _, f in
                f.returnInt(UInt64(bitPattern: try spawnThread(entry: f.int(0), argument: f.int(1), stackSize: f.int(2), tidWord: f.int(3))))
            }
        case "__crossrun_thread_exit":
            return { [unowned self] _, _ in try exitThread() }   // no result: the thread is gone
        case "__crossrun_futex_wait":
            return { [unowned self] _, f in
                f.returnInt32(try futexWait(address: f.int(0), expected: Int32(truncatingIfNeeded: f.int(1)),
                                            abstime: f.int(2), clock: Int32(truncatingIfNeeded: f.int(3))))
            }
        case "__crossrun_futex_wake":
            return { [unowned self] _, f in
                let count = Int32(truncatingIfNeeded: try f.int(1))
                let address = try f.int(0)
                let woken = (threads?.wake(futex: address, count: Int(max(count, 0))) ?? 0) + sharedFutexWake(address, count: count)
                f.returnInt32(Int32(clamping: woken))
                // The woken thread runs next, as a kernel lets a thread that slept preempt a
                // busy one: otherwise a thread that unlocks and at once relocks (an
                // interpreter's global lock) holds the lock at every time slice, and its
                // waiters starve (MicroPython's thread_coop test: sleeps of 300 ms took 460).
                if woken > 0 { requestSwitch(.yield) }
            }
        case "__crossrun_shared_cas":
            return { [unowned self] _, f in
                let address = try f.int(0)
                guard address % 4 == 0, let word = try? memory.host(address, 4, write: true) else {
                    throw GuestFault(address: address, size: 4, access: .write)
                }
                f.returnInt32(__crossrun_shared_cas(word.assumingMemoryBound(to: Int32.self),
                                                    Int32(truncatingIfNeeded: try f.int(1)), Int32(truncatingIfNeeded: try f.int(2))))
            }
        case "__crossrun_gettid", "gettid":
            return { [unowned self] _, f in f.returnInt32(threads?.current ?? getpid()) }
        case "sched_yield":
            return { [unowned self] _, f in
                f.returnInt32(0)
                requestSwitch(.yield)
            }
        case "sched_getaffinity", "sched_setaffinity":
            // Every guest thread runs on this host thread: another guest thread's id (which
            // the host may know as an unrelated process) means the calling task, 0.
            guard let plain = HostLibc.function(named: name) else { return nil }
            return { [unowned self] rt, f in
                let pid = Int32(truncatingIfNeeded: try f.int(0))
                guard pid != 0, pid != getpid(), let s = threads, s.threads.contains(where: { $0.id == pid }) else { return try plain(rt, f) }
                try plain(rt, ReplacedArgumentFrame(f, index: 0, 0))
            }
        default:
            if let waiting = descriptorWaitingFunction(name) { return waiting }
            if let waiting = childWaitingFunction(name) { return waiting }
            guard Self.sleepingFunctionNames.contains(name), let plain = HostLibc.function(named: name) else { return nil }
            return { [unowned self] rt, f in
                guard let s = threads, s.liveCount > 1, nested.stackTops.isEmpty else { return try plain(rt, f) }
                try sleepThread(name, f)
            }
        }
    }

    // MARK: - The primitives

    /// `__crossrun_thread_spawn`: a stack in the mapping area (guard page below), a control
    /// block + `errno` cell + TLS block on the guest heap, and a CPU context copied from the
    /// creator (privilege, floating-point control) that starts at `entry(argument)`.
    func spawnThread(entry: UInt64, argument: UInt64, stackSize: UInt64, tidWord: UInt64) throws -> Int64 {
        let page: UInt64 = 4096
        guard entry != 0, tidWord % 4 == 0, stackSize <= Self.maxThreadStack else { return -Int64(EINVAL) }
        guard (try? memory.host(tidWord, 4, write: true)) != nil else { return -Int64(EFAULT) }
        let size = max(Self.minThreadStack, ((stackSize == 0 ? Self.defaultThreadStack : stackSize) + page - 1) & ~(page - 1))
        // Fuzzing resets memory and library state between inputs, not threads: harnesses run alone.
        guard callTimeoutMicros == nil else { return -Int64(EAGAIN) }
        guard let scheduler = threadsStarted() else { return -Int64(EAGAIN) }
        guard scheduler.liveCount < GuestScheduler.maxThreads, let mapper = runtime.mapper else { return -Int64(EAGAIN) }
        let length = size + page
        let stackBase: UInt64
        if let cached = scheduler.stackCache.firstIndex(where: { $0.length == length }) {
            stackBase = scheduler.stackCache.remove(at: cached).address
        } else {
            do throws(MappingError) {
                stackBase = try mapper.map(MapRequest(anonymous: length, protection: GuestProtection(read: true, write: true, execute: false)))
                try mapper.protect(stackBase, page, GuestProtection(read: false, write: false, execute: false))
            } catch {
                return -Int64(ENOMEM)
            }
        }
        // Control block (tp+0 self, tp+8 TLS block, tp+0x28 canary), errno cell, TLS block.
        let tlsSize = UInt64(image.tls?.size ?? 0), tlsAlign = UInt64(max(image.tls?.alignment ?? 1, 1))
        let (total, overflow) = (Self.controlBlockSize + 16 + 16).addingReportingOverflow(tlsSize &+ tlsAlign)
        guard !overflow, total <= UInt64(Int.max), tlsAlign & (tlsAlign - 1) == 0,
              let storage = try? runtime.allocateZeroed(Int(total)) else {
            try? mapper.unmap(stackBase, length)
            return -Int64(ENOMEM)
        }
        let tcb = (storage + 15) & ~15
        let errnoCell = tcb + Self.controlBlockSize
        let tlsBlock = (errnoCell + 16 + tlsAlign - 1) & ~(tlsAlign - 1)
        try memory.store(tcb, at: tcb)
        try memory.store(tlsBlock, at: tcb + 8)
        try memory.store(HostLibc.stackGuard, at: tcb + 0x28)
        if let t = image.tls, t.initializedSize > 0, let template = try memory.bytes(imageBase + UInt64(t.imageOffset), t.initializedSize).baseAddress {
            try memory.host(tlsBlock, t.initializedSize, write: true).copyMemory(from: template, byteCount: t.initializedSize)
        }
        var context: OpaquePointer?
        guard uc_context_alloc(uc, &context) == UC_ERR_OK, let context, uc_context_save(uc, context) == UC_ERR_OK else {
            _ = runtime.state.heap.free(storage)
            try? mapper.unmap(stackBase, length)
            return -Int64(ENOMEM)
        }
        let id = scheduler.nextID
        scheduler.nextID &+= 1
        try memory.store(id, at: tidWord)
        var thread = GuestThread(id: id, context: context, threadPointer: tcb, errnoAddress: errnoCell,
                                 stack: stackBase + page..<stackBase + length)
        thread.start = (entry, argument, stackBase + length)
        thread.stackMapping = (stackBase, length)
        thread.storage = storage
        thread.tidWord = tidWord
        thread.rounding = floatingPoint.rounding
        thread.signalMask = runtime.signalMask
        scheduler.threads.append(thread)
        requestSwitch(.preempt)   // the new thread may run first, as the seed decides
        return Int64(id)
    }

    /// `__crossrun_thread_exit`: clears and wakes the thread's tid word; the last thread's
    /// end is `exit(0)`.
    func exitThread() throws {
        guard let s = threads, s.liveCount > 1 else { throw GuestTermination.exit(0) }
        guard nested.stackTops.isEmpty else {
            throw GuestTermination.signal(SIGABRT, "a thread cannot end inside a call from the C library into guest code (a signal handler or callback)")
        }
        let i = s.currentIndex
        if let word = s.threads[i].tidWord {
            try? memory.store(Int32(0), at: word)
            _ = s.wake(futex: word, count: Int.max)
        }
        s.threads[i].state = .ended
        s.request = .exit
        stopEngine()
    }

    /// `__crossrun_futex_wait`.
    func futexWait(address: UInt64, expected: Int32, abstime: UInt64, clock: Int32) throws -> Int32 {
        guard address % 4 == 0 else { return EINVAL }
        guard let value = try? memory.load(address, as: Int32.self) else { return EFAULT }
        var wakeAt: UInt64?
        if abstime != 0 {
            guard clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC else { return EINVAL }
            guard let sec = try? memory.load(abstime, as: Int64.self), let nsec = try? memory.load(abstime + 8, as: Int64.self) else { return EFAULT }
            guard sec >= 0, nsec >= 0, nsec < 1_000_000_000 else { return EINVAL }
            var now = timespec()
            clock_gettime(clock, &now)
            let seconds = sec.multipliedReportingOverflow(by: 1_000_000_000)
            let target = seconds.partialValue.addingReportingOverflow(nsec)
            let nowNs = Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
            let left = seconds.overflow || target.overflow ? Int64.max : target.partialValue > nowNs ? target.partialValue - nowNs : 0
            if left == 0 { return value == expected ? ETIMEDOUT : EAGAIN }
            let (at, over) = GuestScheduler.monotonicNow().addingReportingOverflow(UInt64(left))
            wakeAt = over ? nil : at
        }
        guard value == expected else { return EAGAIN }
        if memory.isShared(address) { return try sharedFutexWait(address, expected: expected, wakeAt: wakeAt) }
        guard let s = threads, s.liveCount > 1 else {
            // Nobody else can change the word: a timed wait just sleeps, an untimed one never ends.
            if let wakeAt { return sleepOnHost(until: wakeAt) ? ETIMEDOUT : EINTR }
            try blockedForever("__crossrun_futex_wait", futex: address)
        }
        guard nested.stackTops.isEmpty else {
            if let wakeAt { return sleepOnHost(until: wakeAt) ? ETIMEDOUT : EINTR }
            try blockedForever("__crossrun_futex_wait", futex: address)
        }
        s.blockCurrent(primitive: "__crossrun_futex_wait", futex: address, wakeAt: wakeAt, timeoutResult: Int64(ETIMEDOUT))
        requestSwitch(.block)
        return 0
    }

    /// A sleeping call with other threads alive: only the caller waits.
    func sleepThread(_ name: String, _ f: any CallFrame) throws {
        guard let s = threads else { return }
        let nanoseconds: UInt64
        var remainder: UInt64 = 0   // nanosleep's rem: where an interrupting signal writes the time left
        switch name {
        case "sleep": nanoseconds = UInt64(UInt32(truncatingIfNeeded: try f.int(0))) * 1_000_000_000
        case "usleep": nanoseconds = UInt64(UInt32(truncatingIfNeeded: try f.int(0))) * 1000
        default:
            // nanosleep(req, rem) / clock_nanosleep(clock, flags, req, rem): relative requests.
            let isClock = name == "clock_nanosleep"
            let flags = isClock ? Int32(truncatingIfNeeded: try f.int(1)) : 0
            if flags != 0 {
                if let plain = HostLibc.functions[name] { try plain(runtime, f) }   // TIMER_ABSTIME: the host's
                return
            }
            let request = try f.int(isClock ? 2 : 0)
            remainder = try f.int(isClock ? 3 : 1)
            guard let sec = try? memory.load(request, as: Int64.self), let nsec = try? memory.load(request + 8, as: Int64.self) else {
                if isClock { f.returnInt32(EFAULT) } else { runtime.setErrno(EFAULT); f.returnInt32(-1) }
                return
            }
            guard sec >= 0, nsec >= 0, nsec < 1_000_000_000 else {
                if isClock { f.returnInt32(EINVAL) } else { runtime.setErrno(EINVAL); f.returnInt32(-1) }
                return
            }
            let (whole, over) = UInt64(sec).multipliedReportingOverflow(by: 1_000_000_000)
            nanoseconds = over ? UInt64.max / 2 : whole &+ UInt64(nsec)
        }
        let (at, over) = GuestScheduler.monotonicNow().addingReportingOverflow(nanoseconds)
        f.returnInt(0)
        s.blockCurrent(primitive: name, futex: nil, wakeAt: over ? nil : at, timeoutResult: 0)
        if remainder != 0, case .blocked(var b) = s.threads[s.currentIndex].state {
            b.remainder = remainder
            s.threads[s.currentIndex].state = .blocked(b)
        }
        requestSwitch(.block)
    }

    // MARK: - Scheduler plumbing

    /// A stack's default size (the contract's 8 MiB: mappings are reserved lazily, so untouched
    /// pages cost nothing), its minimum, and the largest accepted.
    static let defaultThreadStack: UInt64 = 8 << 20
    static let minThreadStack: UInt64 = 64 << 10
    static let maxThreadStack: UInt64 = 1 << 30
    /// Bytes of a thread control block (the thread pointer points at it).
    static let controlBlockSize: UInt64 = 256

    /// The scheduler, created with the main thread's record at the first spawn, with the time
    /// slice ticking (nil: no CPU context could be allocated).
    func threadsStarted() -> GuestScheduler? {
        if let s = threads {
            if s.ticker == nil { startTicker(s) }   // a spawn after exit began, or in a forked child
            return s
        }
        var context: OpaquePointer?
        guard uc_context_alloc(uc, &context) == UC_ERR_OK, let context else { return nil }
        let main = GuestThread(id: getpid(), context: context,
                               threadPointer: 0, errnoAddress: runtime.errnoAddress,
                               stack: layout.stackTop - layout.stackSize..<layout.stackTop)
        let s = GuestScheduler(main: main, seed: options.scheduleSeed)
        threads = s
        startTicker(s)
        return s
    }

    /// The ticker only raises a flag; the engine stops itself at the next block start (see
    /// ``installSliceHook(_:)``): a `uc_emu_stop` from another thread can land inside a
    /// translation block and leave the PC at the start of the run (measured on 2.1.1), which
    /// a resumed thread would then execute twice.
    private func startTicker(_ s: GuestScheduler) {
        s.ticker = crossrun_ticker_start(GuestScheduler.sliceMilliseconds, nil, nil)
    }

    /// Once a second thread exists, a `UC_HOOK_BLOCK` callback stops the engine at the start of
    /// the first block after a tick, where the CPU state is exact. Installed between runs; the
    /// image's code already translated is dropped from the cache so its blocks call it (a whole
    /// `UC_CTL_TB_FLUSH` resets the 1 GiB code buffer: ~1 GiB of memset and resident memory).
    /// Single-threaded programs never have it.
    func installSliceHook(_ s: GuestScheduler) {
        guard let ticker = s.ticker, let flag = crossrun_ticker_flag(ticker), s.sliceHook == nil else { return }
        // One block hook, called directly: the stubs' and the slice's together (GuestProcess+LibraryCall).
        if let hook = installDispatchHook(flag: flag) {
            s.sliceHook = hook
        } else {
            useTrappingStubs()
            // The C callback itself (no Swift thunk): it runs at every block start.
            let block: @convention(c) (OpaquePointer?, UInt64, UInt32, UnsafeMutableRawPointer?) -> Void = crossrun_slice_hook
            var hook: uc_hook = 0
            guard crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_BLOCK.rawValue), unsafeBitCast(block, to: UnsafeMutableRawPointer.self),
                                       UnsafeMutableRawPointer(flag), 1, 0) == UC_ERR_OK else { return }
            s.sliceHook = hook
        }
        for segment in image.segments where segment.permissions == .readExecute {
            let start = imageBase + UInt64(segment.offset)
            crossrun_uc_remove_cache(uc, start, start + UInt64(segment.memorySize))
        }
    }

    /// Stops the time slice and removes its hook (before the engine closes, and at exit, when
    /// one thread is left); called between runs. Blocks translated with the hook keep calling
    /// Unicorn's (now empty) hook list: a flush costs more (milliseconds and a large memset),
    /// which is also why the slice, once started, stays until the end of the run.
    func stopTicker() {
        guard let s = threads else { return }
        if let hook = s.sliceHook {
            uc_hook_del(uc, hook)
            s.sliceHook = nil
            restoreLibraryCallHook()
        }
        crossrun_ticker_cancel(s.ticker)
        s.ticker = nil
    }

    /// Asks the run loop to switch threads once this trap returns (ignored inside nested
    /// guest calls, where no switch can happen).
    func requestSwitch(_ reason: SwitchReason) {
        guard let s = threads, nested.stackTops.isEmpty else { return }
        if s.request == nil || reason == .block || reason == .exit { s.request = reason }
        stopEngine()
    }

    /// Counts a library call made with threads alive; after a seeded number of them the
    /// running thread is preempted.
    @inline(__always)
    func countLibraryCall(_ s: GuestScheduler) {
        guard nested.stackTops.isEmpty else { return }
        s.calls &+= 1
        guard s.threads.count > 1 else { return }
        s.callsUntilPreemption -= 1
        if s.callsUntilPreemption <= 0 {
            s.callsUntilPreemption = s.drawPreemptionInterval()
            if s.request == nil { s.request = .preempt; stopEngine() }
        }
    }

    /// Sleeps on the host until `wakeAt` (host monotonic ns); false if the run's deadline
    /// passed first. `untilSignal`: returns early (true) once a signal from outside was recorded.
    func sleepOnHost(until wakeAt: UInt64, untilSignal: Bool = false) -> Bool {
        var ts = timespec(tv_sec: Int(wakeAt / 1_000_000_000), tv_nsec: Int(wakeAt % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {
            if deadlinePassed { return false }
            if untilSignal && crossrun_host_signals_pending() != 0 { return true }
        }
        return !deadlinePassed
    }

    /// Runs guest code from `start` until the thread that was running reaches the return
    /// address (its call returned) or the run ends, switching threads on the way. Without
    /// threads this is one `uc_emu_start`, as it always was.
    func emulate(from start: UInt64) -> uc_err {
        var err = runHandlingFaults(from: start, until: stopAddress, timeout: callTimeoutMicros ?? 0)
        guard let s = threads else { return err }
        let caller = s.current
        while true {
            if termination != nil || err != UC_ERR_OK || deadlinePassed { return err }
            var reason = s.request
            s.request = nil
            let pc = arch.pc(uc)
            if reason == nil && pc == stopAddress {
                if s.current == caller { return err }
                // A thread's entry function returned: as __crossrun_thread_exit.
                let i = s.currentIndex
                guard arch.returnedNormally(uc, entryStackPointer: s.threads[i].entryStackPointer, returnAddress: stopAddress) else { return err }
                do { try exitThread() } catch let t as GuestTermination { termination = t; return err } catch {}
                reason = s.request
                s.request = nil
            }
            if reason == nil {
                guard crossrun_ticker_take(s.ticker) != 0 else { return err }   // a halt: the caller reports it
                // A time slice passed: preempt only a thread that made no library call in it,
                // and let another runnable thread go first (a thread that had the whole slice
                // should not win the draw again while one that woke meanwhile waits).
                let spinning = s.calls == s.callsAtTick
                s.callsAtTick = s.calls
                if spinning && s.threads.count > 1 { reason = .yield }
            }
            if let reason {
                guard switchThreads(s, reason) else { return err }
            }
            if s.sliceHook == nil { installSliceHook(s) }
            if s.threads[s.currentIndex].pendingSignals != 0 || runtime.deliverablePendingSignals != 0, !deliverSignalsAtSwitch(s) { return err }
            err = runHandlingFaults(from: arch.pc(uc), until: stopAddress, timeout: 0)
        }
    }

    /// Leaves the running thread (saved, or released when it ended) for the next one the
    /// generator picks; false when the run ends instead (deadlock, deadline).
    func switchThreads(_ s: GuestScheduler, _ reason: SwitchReason) -> Bool {
        if s.anyTimedWait { s.wakeExpired(now: GuestScheduler.monotonicNow()) }
        if s.anyDescriptorWait { s.wakeReadyDescriptors(milliseconds: 0) }
        var next = s.choose(reason)
        while next == nil {
            if s.anyDescriptorWait {
                // Every thread waits and one waits for a descriptor: wait on the host for any
                // of them or the earliest time limit, in slices so the run's deadline holds.
                let now = GuestScheduler.monotonicNow()
                let slice: UInt64 = 100_000_000
                let untilWake = s.earliestWake.map { $0 > now ? $0 - now : 0 } ?? slice
                s.wakeReadyDescriptors(milliseconds: Int32((min(untilWake, slice) + 999_999) / 1_000_000))
                _ = routeRecordedSignals(s)   // a signal from outside for a waiting thread
                if deadlinePassed {
                    termination = Self.timedOut
                    return false
                }
                if s.anyTimedWait { s.wakeExpired(now: GuestScheduler.monotonicNow()) }
                next = s.choose(reason)
                continue
            }
            guard let wakeAt = s.earliestWake else {
                reportDeadlock(s)
                return false
            }
            guard sleepOnHost(until: wakeAt, untilSignal: true) else {
                termination = Self.timedOut
                return false
            }
            let now = GuestScheduler.monotonicNow()
            // A signal from outside may have ended the sleep early: it goes to a waiting thread.
            if now >= wakeAt || !routeRecordedSignals(s) { s.wakeExpired(now: max(wakeAt, now)) }
            next = s.choose(reason)
        }
        guard let nextID = next else { return false }
        let i = s.currentIndex
        if nextID == s.current {
            deliverResumeResult(s, i)   // it blocked and timed out before anyone else could run
            return true
        }
        if case .ended = s.threads[i].state {
            release(s.threads.remove(at: i), into: s)
        } else {
            uc_context_save(uc, s.threads[i].context)
            s.threads[i].rounding = floatingPoint.rounding
            s.threads[i].flagsKnownSet = floatingPoint.flagsKnownSet
            s.threads[i].signalMask = runtime.signalMask
        }
        resume(s, nextID)
        return true
    }

    /// Makes thread `id` the running one: its registers, `errno` cell, rounding mode; a new
    /// thread's first call; a blocked call's result.
    func resume(_ s: GuestScheduler, _ id: Int32) {
        guard let j = s.index(of: id) else { return }
        s.current = id
        uc_context_restore(uc, s.threads[j].context)
        floatingPoint.rounding = s.threads[j].rounding
        floatingPoint.flagsKnownSet = s.threads[j].flagsKnownSet
        runtime.errnoAddress = s.threads[j].errnoAddress
        runtime.signalMask = s.threads[j].signalMask
        runtime.signalMaskChanged?(runtime.signalMask)   // the host blocks what the running thread blocks
        if let start = s.threads[j].start {
            s.threads[j].start = nil
            do {
                try arch.prepareCall(uc, memory: memory, function: start.entry, args: [start.argument],
                                     returnAddress: stopAddress, stackTop: start.stackTop)
            } catch {
                termination = .signal(SIGSEGV, "invalid memory access")
            }
            arch.setThreadPointer(uc, s.threads[j].threadPointer)
            s.threads[j].entryStackPointer = arch.sp(uc)
        }
        deliverResumeResult(s, j)
    }

    /// Writes the result of thread `i`'s blocked call into its result register (it runs now),
    /// or sends it back into the call's trampoline to make the call again (descriptor waits).
    private func deliverResumeResult(_ s: GuestScheduler, _ i: Int) {
        let resumePC = s.threads[i].resumePC
        s.threads[i].resumePC = nil
        if let pc = s.threads[i].retryPC {
            s.threads[i].retryPC = nil
            arch.setPC(uc, pc)
            return
        }
        if let resumePC { arch.setPC(uc, resumePC) }
        guard let r = s.threads[i].resumeResult else { return }
        s.threads[i].resumeResult = nil
        arch.frame(uc, memory: memory).returnInt(UInt64(bitPattern: r))
    }

    /// Frees an ended thread's stack (or keeps it for the next thread), control block and context.
    func release(_ thread: GuestThread, into s: GuestScheduler) {
        if let m = thread.stackMapping {
            if s.stackCache.count < GuestScheduler.cachedStacks { s.stackCache.append(m) } else { try? runtime.mapper?.unmap(m.address, m.length) }
        }
        if let b = thread.storage { _ = runtime.state.heap.free(b) }
        uc_context_free(thread.context)
    }

    /// At `exit` or when `main` returns, after the exit handlers and destructors (which run on
    /// the calling thread while the others still live): the other threads end with the process
    /// (Linux ends them at `exit_group`).
    func endOtherThreads() {
        guard let s = threads else { return }
        stopTicker()
        let keep = s.current
        for t in s.threads where t.id != keep { uc_context_free(t.context) }
        s.threads.removeAll { $0.id != keep }
        s.request = nil
    }

    /// In the child of a `fork`: only the calling thread exists (the time slice's host thread
    /// did not survive the fork either).
    func threadsAfterFork() {
        guard let s = threads else { return }
        s.ticker = nil   // its host thread is gone; the hook, with no flag to read, stops nothing
        if let hook = s.sliceHook { uc_hook_del(uc, hook); s.sliceHook = nil; restoreLibraryCallHook() }
        let keep = s.current
        s.threads.removeAll { $0.id != keep }
        s.request = nil
        // The one thread left is the child's main thread: its id is the new process id, as
        // Linux gives it (gettid, and the thread library's owner checks after the fork).
        let pid = getpid()
        if !s.threads.isEmpty { s.threads[0].id = pid }
        s.current = pid
        s.nextID = pid &+ 1
    }
}
