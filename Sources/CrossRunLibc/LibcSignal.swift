import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// signal.h: dispositions are kept per guest; `raise` runs the guest's handler or applies
/// the default action. Signals from outside reach the guest through the host: the emulator
/// makes a guest's `SIG_IGN` the host's and records signals the guest handles, delivering
/// them at the next trap (``LibcRuntime/signalDispositionChanged``).
enum LibcSignal {
    static let SIG_DFL: UInt64 = 0, SIG_IGN: UInt64 = 1, SIG_ERR = UInt64.max
    /// Signals whose default action is to be ignored.
    static let ignoredByDefault: Set<Int32> = [SIGCHLD, SIGCONT, SIGURG, SIGWINCH]

    static func bit(_ sig: Int32) -> UInt64 { UInt64(1) << UInt64(sig - 1) }
    /// `SA_ONSTACK`: the handler runs on the `sigaltstack`.
    static let saOnStack: Int32 = 0x0800_0000
    /// Signal frames set up on top of one another at most (``deliverOne``'s nesting); past it
    /// the rest run after the handler, as the loop in ``deliver`` takes them.
    static let maxSignalFrames = 64
    /// Pending real-time signal instances kept at most (beyond, further ones merge).
    static let realtimeQueueLimit = 4096
    /// SIGKILL and SIGSTOP cannot be blocked.
    static let unblockable = bit(SIGKILL) | bit(SIGSTOP)

    /// Raises `sig`: ignored, kept pending while blocked, the default action, or the guest's
    /// handler run with the signal (and its `sa_mask`) blocked. A handler that `longjmp`s
    /// out leaves the mask as the jump sets it, as on Linux.
    ///
    /// Signals that become deliverable when a handler returns (the handler raised its own,
    /// blocked, signal) are delivered by this loop, not by recursion: a handler that re-raises
    /// forever loops as it does natively (until `--timeout`) without growing the host stack.
    /// `code` is the `si_code` an `SA_SIGINFO` handler sees (`SI_USER`; `raise` passes `SI_TKILL`).
    /// `queued`: the `si_value` of a `sigqueue` (`code` `SI_QUEUE`).
    /// `processDirected`: sent to the process (`kill`, `sigqueue`, from outside), not to the
    /// running thread (`raise`): blocked by it, another thread that does not block it takes it.
    static func deliver(_ rt: LibcRuntime, _ sig: Int32, code: Int32 = 0, timer: TimerOrigin? = nil, queued: UInt64? = nil,
                        processDirected: Bool = false) throws {
        var sig = sig, code = code, timer = timer, queued = queued
        while true {
            try deliverOne(rt, sig, code: code, timer: timer, queued: queued, processDirected: processDirected)
            timer = nil
            queued = nil
            let ready = rt.pendingSignals & ~rt.signalMask
            guard ready != 0 else { return }
            sig = Int32(ready.trailingZeroBitCount + 1)
            (code, queued) = rt.takePendingSignal(sig)
        }
    }

    /// Whether `code` is one of `SIGCHLD`'s `CLD_*` codes (a child exited, was killed, dumped,
    /// trapped, stopped or continued).
    static func isChildCode(_ rt: LibcRuntime, _ code: Int32) -> Bool {
        let wait = rt.abi.linux.wait
        return code >= wait.cldExited && code <= wait.cldContinued
    }

