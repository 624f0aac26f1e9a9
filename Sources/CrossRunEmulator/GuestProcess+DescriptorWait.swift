import CNativeSupport
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// Library calls that wait for descriptors (`read` on an empty pipe, `accept`, `select`,
/// `poll`…) while other guest threads live. All guest threads share one engine, so a call
/// that blocked on the host would stop every thread — including the one that was about to
/// write to that pipe. Instead, when the descriptors are not ready, only the calling thread
/// waits: it blocks in the scheduler with the host descriptors it waits for, and when one is
/// ready (or its time limit passes) it re-enters the call's trampoline and makes the call
/// again, which then finds its data. With one thread, or inside a nested guest call, calls
/// go straight to the host as before.
///
/// A blocking `write` or `writev` to a pipe or socket, and a `send`/`sendto`/`sendmsg` of plain
/// data to a stream socket, go out in parts instead (`GuestProcess+StreamWrites.swift`). Not
/// covered: stdio reads (`fgets` on a pipe). (`waitpid` and the other
/// child waits: `GuestProcess+ChildWait.swift`.)
extension GuestProcess {
    /// The functions wrapped here.
    static let descriptorWaitingFunctionNames: Set<String> = [
        "read", "readv", "recv", "recvfrom", "recvmsg", "accept", "accept4",
        "write", "writev", "send", "sendto", "sendmsg", "select", "pselect", "poll", "ppoll", "epoll_wait",
        "epoll_pwait", "epoll_pwait2", "pause",
    ]
    /// The calls that wait for input: with one thread they wait with the guest's recording
    /// signals unblocked only inside the wait (``signalSafeWait(_:_:_:_:)``).
    static let readingFunctionNames: Set<String> = ["read", "readv", "recv", "recvfrom", "recvmsg", "accept", "accept4", "pause"]

    /// What a call waits for: host descriptors with events, and a time limit (nil: none).
    struct DescriptorWait {
        var descriptors: [pollfd]
        var timeout: UInt64?
    }

    /// The descriptor-aware form of `name`, or nil when it is not one of them.
    func descriptorWaitingFunction(_ name: String) -> HostFunction? {
        guard Self.descriptorWaitingFunctionNames.contains(name), let plain = HostLibc.function(named: name) else { return nil }
        let reading = Self.readingFunctionNames.contains(name), writesInParts = Self.streamWriteNames.contains(name)
        return { [unowned self] rt, f in
            guard nested.stackTops.isEmpty else { return try plain(rt, f) }
            if let s = threads, s.threads[s.currentIndex].waitTimedOut {
                // Its time limit passed while it waited: this call must not wait again, even
                // when the other threads have ended meanwhile (a `select` used as a sleep
                // would otherwise sleep its whole time a second time on the host).
                s.threads[s.currentIndex].waitTimedOut = false
                return try plain(rt, try Self.withoutWaiting(name, rt, f))
            }
            if writesInParts, let s = threads,
               s.liveCount > 1 || s.threads[s.currentIndex].writeProgress > 0, try streamWrite(name, rt, f, s) {
                return
            }
            guard let s = threads, s.liveCount > 1 else {
                return reading ? try signalSafeWait(name, plain, rt, f) : try plain(rt, f)
            }
            guard let wait = try Self.descriptorWait(name, rt, f), wait.timeout != 0 else { return try plain(rt, f) }
            var probe = wait.descriptors
            if !probe.isEmpty && poll(&probe, nfds_t(probe.count), 0) != 0 { return try plain(rt, f) }   // ready (or an error to report)
            let wakeAt = wait.timeout.map { GuestScheduler.monotonicNow().addingReportingOverflow($0) }.flatMap { $0.overflow ? nil : $0.partialValue }
            s.blockCurrent(primitive: name, futex: nil, wakeAt: wakeAt, timeoutResult: 0,
                           descriptors: wait.descriptors, retryPC: trapSite)
            requestSwitch(.block)
        }
    }

