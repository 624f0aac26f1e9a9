import CNativeSupport
import CUnicorn
import CrossRunLibc
import CHostSystem
import CrossRunLink
#if canImport(Glibc)
import Glibc
#endif

extension GuestProcess {
    func installHooks() throws {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try arch.installTrapHooks(uc, context)
        try installLibraryCallHook(context)
        var hook: uc_hook = 0
        let invalid: @convention(c) (OpaquePointer?, uc_mem_type, UInt64, Int32, Int64, UnsafeMutableRawPointer?) -> Bool = { _, _, address, _, _, user in
            guard let user else { return false }
            let process = Unmanaged<GuestProcess>.fromOpaque(user).takeUnretainedValue()
            if process.fault.address == nil {
                process.fault.address = address
                // The engine left the PC at the block's start; put the faulting instruction's back.
                _ = crossrun_uc_restore_fault_pc(process.uc, Int32(bitPattern: process.arch.ucArch.rawValue))
                process.fault.pc = process.arch.pc(process.uc)
            }
            return false
        }
        let err = crossrun_uc_hook_add(uc, &hook, CROSSRUN_UC_HOOK_MEM_INVALID, unsafeBitCast(invalid, to: UnsafeMutableRawPointer.self), context, 1, 0)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the memory fault hook", err) }
        if let gdb = options.gdb { try attachDebugger(gdb) }
    }

    /// Host signals recorded during the host call just made (or since the last trap) reach
    /// the guest: a SIGPIPE the host kernel raised (its handler, its default action: death by
    /// SIGPIPE, or nothing when ignored), and signals from other processes the guest handles.
    /// The call's arguments or results are in their registers: each handler runs with the
    /// whole CPU context kept around it (``preservingContext(_:)``).
    func deliverHostPipeSignal() throws {
        guard crossrun_host_signals_pending() != 0 else { return }
        var signals = crossrun_take_host_signals()
        while signals != 0 {
            let sig = Int32(signals.trailingZeroBitCount + 1)
            signals &= signals &- 1
            try runtime.deliverHostSignal(sig)
        }
    }

    /// Puts back the host dispositions the guest's changed, for a host process that goes on
    /// after the guest (in-process runs, not forked copies). CLI runs (``Options/watchdogExit``
    /// set) keep them until the process exits: a signal from outside must meet the guest's
    /// disposition to the end, as natively, not the host default while CrossRun winds down.
    func restoreHostDispositions() {
        if crossrun_is_original_process() != 0 { crossrun_restore_forwarded_signals() }
    }

    /// The host disposition of `sig` follows the guest's (``LibcRuntime/signalDispositionChanged``):
    /// ignored stays ignored, a handler is recorded and delivered at the next trap, default
    /// is the host's default.
    static func forwardDisposition(_ sig: Int32, handler: UInt64, flags: Int32) {
        let mode: Int32 = handler == 0 ? 0 : handler == 1 ? 1 : 2
        _ = crossrun_forward_signal(sig, mode, flags & 0x1000_0000 != 0 ? 1 : 0)   // SA_RESTART
    }

    /// A trap from a stub (libc call, when the stubs trap: GuestProcess+LibraryCall) or a real
    /// `syscall`/`svc`/`ecall`.
    func onTrap() {
        let trapPC = arch.pc(uc) &- trapPCOffset
        guard trapPC >= trampolineBase && trapPC < trampolineEnd else {
            handleSyscall()
            do {
                try deliverHostPipeSignal()
            } catch {
                handleTrapError(error, leavingNestedCall: false)
            }
            checkDeadline()
            return
        }
        let outerSite = trapSite
        trapSite = trapPC
        callLibrary(Int((trapPC - trampolineBase) / 16))
        trapSite = outerSite
    }