    /// An `SA_SIGINFO` handler's `siginfo_t`, on the guest heap for the handler's duration:
    /// the signal, `code` and the sender (`sender`: another process's; else this process, as
    /// for `kill`/`raise` to itself), or
    /// for a POSIX timer's signal the timer, its overrun count and its `sigev_value`.
    /// A fault's (`fault`: its address) carries `si_addr`.
    private static func signalInfo(_ rt: LibcRuntime, _ sig: Int32, code: Int32, timer: TimerOrigin?, fault: UInt64?, queued: UInt64?,
                                   sender: (pid: Int32, uid: UInt32)?) throws -> UInt64 {
        let layout = rt.abi.linux.siginfo
        let address = try rt.allocateZeroed(layout.size)
        let out = try GuestStructWriter(rt.memory, at: address, size: layout.size)
        try out.set(layout.signo, Int64(sig))
        try out.set(layout.code, Int64(code))
        if let fault {
            try out.set(layout.addr, fault)
        } else if let timer {
            try out.set(layout.timerID, Int64(truncatingIfNeeded: timer.id))
            try out.set(layout.overrun, Int64(timer.overrun))
            try out.set(layout.value, timer.value)
        } else {
            try out.set(layout.pid, Int64(sender?.pid ?? getpid()))
            try out.set(layout.uid, UInt64(sender?.uid ?? getuid()))
            if let queued, sig == SIGCHLD, isChildCode(rt, code) {
                try out.set(layout.status, Int64(Int32(truncatingIfNeeded: queued)))   // the child's exit status or signal
            } else if let queued {
                try out.set(layout.value, queued)
            }
        }
        return address
    }

    /// An `SA_SIGINFO` handler's `ucontext_t`, on the guest heap for the handler's duration:
    /// the interrupted registers at the arch's `uc_mcontext` offsets, the mask before the
    /// handler in `uc_sigmask`, `uc_stack` zero as Linux leaves it without `sigaltstack`. What the
    /// handler changes in it is not applied. 0 when the emulator gives no context.
    private static func signalContext(_ rt: LibcRuntime, mask: UInt64) throws -> UInt64 {
        guard let image = rt.interruptedContext?() else { return 0 }
        let address = try rt.allocateZeroed(image.size)
        for (offset, value) in image.words { try rt.memory.store(value, at: address &+ offset) }
        for (offset, target) in image.pointers { try rt.memory.store(address &+ target, at: address &+ offset) }
        try rt.memory.store(mask, at: address &+ image.sigmaskOffset)
        return address
    }

    /// A POSIX timer's expiry, as its signal's `siginfo_t` tells it (`SI_TIMER`).
    struct TimerOrigin {
        var id: UInt64, overrun: Int32, value: UInt64
    }

    /// Delivers `sig` once; the mask is restored afterwards without delivering what it unblocks.
    /// `fault`: the `si_addr` of a synchronous fault (``LibcRuntime/deliverFault(_:code:address:)``).
    private static func deliverOne(_ rt: LibcRuntime, _ sig: Int32, code: Int32, timer: TimerOrigin?, fault: UInt64? = nil,
                                   queued: UInt64? = nil, processDirected: Bool = false) throws {
        let handler = rt.signalHandlers[sig] ?? SIG_DFL
        if handler == SIG_IGN || (handler == SIG_DFL && ignoredByDefault.contains(sig)) {
            rt.state.signalSenders[sig] = nil
            return
        }
        if rt.signalMask & bit(sig) != 0 {
            if processDirected, timer == nil, let redirect = rt.redirectProcessSignal, redirect(sig, code, queued) { return }
            if sig >= 32 {
                // Real-time signals queue: each instance is delivered, with its own value.
                let total = rt.state.realtimeQueue.values.reduce(0) { $0 + $1.count }
                if rt.pendingSignals & bit(sig) == 0 { rt.state.realtimeQueue[sig] = nil }
                if total < realtimeQueueLimit { rt.state.realtimeQueue[sig, default: []].append((code, queued)) }
            }
            rt.pendingSignals |= bit(sig)
            if !rt.posix.signalFDs.isEmpty {
                rt.posix.pendingSignalCodes[sig] = code
                LibcSignalfd.signalPending(rt, sig)
            }
            return
        }
        rt.signalObserver?(sig)
        if handler == SIG_DFL {
            throw GuestTermination.signal(sig, String(cString: strsignal(sig)).lowercased())
        }
        guard let call = rt.callGuest else { throw GuestTermination.signal(sig, "signal") }
        let action = rt.signalActions[sig] ?? (0, 0)
        if action.flags & Int32(bitPattern: 0x8000_0000) != 0 { rt.signalHandlers[sig] = SIG_DFL }   // SA_RESETHAND
        let before = rt.signalMask
        rt.signalMask |= (action.mask | (action.flags & 0x4000_0000 != 0 ? 0 : bit(sig))) & ~unblockable   // SA_NODEFER
        let sender = fault == nil && timer == nil ? rt.state.signalSenders.removeValue(forKey: sig) : nil
        let info = action.flags & 4 != 0 ? try signalInfo(rt, sig, code: code, timer: timer, fault: fault, queued: queued, sender: sender) : 0   // SA_SIGINFO
        defer { if info != 0 { _ = rt.heap.free(info) } }
        let context = info != 0 ? try signalContext(rt, mask: before) : 0
        defer { if context != 0 { _ = rt.heap.free(context) } }
        // Linux sets up a frame for every signal deliverable under this handler's mask before
        // going back to user code, each on top of the last: the last set up runs first. So the
        // others pending now run before this handler, the highest-numbered innermost.
        while rt.signalFrameDepth < maxSignalFrames, case let ready = rt.pendingSignals & ~rt.signalMask, ready != 0 {
            let next = Int32(ready.trailingZeroBitCount + 1)
            let (nextCode, nextValue) = rt.takePendingSignal(next)
            rt.signalFrameDepth += 1
            defer { rt.signalFrameDepth -= 1 }
            try deliverOne(rt, next, code: nextCode, timer: nil, queued: nextValue)
        }
        rt.signalHandlersRun &+= 1
        func runHandler() throws {
            if action.flags & saOnStack != 0, let stack = rt.state.alternateStack, !rt.state.onAlternateStack,
               let onStack = rt.callGuestOnStack {
                rt.state.onAlternateStack = true
                defer { rt.state.onAlternateStack = false }
                _ = try onStack(handler, [UInt64(sig), info, context], stack)
            } else {
                _ = try call(handler, [UInt64(sig), info, context])
            }
        }
        // The handler may interrupt a library call's arguments or results, or a raw system call.
        if let preserving = rt.preservingInterruptedContext { try preserving(runHandler) } else { try runHandler() }
        rt.signalMask = before & ~unblockable
        rt.signalMaskChanged?(rt.signalMask)   // the handler may have changed the mask the host follows
    }