    /// One thread: a call that waits for input, or `pause`, waits in `ppoll`/`sigsuspend` with the
    /// signals the guest handles (recorded by the host's handler, delivered at traps) unblocked
    /// only inside the wait. Checking for a recorded signal and then starting a blocking host call
    /// would miss one that came in between: `pause` would wait forever (a parent's SIGTERM to a
    /// child in `pause`). A signal that interrupts the wait runs its guest handler here; the call
    /// then fails with EINTR, or — with SA_RESTART, and not for `pause` — waits again.
    func signalSafeWait(_ name: String, _ plain: HostFunction, _ rt: LibcRuntime, _ f: any CallFrame) throws {
        let wait = name == "pause" ? DescriptorWait(descriptors: [], timeout: nil) : try Self.descriptorWait(name, rt, f)
        guard let wait else { return try plain(rt, f) }
        /// Whether every signal in `mask` (but SIGPIPE, whose record is the host's own) restarts calls.
        func restarts(_ mask: UInt64) -> Bool {
            name != "pause" && (1..<64).allSatisfy { sig in
                sig == SIGPIPE || mask & (UInt64(1) << UInt64(sig - 1)) == 0
                    || (rt.signalActions[Int32(sig)]?.flags ?? 0) & SA_RESTART != 0
            }
        }
        // A signal the guest blocks became pending, it interrupted nothing.
        let atEntry = signalsDeliveredAtEntry & ~(UInt64(1) << UInt64(SIGPIPE - 1)) & ~rt.signalMask
        signalsDeliveredAtEntry = 0
        if atEntry != 0 && !restarts(atEntry) {
            // It came while the guest ran up to this call: natively its handler would have run
            // before the call, where the program checks for it; here the call ends at once.
            rt.setErrno(EINTR)
            f.returnSigned(-1)
            return
        }
        while true {
            var old = sigset_t()
            guard crossrun_block_recording_signals(&old) != 0 else { return try plain(rt, f) }
            var signalled = crossrun_host_signals_pending() != 0
            if !signalled {
                var fds = wait.descriptors
                let r = fds.isEmpty ? sigsuspend(&old) : crossrun_ppoll_with_mask(&fds, UInt(fds.count), &old)
                signalled = r < 0 && errno == EINTR
            }
            pthread_sigmask(SIG_SETMASK, &old, nil)
            guard signalled else { return try plain(rt, f) }   // ready (or an error the call reports)
            let interrupting = crossrun_host_signals_peek() & ~rt.signalMask   // blocked ones only become pending
            let restart = interrupting == 0 || restarts(interrupting)
            try deliverHostPipeSignal()
            if !restart {
                rt.setErrno(EINTR)
                f.returnSigned(-1)
                return
            }
        }
    }

    /// Bits of a guest `fd_set` below `count`.
    private static func descriptors(in set: UInt64, count: Int32, _ rt: LibcRuntime) throws -> [Int32] {
        guard set != 0 else { return [] }
        var found: [Int32] = []
        for word in 0..<Int((count + 63) / 64) {
            var bits = try rt.memory.load(set + UInt64(8 * word), as: UInt64.self)
            while bits != 0 {
                let fd = Int32(64 * word + bits.trailingZeroBitCount)
                if fd < count { found.append(fd) }
                bits &= bits - 1
            }
        }
        return found
    }

    /// A guest `struct timespec` (or `timeval`, `unit` 1000) as nanoseconds; nil for a null
    /// pointer (no limit); nil too for a malformed one, which the host call then rejects.
    private static func duration(at address: UInt64, unit: UInt64, _ rt: LibcRuntime) throws -> UInt64?? {
        guard address != 0 else { return .some(nil) }
        let sec = try rt.memory.load(address, as: Int64.self), frac = try rt.memory.load(address &+ 8, as: Int64.self)
        guard sec >= 0, frac >= 0, UInt64(frac) < 1_000_000_000 / unit else { return nil }
        let (whole, over) = UInt64(sec).multipliedReportingOverflow(by: 1_000_000_000)
        return .some(over ? nil : whole &+ UInt64(frac) * unit)
    }

    /// A socket call's flags ask it not to wait (`MSG_DONTWAIT`).
    private static func dontWait(_ flags: UInt64) -> Bool { flags & UInt64(MSG_DONTWAIT) != 0 }