    /// Library function `index` called from its stub (``trapSite``).
    func callLibrary(_ index: Int) {
        let nestedBefore = nested.calls
        // Host library code runs under the guest's rounding mode (glibc's printf honours it).
        let rounded = floatingPoint.rounding != FE_TONEAREST
        if rounded { fesetround(floatingPoint.rounding) }
        defer { if rounded || floatingPoint.rounding != FE_TONEAREST { fesetround(FE_TONEAREST) } }
        guard let runtime = trapRuntime, let posix = trapPosix, let table = trapFunctions else { return }
        let entry = table._withUnsafeGuaranteedRef { $0.entries[index] }
        // libm's exceptions reach the guest's flags (math_errhandling has MATH_ERREXCEPT).
        let raises = entry._withUnsafeGuaranteedRef { $0.raisesExceptions }
        // Host library code runs under the guest's locale once setlocale chose one other than "C".
        // (`hostLocaleIsC` is inlined: the common "C" case makes no call.)
        let previousLocale = posix._withUnsafeGuaranteedRef { $0.hostLocaleIsC ? nil : $0.activeHostLocale }.map { uselocale($0) }
        defer { if let previousLocale { uselocale(previousLocale) } }
        if raises { feclearexcept(Self.hostAllExceptions) }
        do {
            // A signal recorded since the last trap runs its handler before the call: a
            // `pause` or `read` must not start waiting for a signal that has already come.
            if signalsDeliveredAtEntry != 0 { signalsDeliveredAtEntry = 0 }
            if crossrun_host_signals_pending() != 0 {
                let delivered = crossrun_host_signals_peek()
                try deliverHostPipeSignal()
                signalsDeliveredAtEntry = delivered   // after the handlers, whose own calls reset it
            }
            try runtime._withUnsafeGuaranteedRef { runtime in
                try callHandlingLibraryFaults(entry, runtime)   // GuestProcess+LibraryFaults
                if let e = runtime.takePendingCallbackError() { throw e }
            }
            if crossrun_host_signals_pending() != 0 { try deliverHostPipeSignal() }
            if raises { raiseHostExceptions() }
            checkDeadline()
            if let s = threads { countLibraryCall(s) }
            if engineStopRequested, nested.calls != nestedBefore { keepStopAfterNestedCalls() }   // GuestProcess+ThreadWaits
        } catch {
            libraryCallFailed(index, error, nestedBefore: nestedBefore)
        }
    }

    /// What an error thrown by library call `index` (or the signal delivery around it) means
    /// for the run. Out of line: the catch clauses' frame and locals made every call's
    /// prologue heavier.
    @inline(never)
    private func libraryCallFailed(_ index: Int, _ error: any Error, nestedBefore: Int) {
        /// After a nested `uc_emu_start` has returned, `uc_emu_stop` no longer stops the outer
        /// run (libunicorn marks emulation done): send the stub's return to the stop address.
        func endAfterNestedCalls() {
            guard nested.calls != nestedBefore else { return }
            if fault.pc == nil { fault.pc = arch.pc(uc) }
            try? arch.redirectStubReturn(uc, memory: memory, to: stopAddress)
        }
        switch error {
        case let t as GuestTermination:
            endAfterNestedCalls()
            stop(t)
        case is NestedRunEnded:
            endAfterNestedCalls()
            stopEngine()   // the nested call recorded why
        case is NestedJump:
            finishNestedJump()
        case let guestFault as GuestFault:
            fault.address = guestFault.address
            fault.function = libraryName(index)
            fault.pc = arch.callerAddress(uc, memory: memory)
            fault.context = "in \(libraryName(index))" + callerDescription()
            stop(.signal(SIGSEGV, "invalid memory access"))
        default:
            fault.function = libraryName(index)
            fault.pc = arch.callerAddress(uc, memory: memory)
            fault.context = "in \(libraryName(index)): \(error)" + callerDescription()
            stop(.signal(SIGSEGV, "invalid memory access"))
        }
    }

    /// A `longjmp` out of a nested call reached this trap: complete it here if the target
    /// frame belongs to this level's guest code, else end this level's run so the enclosing
    /// nested call passes it on.
    func finishNestedJump() {
        guard let pending = nested.pendingJump else { return }
        if jumpLeavesNestedCall(arch.jumpStackPointer(pending.saved)) {
            try? arch.redirectStubReturn(uc, memory: memory, to: stopAddress)
            return
        }
        nested.pendingJump = nil
        do {
            try jump(pending)
        } catch {
            handleTrapError(error, leavingNestedCall: true)
        }
    }