    /// Runs the handler of fault signal `sig` (caught, not blocked: ``LibcRuntime/deliverFault(_:code:address:)``).
    static func deliverFaultHandler(_ rt: LibcRuntime, _ sig: Int32, code: Int32, address: UInt64) throws {
        try deliverOne(rt, sig, code: code, timer: nil, fault: address)
    }

    /// `kill(pid, sig)`: nil when sent, else the errno. This process gets it in-process (its
    /// handlers and mask apply); others through the host.
    static func send(_ rt: LibcRuntime, _ pid: Int32, _ sig: Int32) throws -> Int32? {
        guard sig >= 0 && sig < 65 else { return EINVAL }
        if pid == getpid() {
            if sig != 0 { try deliver(rt, sig, processDirected: true) }
            return nil
        }
        // Under --root only the guest's own children are reachable; pid 0 stays in-process.
        if rt.fileSystem.confined && !(pid > 0 && isChild(pid)) {
            guard pid == 0 else { return EPERM }
            if sig != 0 { try deliver(rt, sig, processDirected: true) }
            return nil
        }
        let (status, own) = hostKill(pid, sig)
        if status != 0 { return errno }
        if own { try deliver(rt, sig, processDirected: true) }
        return nil
    }

    /// `kill` to other host processes (a forked child, a process group, every process) is the
    /// host's. When the target set may include this process (pid 0, -1 or a negative group id),
    /// the signal is blocked on the calling thread around the host call (CrossRun's helper
    /// threads block every signal) and this process's copy is taken back with `sigtimedwait`:
    /// `own` then says the guest must get it in-process, where its handlers live.
    static func hostKill(_ pid: Int32, _ sig: Int32) -> (status: Int32, own: Bool) {
        guard pid <= 0, sig != 0, sig != SIGKILL, sig != SIGSTOP else { return (Glibc.kill(pid, sig), false) }
        var only = sigset_t(), old = sigset_t(), pending = sigset_t()
        sigemptyset(&only)
        sigaddset(&only, sig)
        pthread_sigmask(SIG_BLOCK, &only, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        let status = Glibc.kill(pid, sig)
        let saved = errno
        var own = false
        sigpending(&pending)
        if sigismember(&pending, sig) == 1 {
            var zero = timespec(tv_sec: 0, tv_nsec: 0)
            own = sigtimedwait(&only, nil, &zero) == sig
        }
        errno = saved
        return (status, own)
    }

    /// Whether host process `pid` is a child of this one (its `/proc/PID/stat` parent field).
    static func isChild(_ pid: Int32) -> Bool {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return false }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 1024)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return false }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses; the last ')' ends it.
        guard let close = text.lastIndex(of: ")") else { return false }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 && Int32(fields[1]) == getpid()
    }

    /// The raw `rt_sigaction(sig, act, oldact, sigsetsize)` system call on the same
    /// dispositions as `sigaction`, with the kernel's struct (handler, flags, the restorer
    /// where the arch has one, an 8-byte mask). Returns 0 or a negated errno.
    static func kernelAction(_ rt: LibcRuntime, _ sig: Int32, act: UInt64, oldact: UInt64, setSize: UInt64) throws -> Int64 {
        guard setSize == 8, sig > 0, sig < 65, act == 0 || valid(sig) else { return -Int64(EINVAL) }
        let maskOffset: UInt64 = rt.abi.kernelSigactionHasRestorer ? 24 : 16
        let size = Int(maskOffset) + 8
        if oldact != 0 {
            let old = rt.signalActions[sig] ?? (0, 0)
            memset(try rt.memory.host(oldact, size, write: true), 0, size)
            try rt.memory.store(rt.signalHandlers[sig] ?? SIG_DFL, at: oldact)
            try rt.memory.store(UInt64(UInt32(bitPattern: old.flags)), at: oldact + 8)
            try rt.memory.store(old.mask, at: oldact + maskOffset)
        }
        if act != 0 {
            _ = try rt.memory.bytes(act, size)
            let handler = try rt.memory.load(act, as: UInt64.self)
            let flags = Int32(truncatingIfNeeded: try rt.memory.load(act + 8, as: UInt64.self))
            rt.signalHandlers[sig] = handler
            rt.signalActions[sig] = (try rt.memory.load(act + maskOffset, as: UInt64.self), flags)
            rt.signalDispositionChanged?(sig, handler, flags)
            rt.discardPendingIfIgnored(sig)
        }
        return 0
    }

    static func valid(_ sig: Int32) -> Bool { sig > 0 && sig < 65 && sig != SIGKILL && sig != SIGSTOP }

    static let functions: [String: HostFunction] = [
        "signal": { rt, f in
            let sig = try f.int32(0), handler = try f.int(1)
            guard valid(sig) else { rt.setErrno(EINVAL); f.returnInt(SIG_ERR); return }
            let old = rt.signalHandlers[sig] ?? SIG_DFL
            rt.signalHandlers[sig] = handler
            rt.signalActions[sig] = (bit(sig), 0x1000_0000)   // glibc: the signal in sa_mask, SA_RESTART
            rt.signalDispositionChanged?(sig, handler, 0x1000_0000)
            rt.discardPendingIfIgnored(sig)
            f.returnInt(old)
        },
        "sigaction": { rt, f in
            let sig = try f.int32(0), act = try f.int(1), oldact = try f.int(2)
            guard valid(sig) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            // struct sigaction: handler, sa_mask (128 bytes), sa_flags, sa_restorer.
            if oldact != 0 {
                memset(try rt.memory.host(oldact, 152, write: true), 0, 152)
                let old = rt.signalActions[sig] ?? (0, 0)
                try rt.memory.store(rt.signalHandlers[sig] ?? SIG_DFL, at: oldact)
                try rt.memory.store(old.mask, at: oldact + 8)
                try rt.memory.store(old.flags, at: oldact + 136)
            }
            if act != 0 {
                rt.signalHandlers[sig] = try rt.memory.load(act, as: UInt64.self)
                rt.signalActions[sig] = (try rt.memory.load(act + 8, as: UInt64.self), try rt.memory.load(act + 136, as: Int32.self))
                rt.signalDispositionChanged?(sig, rt.signalHandlers[sig] ?? SIG_DFL, rt.signalActions[sig]?.flags ?? 0)
                rt.discardPendingIfIgnored(sig)
            }
            f.returnInt32(0)
        },
        "raise": { rt, f in
            let sig = try f.int32(0)
            guard valid(sig) || sig == SIGKILL else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            try deliver(rt, sig, code: rt.abi.linux.wait.siTkill)
            f.returnInt32(0)
        },
        "kill": { rt, f in
            if let e = try send(rt, f.int32(0), f.int32(1)) { rt.setErrno(e); f.returnInt32(-1) } else { f.returnInt32(0) }
        },
        "sigprocmask": { rt, f in
            let how = try f.int32(0), set = try f.int(1), old = try f.int(2)
            guard set == 0 || (0...2).contains(how) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let previous = rt.signalMask
            if old != 0 {
                memset(try rt.memory.host(old, 128, write: true), 0, 128)
                try rt.memory.store(previous, at: old)
            }
            if set != 0 {
                let s = try rt.memory.load(set, as: UInt64.self)
                try rt.setSignalMask(how == SIG_BLOCK ? previous | s : how == SIG_UNBLOCK ? previous & ~s : s)
            }
            f.returnInt32(0)
        },
        "sigemptyset": { rt, f in memset(try rt.memory.host(f.int(0), 128, write: true), 0, 128); f.returnInt32(0) },
        "sigfillset": { rt, f in memset(try rt.memory.host(f.int(0), 128, write: true), 0xff, 128); f.returnInt32(0) },
        "sigaddset": { rt, f in try setBit(rt, f, true) },
        "sigdelset": { rt, f in try setBit(rt, f, false) },
        "sigismember": { rt, f in
            let sig = try f.int32(1)
            guard sig > 0 && sig < 65 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let word = try rt.memory.load(f.int(0) + UInt64((sig - 1) / 64 * 8), as: UInt64.self)
            f.returnInt32(Int32(word >> UInt64((sig - 1) % 64) & 1))
        },
    ]

    static func setBit(_ rt: LibcRuntime, _ f: any CallFrame, _ on: Bool) throws {
        let sig = try f.int32(1)
        guard sig > 0 && sig < 65 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
        let a = try f.int(0) + UInt64((sig - 1) / 64 * 8)
        var word = try rt.memory.load(a, as: UInt64.self)
        let bit = UInt64(1) << UInt64((sig - 1) % 64)
        word = on ? word | bit : word & ~bit
        try rt.memory.store(word, at: a)
        f.returnInt32(0)
    }
}