    /// What `name`'s call would wait for; nil when it cannot wait (a non-blocking descriptor,
    /// `MSG_DONTWAIT`) or its arguments are for the host call to reject.
    static func descriptorWait(_ name: String, _ rt: LibcRuntime, _ f: any CallFrame) throws -> DescriptorWait? {
        func one(_ events: Int32) throws -> DescriptorWait? {
            let fd = try f.int32(0)
            let flags = fcntl(fd, F_GETFL)
            guard flags >= 0, flags & O_NONBLOCK == 0 else { return nil }
            return DescriptorWait(descriptors: [pollfd(fd: fd, events: Int16(events), revents: 0)], timeout: nil)
        }
        switch name {
        case "read", "readv", "accept", "accept4": return try one(POLLIN)
        case "recv", "recvfrom": return dontWait(try f.int(3)) ? nil : try one(POLLIN)
        case "recvmsg": return dontWait(try f.int(2)) ? nil : try one(POLLIN)
        case "write", "writev": return try one(POLLOUT)
        case "send", "sendto": return dontWait(try f.int(3)) ? nil : try one(POLLOUT)
        case "sendmsg": return dontWait(try f.int(2)) ? nil : try one(POLLOUT)
        case "select", "pselect":
            let count = try f.int32(0)
            guard (0...1024).contains(count) else { return nil }
            var fds: [pollfd] = []
            for (k, events) in [POLLIN, POLLOUT, POLLPRI].enumerated() {
                for fd in try descriptors(in: f.int(1 + k), count: count, rt) {
                    fds.append(pollfd(fd: fd, events: Int16(events), revents: 0))
                }
            }
            guard let timeout = try duration(at: f.int(4), unit: name == "select" ? 1000 : 1, rt) else { return nil }
            return DescriptorWait(descriptors: fds, timeout: timeout)
        case "poll", "ppoll":
            let base = try f.int(0), count = try f.int(1)
            guard count <= 4096 else { return nil }
            var fds: [pollfd] = []
            for k in 0..<count {
                let fd = try rt.memory.load(base &+ 8 &* k, as: Int32.self)
                let events = try rt.memory.load(base &+ 8 &* k &+ 4, as: Int16.self)
                if fd >= 0 { fds.append(pollfd(fd: fd, events: events, revents: 0)) }
            }
            let timeout: UInt64?
            if name == "poll" {
                let ms = try f.int32(2)
                timeout = ms < 0 ? nil : UInt64(ms) * 1_000_000
            } else {
                guard let t = try duration(at: f.int(2), unit: 1, rt) else { return nil }
                timeout = t
            }
            return DescriptorWait(descriptors: fds, timeout: timeout)
        case "epoll_wait", "epoll_pwait":
            let ms = try f.int32(3)
            return DescriptorWait(descriptors: [pollfd(fd: try f.int32(0), events: Int16(POLLIN), revents: 0)],
                                  timeout: ms < 0 ? nil : UInt64(ms) * 1_000_000)
        case "epoll_pwait2":
            guard let t = try duration(at: f.int(3), unit: 1, rt) else { return nil }
            return DescriptorWait(descriptors: [pollfd(fd: try f.int32(0), events: Int16(POLLIN), revents: 0)], timeout: t)
        default:
            return nil
        }
    }

    /// `name`'s frame with a zero time limit, for the call made again after its limit passed.
    /// `select` gets its own `timeval` zeroed (Linux leaves the time not slept there anyway).
    static func withoutWaiting(_ name: String, _ rt: LibcRuntime, _ f: any CallFrame) throws -> any CallFrame {
        switch name {
        case "select":
            let tv = try f.int(4)
            if tv != 0 { try rt.memory.store(UInt64(0), at: tv); try rt.memory.store(UInt64(0), at: tv &+ 8) }
            return f
        case "pselect": return ReplacedArgumentFrame(f, index: 4, try rt.staticObject("crossrun.zero-timespec", size: 16))
        case "poll": return ReplacedArgumentFrame(f, index: 2, 0)
        case "ppoll": return ReplacedArgumentFrame(f, index: 2, try rt.staticObject("crossrun.zero-timespec", size: 16))
        case "epoll_wait", "epoll_pwait": return ReplacedArgumentFrame(f, index: 3, 0)
        case "epoll_pwait2": return ReplacedArgumentFrame(f, index: 3, try rt.staticObject("crossrun.zero-timespec", size: 16))
        default: return f
        }
    }
}