    /// What an error thrown while finishing a trap means for the run: a termination ends it,
    /// a nested run's end stops this level (`leavingNestedCall`: the stub returns to the stop
    /// address, as the trap's own call was left), a `longjmp` out of a nested call continues,
    /// anything else is an invalid access.
    private func handleTrapError(_ error: any Error, leavingNestedCall: Bool) {
        switch error {
        case let t as GuestTermination:
            stop(t)
        case is NestedRunEnded:
            if leavingNestedCall { try? arch.redirectStubReturn(uc, memory: memory, to: stopAddress) }
            stopEngine()
        case is NestedJump:
            finishNestedJump()
        default:
            stop(.signal(SIGSEGV, "invalid memory access"))
        }
    }

    /// A CPU exception (divide error, undefined instruction, breakpoint…).
    func onException(signal: Int32) {
        let names: [Int32: String] = [SIGFPE: "arithmetic exception", SIGILL: "illegal instruction", SIGTRAP: "trap instruction"]
        if termination == nil, fault.exception == nil {
            fault.exception = signal
            // The faulting instruction's address (riscv64's engine reports the PC 4 past it).
            let offset = arch.exceptionPCOffset
            fault.pc = arch.pc(uc) &- offset
            if offset != 0, let pc = fault.pc { arch.setPC(uc, pc) }
        }
        stop(.signal(signal, names[signal] ?? "invalid memory access"))
    }

    func stop(_ t: GuestTermination) {
        if termination == nil {
            termination = t
            if case .signal(let signal, _) = t, signal > 0 { debugSession?.signalled(signal) }   // gdb sees it first
        }
        stopEngine()
    }

    func callerDescription() -> String {
        guard let ret = arch.callerAddress(uc, memory: memory) else { return "" }
        return " called from " + describe(ret, returnAddress: true)
    }

    /// `0x… (symbol+0x…)` for a guest address, with ` at file:line` when the image has DWARF
    /// (for a `returnAddress`, the line of the call: the byte before it).
    func describe(_ pc: UInt64, returnAddress: Bool = false) -> String {
        var text = "0x" + String(pc, radix: 16)
        if pc >= imageBase && pc < imageBase + UInt64(image.size) {
            text += " (" + (image.symbolize(offset: Int(pc - imageBase)) ?? "image+0x" + String(pc - imageBase, radix: 16)) + ")"
            let offset = pc - imageBase
            text += lineTable.suffix(forOffset: returnAddress && offset > 0 ? offset - 1 : offset)   // ` at prog.c:12` (-g)
        } else if pc == stopAddress {
            text += " (outside the program image)"     // the return-to-host address: no code of the program's
        } else if pc >= layout.trampolineBase && pc < trampolineEnd {
            text += " (\(trapTable.names[Int((pc - layout.trampolineBase) / 16)]) in the host C library)"
        }
        return text
    }

    /// Calls a guest function and returns its integer result, or nil if the run ended
    /// (exit, crash, timeout: see ``termination``).
    func call(_ function: UInt64, _ args: [UInt64], stackTop: UInt64? = nil) -> UInt64? {
        do {
            try arch.prepareCall(uc, memory: memory, function: function, args: args,
                                 returnAddress: stopAddress, stackTop: stackTop ?? argumentArea)
        } catch {
            termination = .signal(SIGSEGV, "invalid memory access")
            return nil
        }
        if deadlinePassed {
            termination = Self.timedOut
            return nil
        }
        let entrySP = arch.sp(uc)
        let err = emulate(from: function)
        if termination != nil { return nil }
        if err != UC_ERR_OK {
            switch err {
            case UC_ERR_INSN_INVALID: termination = .signal(SIGILL, "illegal instruction")
            case UC_ERR_EXCEPTION: termination = .signal(SIGILL, "unhandled CPU exception")
            default: termination = .signal(SIGSEGV, "invalid memory access")
            }
            return nil
        }
        guard arch.pc(uc) == stopAddress else {
            termination = deadlinePassed || callTimeoutMicros != nil ? Self.timedOut : .signal(SIGILL, "illegal instruction")
            return nil
        }
        guard arch.returnedNormally(uc, entryStackPointer: entrySP, returnAddress: stopAddress) else {
            jumpedToReturnAddress()
            return nil
        }
        return arch.result(uc)
    }