extension LibcRuntime {
    /// Sets the process signal mask and delivers the pending signals it unblocks (the
    /// lowest-numbered is set up first, the others nested on top of it: ``LibcSignal/deliverOne``)
    /// (`sigprocmask`, `siglongjmp`).
    ///
    /// The host follows (``signalMaskChanged``): signals from outside that were blocked and
    /// are now unblocked were recorded on the host and are delivered here, a default-action
    /// SIGTERM ending the program as on Linux.
    public func setSignalMask(_ mask: UInt64) throws {
        signalMask = mask & ~LibcSignal.unblockable
        if let follow = signalMaskChanged {
            follow(signalMask)
            try deliverRecordedSignals()
        }
        if var own = takeThreadSignals?(signalMask) {
            while own != 0 {
                let sig = Int32(own.trailingZeroBitCount + 1)
                own &= own &- 1
                try deliverThreadSignal(sig)
            }
        }
        while case let ready = pendingSignals & ~signalMask, ready != 0 {
            let sig = Int32(ready.trailingZeroBitCount + 1)
            let (code, value) = takePendingSignal(sig)
            try LibcSignal.deliver(self, sig, code: code, queued: value)
        }
    }
}

extension LibcRuntime {
    /// Delivers `sig` sent to the running thread alone (`pthread_kill`, `tgkill`: `SI_TKILL`;
    /// `pthread_sigqueue`: `SI_QUEUE` with its value, given or kept for the thread).
    public func deliverThreadSignal(_ sig: Int32, queued: UInt64? = nil) throws {
        if let queued {
            try LibcSignal.deliver(self, sig, code: LibcSignalSend.siQueue, queued: queued)
        } else if let origin = takeThreadSignalOrigin?(sig) {
            try LibcSignal.deliver(self, sig, code: origin.code, queued: origin.value)
        } else {
            try LibcSignal.deliver(self, sig, code: abi.linux.wait.siTkill)
        }
    }

