import CNativeSupport
import CUnicorn
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// Raised inside a host function when a nested guest call ended the run (exit, crash).
struct NestedRunEnded: Error {}

/// Raised inside a host function when guest code it called `longjmp`ed to a frame outside
/// that call (out of a signal handler or a `qsort` comparator): the host function is
/// abandoned, and the trap whose guest frames hold the target completes the jump.
struct NestedJump: Error {}

/// A `longjmp` on its way out of nested calls.
struct PendingJump {
    var saved: [UInt64]
    var value: UInt64
    /// The signal mask to restore (`sigsetjmp` with a non-zero `savemask`).
    var mask: UInt64?
}

extension GuestProcess {
    /// Calls guest code from inside a trap (a `qsort` comparator, …) and returns its integer
    /// result. The registers the interrupted stub needs are saved and restored around the call
    /// (a full `uc_context_save` copies the whole CPU state and dominated qsort's profile).
    ///
    /// Nesting is limited to ``maxNestedCalls``: deeper, the guest is reported as a stack
    /// overflow (SIGSEGV), which is how unbounded recursion through callbacks or signal
    /// handlers ends natively.
    ///
    /// `alternateStack`: run on that stack (a signal handler's `sigaltstack`) instead of below
    /// the interrupted frame.
    func callNested(_ function: UInt64, _ args: [UInt64], alternateStack: Range<UInt64>? = nil) throws -> UInt64 {
        guard nested.stackTops.count < Self.maxNestedCalls else {
            termination = .signal(SIGSEGV, "stack overflow: more than \(Self.maxNestedCalls) nested calls from the C library into guest code")
            throw NestedRunEnded()
        }
        // The run's deadline holds for nested calls too (the watchdog stops whichever
        // `uc_emu_start` is running; one that starts after the deadline does not start).
        if deadlinePassed {
            termination = Self.timedOut
            throw NestedRunEnded()
        }
        nested.calls += 1
        let registers = arch.nestedCallRegisters
        let saved = registers.map { arch.read(uc, $0) }
        // Below the interrupted frame and its red zone (the guest's stack pointer may be
        // anything: a wild one makes the pushes below fault).
        let top = alternateStack.map { $0.upperBound & ~15 } ?? (arch.sp(uc) &- 512) & ~15
        try arch.prepareCall(uc, memory: memory, function: function, args: args, returnAddress: stopAddress, stackTop: top)
        nested.stackTops.append(top)
        nested.alternateStackBottoms[nested.stackTops.count] = alternateStack?.lowerBound
        let entrySP = arch.sp(uc)
        var err = runHandlingFaults(from: function, until: stopAddress, timeout: 0)
        // The scheduler's time slice may stop a nested run: it goes on (no switch in here).
        while err == UC_ERR_OK, termination == nil, nested.pendingJump == nil, arch.pc(uc) != stopAddress,
              let s = threads, crossrun_ticker_take(s.ticker) != 0, !deadlinePassed {
            err = runHandlingFaults(from: arch.pc(uc), until: stopAddress, timeout: 0)
        }
        nested.alternateStackBottoms[nested.stackTops.count] = nil
        nested.stackTops.removeLast()
        let result = arch.result(uc)
        let endedAt = arch.pc(uc)
        let returned = arch.returnedNormally(uc, entryStackPointer: entrySP, returnAddress: stopAddress)
        // Inside a block-hook library call the PC read above is stale: the stub resumes at its `ret`.
        for (r, v) in zip(registers, saved) { arch.write(uc, r, r == programCounterRegister && hookResumePC != 0 ? hookResumePC : v) }
        if termination != nil { throw NestedRunEnded() }
        if nested.pendingJump != nil { throw NestedJump() }
        guard err == UC_ERR_OK, endedAt == stopAddress else {
            if err == UC_ERR_OK {
                // Stopped by the deadline, or the CPU halted (`wfi`: SIGILL, as on Linux).
                termination = deadlinePassed ? Self.timedOut : .signal(SIGILL, "illegal instruction")
            } else {
                termination = .signal(err == UC_ERR_INSN_INVALID ? 4 : 11, err == UC_ERR_INSN_INVALID ? "illegal instruction" : "invalid memory access")
            }
            throw NestedRunEnded()
        }
        guard returned else {
            jumpedToReturnAddress()
            throw NestedRunEnded()
        }
        return result
    }

    /// Runs a signal handler's nested call (`call`) with the guest's whole CPU context saved
    /// around it and put back when the handler returns, as Linux's `sigreturn` restores the
    /// signal frame (``LibcRuntime/preservingInterruptedContext``). A handler interrupts code
    /// that expects every register it did not give away to survive: a library call about to
    /// read its arguments (a signal recorded since the last trap runs its handler at the
    /// call's entry), one whose results are in place (a `double` in xmm0/d0/fa0, a 16-byte
    /// struct in two registers; the handler runs after the host work), a raw system call
    /// (which changes only its result register), a wait that restarts and reads its arguments
    /// again. ``callNested(_:_:alternateStack:)`` keeps only the stack pointer, PC and link
    /// register, which is all a callback from a library function needs: a SIGALRM handler run
    /// at the entry of `printf` used to leave its own arguments (the signal number) where the
    /// format pointer was. The PC is left where the nested call put it (inside a block-hook
    /// library call, the stub's `ret`; the engine's own PC there is stale). A handler that
    /// jumps out or ends the run throws past the restore, as it never returns on Linux either.
    /// The host-side rounding mode follows the restored registers.
    func preservingContext(_ call: () throws -> Void) throws {
        var saved: OpaquePointer?
        guard uc_context_alloc(uc, &saved) == UC_ERR_OK, let saved else {
            throw EmulatorError.resources("cannot allocate a CPU context for a signal handler")
        }
        defer { uc_context_free(saved) }
        uc_context_save(uc, saved)
        let rounding = floatingPoint.rounding
        try call()
        let resumeAt = arch.pc(uc)
        uc_context_restore(uc, saved)
        floatingPoint.rounding = rounding
        arch.write(uc, programCounterRegister, resumeAt)
    }

    /// The deepest nesting of guest calls made from host library code (a `qsort` comparator
    /// calling `qsort`, a signal handler raising a signal). Each is a nested `uc_emu_start`,
    /// and Unicorn supports at most 64 of them (`UC_MAX_NESTED_LEVEL`; past it, it corrupts
    /// its own state and crashes), the outermost call included.
    public static let maxNestedCalls = 56

    /// Whether a jump to stack pointer `sp` leaves the innermost nested call in progress.
    func jumpLeavesNestedCall(_ sp: UInt64) -> Bool {
        guard let top = nested.stackTops.last else { return false }
        if let bottom = nested.alternateStackBottoms[nested.stackTops.count], sp < bottom { return true }
        return sp > top
    }

    /// `longjmp`: restores the signal mask if `sigsetjmp` saved one, then the registers, so
    /// the trap stub returns from `setjmp` again. A jump out of a nested call travels
    /// outwards first (``NestedJump``).
    func jump(_ jump: PendingJump) throws {
        if jumpLeavesNestedCall(arch.jumpStackPointer(jump.saved)) {
            nested.pendingJump = jump
            throw NestedJump()
        }
        if let mask = jump.mask { try runtime.setSignalMask(mask) }
        try arch.resumeJump(uc, memory: memory, saved: jump.saved, value: jump.value)
    }
}