    /// Runs initializers, the entry, and the exit sequence; never throws and never crashes
    /// the host: every guest failure becomes an ``Outcome``.
    public func run() -> Outcome {
        guard let entry = image.symbol(named: options.entry), entry.kind != .object, entry.kind != .tls else {
            return Outcome(status: 1, report: .error("\(EmulatorError.noEntry(options.entry))"))
        }
        let (argc, argv, envp) = setUpArguments()
        crossrun_install_pipe_signal()
        startDeadline()
        defer { cancelDeadline() }
        var status: Int32 = 0
        func finish() -> Outcome? {
            if let report = deadlockReport {
                runtime.flushAll()   // what the threads printed before they all blocked
                var o = Outcome(status: Self.deadlockStatus, report: .program(report))
                o.deadlocked = true
                return o
            }
            switch termination {
            case nil: return nil
            case .exit(let s)?:
                termination = nil
                status = s
                return nil
            case .immediateExit(let s)?:
                runtime.discardAll()   // _Exit and death by a signal flush nothing, as natively
                return Outcome(status: s & 0xff, report: nil)
            case .signal(let sig, let what)?:
                runtime.discardAll()
                return crashOutcome(signal: sig, what: what)
            }
        }
        var exited = false
        if !resolveIndirectFunctions() {
            if let o = finish() { return o }
            exited = true
        }
        for slot in image.initializers where !exited {
            guard let fn = try? memory.load(imageBase + UInt64(slot), as: UInt64.self), fn != 0, fn != UInt64.max else { continue }
            if call(fn, [argc, argv, envp]) == nil {
                if let o = finish() { return o }
                exited = true
            }
        }
        if !exited {
            if let r = call(imageBase + UInt64(entry.offset), [argc, argv, envp]) {
                status = Int32(truncatingIfNeeded: r)
            } else if let o = finish() {
                return o
            }
        }
        // exit(): atexit handlers (last registered first), then finalizers, then flush. The
        // other threads live on until then, as under glibc (exit_group comes last): a handler
        // or destructor may still stop and join them (libuv's uv_library_shutdown joins its
        // thread pool).
        defer { endOtherThreads() }
        while let handler = runtime.atexitHandlers.popLast() {
            if call(handler.function, handler.arguments(status: status)) == nil, let o = finish() { return o }
        }
        for slot in image.finalizers {
            guard let fn = try? memory.load(imageBase + UInt64(slot), as: UInt64.self), fn != 0, fn != UInt64.max else { continue }
            if call(fn, []) == nil, let o = finish() { return o }
        }
        runtime.flushAll()
        return Outcome(status: status & 0xff, report: nil)
    }

    /// Fills the image's GNU indirect function slots (``LinkImage/indirectSlots``) by calling
    /// each resolver in the guest with the arguments glibc's loader passes on the architecture,
    /// after the fixups and before the initializers, as a loader applies `IRELATIVE`
    /// relocations. Returns false when a resolver did not return (``termination`` says why).
    func resolveIndirectFunctions() -> Bool {
        guard !image.indirectSlots.isEmpty else { return true }
        let block = (argumentArea - 64) & ~15
        let (arguments, bytes) = arch.indirectResolverArguments(block: block)
        if !bytes.isEmpty { try? memory.write(bytes, at: block) }
        let base = imageBase
        return image.resolveIndirectFunctions(base: base) { resolver in
            call(resolver, arguments, stackTop: block)
        } store: { offset, value in
            memory.loaderHost(base + UInt64(offset))?.storeBytes(of: value, as: UInt64.self)
        }
    }