    /// Process-pending signals the running thread's mask lets through (a thread switch
    /// delivers them: Linux gives a process-directed signal to any thread not blocking it).
    public var deliverablePendingSignals: UInt64 { pendingSignals & ~signalMask }

    /// Makes `sig` pending for the process without delivering it (the emulator's scheduler,
    /// when no thread can take a signal from outside right now).
    public func makePending(_ sig: Int32) {
        guard LibcSignal.valid(sig) else { return }
        pendingSignals |= LibcSignal.bit(sig)
    }

    /// Delivers what the running thread's mask lets through: its own pending signals, the
    /// process's, and those recorded from outside (at a thread switch).
    public func deliverUnblockedSignals() throws { try setSignalMask(signalMask) }

    /// Whether host process `pid` is a child of this one (what `--root` lets the guest signal).
    public func isChildProcess(_ pid: Int32) -> Bool { LibcSignal.isChild(pid) }

    /// Whether the guest runs a handler for `sig`.
    public func catchesSignal(_ sig: Int32) -> Bool {
        let handler = signalHandlers[sig] ?? LibcSignal.SIG_DFL
        return handler != LibcSignal.SIG_DFL && handler != LibcSignal.SIG_IGN
    }

    /// A synchronous fault of the guest's own code (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP):
    /// runs its handler with `si_code` `code` and `si_addr` `address` (the fault address, or
    /// the instruction's for SIGILL/SIGFPE), under its `sa_mask`, and returns true once it
    /// returned (the emulator's ``interruptedContext`` gives the faulting registers). False
    /// when the guest does not catch it, or blocks or ignores it: Linux then applies the
    /// default action (`force_sig_fault`), which ends the program with the crash report.
    /// A handler that jumps out (`siglongjmp`) or ends the run throws as for any handler.
    public func deliverFault(_ sig: Int32, code: Int32, address: UInt64) throws -> Bool {
        let handler = signalHandlers[sig] ?? LibcSignal.SIG_DFL
        guard handler != LibcSignal.SIG_DFL, handler != LibcSignal.SIG_IGN,
              signalMask & LibcSignal.bit(sig) == 0, callGuest != nil else { return false }
        try LibcSignal.deliverFaultHandler(self, sig, code: code, address: address)
        // Signals the handler's return unblocked, as on the way back to the faulting code.
        while case let ready = pendingSignals & ~signalMask, ready != 0 {
            let next = Int32(ready.trailingZeroBitCount + 1)
            let (code, value) = takePendingSignal(next)
            try LibcSignal.deliver(self, next, code: code, queued: value)
        }
        return true
    }

    /// Delivers the signals from outside the host recorded and the emulator has not yet
    /// delivered (a blocked one becomes pending).
    func deliverRecordedSignals() throws {
        var recorded = takeRecordedSignals?() ?? 0
        while recorded != 0 {
            let sig = Int32(recorded.trailingZeroBitCount + 1)
            recorded &= recorded &- 1
            try deliverHostSignal(sig)
        }
    }

    /// A disposition that ignores `sig` discards its pending instance (POSIX).
    func discardPendingIfIgnored(_ sig: Int32) {
        let handler = signalHandlers[sig] ?? LibcSignal.SIG_DFL
        if handler == LibcSignal.SIG_IGN || (handler == LibcSignal.SIG_DFL && LibcSignal.ignoredByDefault.contains(sig)) {
            pendingSignals &= ~LibcSignal.bit(sig)
            state.realtimeQueue[sig] = nil
        }
    }

    /// Keeps the sender of signal `sig` another process sent (as the host recorded it) with
    /// the signal until a handler or `sigwaitinfo` takes it; the first sender of a signal
    /// still pending stays, as Linux keeps the first instance's `siginfo_t`.
    public func noteSignalSender(_ sig: Int32) {
        guard let sender = recordedSignalSender?(sig) else { return }
        if pendingSignals & LibcSignal.bit(sig) != 0, state.signalSenders[sig] != nil { return }
        state.signalSenders[sig] = sender
    }