    func crashOutcome(signal: Int32, what: String) -> Outcome {
        fflush(crossrun_host_stdio(1))
        if signal == SIGSEGV || signal == SIGBUS { attributeRuntimeStringFault() }
        let pc = fault.pc ?? arch.pc(uc)
        if signal == 0 {
            var o = Outcome(status: 124, report: .program("timed out after \(options.timeout) s at pc \(describe(arch.pc(uc)))"))
            o.timedOut = true
            o.pc = arch.pc(uc)
            o.symbol = symbol(at: arch.pc(uc))
            if o.pc != stopAddress, let at = o.pc, at >= layout.trampolineBase && at < trampolineEnd {
                o.function = trapTable.names[Int((at - layout.trampolineBase) / 16)]   // waiting in a library call
            }
            return o
        }
        let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGFPE: "SIGFPE", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGBUS: "SIGBUS"]
        var text = "\(names[signal] ?? "signal \(signal)") (\(what))"
        if let ctx = fault.context {
            text += " " + ctx
        } else {
            text += " at pc " + describe(fault.pc ?? arch.pc(uc))
        }
        if signal == SIGSEGV || signal == SIGBUS, let a = fault.address { text += ", fault address 0x" + String(a, radix: 16) }
        var o = Outcome(status: 128 + signal, report: .program(text))
        o.signal = signal
        o.pc = pc
        o.symbol = symbol(at: pc)
        o.function = fault.function
        if signal == SIGSEGV || signal == SIGBUS { o.faultAddress = fault.address }
        o.killedByDebugger = signal == SIGKILL && debugSession != nil
        return o
    }

    /// `main+0x1c` for an address in the image.
    func symbol(at pc: UInt64) -> String? {
        guard pc >= imageBase && pc < imageBase + UInt64(image.size) else { return nil }
        return image.symbolize(offset: Int(pc - imageBase))
    }

    /// Guest code reached the return-to-host address by a call or jump rather than by
    /// returning from the function the host called: a jump to a non-code address, as on Linux.
    func jumpedToReturnAddress() {
        fault.pc = stopAddress
        fault.address = stopAddress
        termination = .signal(SIGSEGV, "invalid memory access")
    }

    /// Where calls start their stack: below the argument strings and vectors (64 KiB below the
    /// top at least, as before; lower when a large environment needs more).
    var argumentArea: UInt64 {
        let fixed = layout.stackTop - 64 * 1024
        guard argumentStrings.vectors != 0 else { return fixed }
        return min(fixed, (argumentStrings.vectors - 256) & ~15)
    }

    /// Writes argv/envp strings and vectors at the top of the stack, as Linux does: the
    /// argument strings, then the environment's, one contiguous ascending block (programs that
    /// rewrite their process title rely on it), then below it envp and argv. Strings that would
    /// take more than a quarter of the stack are cut at the last one that fits (Linux refuses
    /// such an exec with E2BIG; CrossRun starts the program with what fits and says so).
    func setUpArguments() -> (UInt64, UInt64, UInt64) {
        let limit = Int(layout.stackSize / 4)
        var used = 0
        func fitting(_ strings: [[UInt8]]) -> [[UInt8]] {
            var kept: [[UInt8]] = []
            for s in strings {
                guard used + s.count <= limit else { break }
                used += s.count
                kept.append(s)
            }
            return kept
        }
        let argumentBytes: [[UInt8]] = options.argumentBytes ?? options.arguments.map { Array($0.utf8) }
        let args = argumentBytes.map { $0 + [0] }
        let exact: [[UInt8]]? = options.environmentBytes
        let envs: [[UInt8]] = exact.map { entries in entries.map { $0 + [0] } }
            ?? options.environment.sorted { $0.key < $1.key }.map { Array("\($0.key)=\($0.value)".utf8) + [0] }
        let keptArgs = fitting(args)
        let keptEnvs = fitting(envs)
        if keptArgs.count < args.count || keptEnvs.count < envs.count {
            fputs("crossrun: \(options.programName): arguments and environment exceed a quarter of the stack: "
                  + "\(args.count - keptArgs.count) arguments and \(envs.count - keptEnvs.count) variables left out\n", crossrun_host_stdio(2))
        }
        let start = (layout.stackTop - 16 - UInt64(used)) & ~15
        var cursor = start
        func place(_ s: [UInt8]) -> UInt64 {
            let at = cursor
            try? memory.write(s, at: at)
            cursor += UInt64(s.count)
            return at
        }
        let argPointers = keptArgs.map(place)
        let argEnd = cursor
        let envPointers = keptEnvs.map(place)
        argumentStrings = ArgumentStrings(arguments: start..<argEnd, environment: argEnd..<cursor,
                                          vectors: (start & ~15) - UInt64(8 * (argPointers.count + envPointers.count + 2)))
        let argv = argumentStrings.vectors
        for (i, p) in argPointers.enumerated() { try? memory.store(p, at: argv + UInt64(8 * i)) }
        try? memory.store(UInt64(0), at: argv + UInt64(8 * argPointers.count))
        let envp = argv + UInt64(8 * (argPointers.count + 1))
        for (i, p) in envPointers.enumerated() { try? memory.store(p, at: envp + UInt64(8 * i)) }
        try? memory.store(UInt64(0), at: envp + UInt64(8 * envPointers.count))
        try? runtime.installEnvironmentVector(envp)
        return (UInt64(argPointers.count), argv, envp)
    }
}