    /// Takes one pending instance of `sig` (clearing it from the pending set unless more of a
    /// real-time signal are queued): its `si_code` and `sigqueue` value, or SI_USER.
    func takePendingSignal(_ sig: Int32) -> (code: Int32, value: UInt64?) {
        let bit = LibcSignal.bit(sig)
        if sig >= 32, pendingSignals & bit != 0, var queue = state.realtimeQueue[sig], !queue.isEmpty {
            let first = queue.removeFirst()
            state.realtimeQueue[sig] = queue.isEmpty ? nil : queue
            if queue.isEmpty { pendingSignals &= ~bit }
            return first
        }
        pendingSignals &= ~bit
        state.realtimeQueue[sig] = nil
        return (abi.linux.wait.siUser, nil)
    }
}

extension LibcRuntime {
    /// Delivers `sig`, raised by the host kernel during a host call made for the guest (a
    /// write to a pipe or socket without a reader raises SIGPIPE), under the guest's
    /// disposition and mask, as `raise` would.
    /// A POSIX timer's signal (the host's `SI_TIMER`, carrying the guest timer's id) reaches
    /// an `SA_SIGINFO` handler as that timer's.
    public func deliverHostSignal(_ sig: Int32) throws {
        noteSignalSender(sig)
        if let origin = recordedSignalOrigin?(sig), origin.code == LibcSignalSend.siQueue {
            try LibcSignal.deliver(self, sig, code: LibcSignalSend.siQueue, queued: origin.value, processDirected: true)   // sigqueue from another process
            return
        }
        if sig == SIGCHLD, let origin = recordedSignalOrigin?(sig), LibcSignal.isChildCode(self, origin.code) {
            // A child's end or stop: its CLD_* code, pid and status, as the kernel's siginfo.
            try LibcSignal.deliver(self, sig, code: origin.code, queued: origin.value, processDirected: true)
            return
        }
        if let origin = recordedSignalOrigin?(sig), origin.code == LibcPosixTimers.siTimer,
           let timer = posix.timers[origin.value], timer.signal == sig {
            let overrun = max(0, crossrun_timer_getoverrun(timer.host))
            try LibcSignal.deliver(self, sig, code: LibcPosixTimers.siTimer,
                                   timer: .init(id: origin.value, overrun: overrun, value: timer.value))
            return
        }
        try LibcSignal.deliver(self, sig, processDirected: true)
    }
}

extension LibcRuntime {
    /// The raw `rt_sigaction` system call (for the emulator's shims): see ``LibcSignal/kernelAction``.
    public func kernelSigaction(_ sig: Int32, act: UInt64, oldact: UInt64, setSize: UInt64) throws -> Int64 {
        try LibcSignal.kernelAction(self, sig, act: act, oldact: oldact, setSize: setSize)
    }
}

/// A `ucontext_t` to build for a signal handler: its size, where `uc_sigmask` goes, the
/// 8-byte words to store (registers at their `uc_mcontext` offsets) and pointers into the
/// struct itself (x86-64's `fpregs` to `__fpregs_mem`), all offsets from its start.
public struct SignalContextImage {
    public var size: Int
    public var sigmaskOffset: UInt64
    public var words: [(offset: UInt64, value: UInt64)]
    public var pointers: [(offset: UInt64, target: UInt64)]

    public init(size: Int, sigmaskOffset: UInt64, words: [(offset: UInt64, value: UInt64)], pointers: [(offset: UInt64, target: UInt64)] = []) {
        self.size = size
        self.sigmaskOffset = sigmaskOffset
        self.words = words
        self.pointers = pointers
    }
}
