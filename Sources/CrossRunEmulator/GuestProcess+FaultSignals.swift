import CHostSystem
import CUnicorn
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// Faults of the guest's own code (an unmapped or protected access, an illegal instruction, a
/// divide error, a breakpoint) reach the guest's `sigaction` handler as on Linux: with a
/// `siginfo_t` (`si_code`, `si_addr`) and a `ucontext_t` whose PC is the faulting
/// instruction. A handler that `siglongjmp`s out resumes at its `sigsetjmp`; one that returns
/// resumes the faulting instruction when the cause is gone (`mprotect`/`mmap` made the access
/// valid). When the cause persists Linux would fault again forever; CrossRun reports the crash
/// the default action gives instead. Uncaught, blocked or ignored: the crash report, as before.
extension GuestProcess {
    /// `uc_emu_start` from `pc`, delivering faults the guest catches and going on after them.
    func runHandlingFaults(from pc: UInt64, until end: UInt64, timeout: UInt64) -> uc_err {
        crossrun_file_mapping_set_stop({ engine in if let engine { uc_emu_stop(OpaquePointer(engine)) } }, UnsafeMutableRawPointer(uc))
        var err = uc_emu_start(uc, pc, end, timeout, 0)
        takeBusError()
        while err != UC_ERR_OK || fault.exception != nil, deliverFaultSignal(err) {
            err = uc_emu_start(uc, arch.pc(uc), end, 0, 0)
            takeBusError()
        }
        return err
    }

    /// A host SIGBUS on a file mapping's page past the file's end (CHostSystem/file_tail.c)
    /// stopped the engine after mapping a zero page there: the guest's SIGBUS, `BUS_ADRERR` at
    /// the guest address, as Linux raises it. The PC is where the engine stopped (the end of
    /// the faulting translation block), not the exact instruction.
    func takeBusError() {
        let host = crossrun_file_mapping_take_bus_error()
        guard host != 0, termination == nil, fault.exception == nil else { return }
        fault.exception = SIGBUS
        fault.code = 2                                                         // BUS_ADRERR
        fault.address = memory.guestAddress(ofHost: host) ?? 0
        fault.pc = arch.pc(uc)
        termination = .signal(SIGBUS, "access past the end of a mapped file")
    }

    /// The signal, `si_code` and `si_addr` of a fault `uc_emu_start` ended with (`err`, or a
    /// CPU exception ``onException(signal:)`` recorded), nil for anything else.
    private func faultSignal(_ err: uc_err) -> (signal: Int32, code: Int32, address: UInt64, pc: UInt64)? {
        if err == UC_ERR_OK {
            guard let sig = fault.exception, case .signal(let stopped, _)? = termination, stopped == sig, let pc = fault.pc else { return nil }
            if let code = fault.code { return (sig, code, fault.address ?? 0, pc) }
            // ILL_ILLOPN, FPE_INTDIV, TRAP_BRKPT; a #GP (privileged instruction) is SI_KERNEL with no address.
            let codes: [Int32: Int32] = [SIGILL: 2, SIGFPE: 1, SIGTRAP: 1, SIGBUS: 1, SIGSEGV: 0x80]
            return (sig, codes[sig] ?? 0, sig == SIGSEGV ? 0 : pc, pc)
        }
        guard termination == nil else { return nil }
        switch err {
        case UC_ERR_READ_UNMAPPED, UC_ERR_WRITE_UNMAPPED, UC_ERR_FETCH_UNMAPPED:
            guard let address = fault.address else { return nil }
            return (SIGSEGV, 1, address, fault.pc ?? arch.pc(uc))              // SEGV_MAPERR
        case UC_ERR_READ_PROT, UC_ERR_WRITE_PROT, UC_ERR_FETCH_PROT:
            guard let address = fault.address else { return nil }
            return (SIGSEGV, 2, address, fault.pc ?? arch.pc(uc))              // SEGV_ACCERR
        case UC_ERR_INSN_INVALID:
            let pc = arch.pc(uc)
            return (SIGILL, 2, pc, pc)                                          // ILL_ILLOPN
        default:
            return nil
        }
    }

    /// Runs the guest's handler for the fault `uc_emu_start` ended with; true when the run
    /// goes on (at the faulting instruction, or where a `siglongjmp` out of the handler went).
    /// False leaves the fault as it was recorded: the run ends with its crash report (or, for
    /// a jump to a frame further out, the enclosing nested call passes the jump on).
    func deliverFaultSignal(_ err: uc_err) -> Bool {
        guard let (sig, code, address, pc) = faultSignal(err) else { return false }
        // The engine's TLB fill grants every permission and the region's are checked only on
        // the slow path: the faulting page's entry would let the next access to it through
        // (a probe loop over a PROT_NONE page faulted 3 times in 50 on aarch64). Only on faults.
        if code == 2 { _ = crossrun_uc_flush_tlb(uc) }
        let recordedTermination = termination, recordedFault = fault
        /// Back to how the fault left things: it ends the run.
        func crash() -> Bool {
            termination = recordedTermination ?? .signal(sig, sig == SIGILL ? "illegal instruction" : "invalid memory access")
            fault = recordedFault
            return false
        }
        arch.write(uc, programCounterRegister, pc)
        termination = nil
        fault = FaultRecord()
        switch runAtInterruption(pc: pc, { try runtime.deliverFault(sig, code: code, address: address) }) {
        case .notRun: return crash()
        case .jumped: return true
        case .ended: return termination == nil && nested.pendingJump == nil ? crash() : false
        case .returned: return faultPersists(err, sig: sig, address: address) ? crash() : true
        }
    }

    /// How ``runAtInterruption(pc:_:)`` went.
    enum InterruptionOutcome {
        /// The delivery ran no handler.
        case notRun
        /// The handler returned: the CPU context is as before it.
        case returned
        /// It `siglongjmp`ed to a frame of this run level, where the run goes on.
        case jumped
        /// The run ended (``termination``), or a jump leaves this level (``NestedCallState/pendingJump``).
        case ended
    }

    /// Runs `deliver` (which calls a guest handler as a nested call, or returns false when
    /// there is none) where the running guest code was interrupted — not inside a trap — with
    /// the whole CPU context saved around it. The handler's `ucontext_t` gets `pc`.
    func runAtInterruption(pc: UInt64, _ deliver: () throws -> Bool) -> InterruptionOutcome {
        var saved: OpaquePointer?
        guard uc_context_alloc(uc, &saved) == UC_ERR_OK, let saved else { return .notRun }
        defer { uc_context_free(saved) }
        uc_context_save(uc, saved)
        // The handler's ucontext_t takes its PC from the trap site.
        let outerSite = trapSite
        trapSite = pc
        defer { trapSite = outerSite }
        do {
            guard try deliver() else { return .notRun }
        } catch is NestedJump {
            guard let pending = nested.pendingJump else { return .ended }
            // A jump further out than this level's guest frames: the enclosing call passes it on.
            if jumpLeavesNestedCall(arch.jumpStackPointer(pending.saved)) { return .ended }
            nested.pendingJump = nil
            do {
                try jump(pending)
            } catch let t as GuestTermination {
                if termination == nil { termination = t }
                return .ended
            } catch {
                if termination == nil { termination = .signal(SIGSEGV, "invalid memory access") }
                return .ended
            }
            // The registers are as a stub's `ret` back to the `sigsetjmp` caller expects.
            arch.write(uc, programCounterRegister, trampolineBase &+ 16 &+ stubReturnOffset)
            return .jumped
        } catch let t as GuestTermination {
            if termination == nil { termination = t }
            return .ended
        } catch {
            // NestedRunEnded: the handler's run ended (exit, a crash, the deadline) and said why.
            return .ended
        }
        uc_context_restore(uc, saved)
        return .returned
    }

    /// Whether the faulting instruction would fault the same way again: always for a CPU
    /// exception; for an access, while the page is still unmapped or without the permission.
    private func faultPersists(_ err: uc_err, sig: Int32, address: UInt64) -> Bool {
        let needed: UInt32
        switch err {
        case UC_ERR_READ_UNMAPPED, UC_ERR_READ_PROT: needed = UC_PROT_READ.rawValue
        case UC_ERR_WRITE_UNMAPPED, UC_ERR_WRITE_PROT: needed = UC_PROT_WRITE.rawValue
        case UC_ERR_FETCH_UNMAPPED, UC_ERR_FETCH_PROT: needed = UC_PROT_EXEC.rawValue
        default: return true
        }
        var regions: UnsafeMutablePointer<uc_mem_region>?
        var count: UInt32 = 0
        guard uc_mem_regions(uc, &regions, &count) == UC_ERR_OK, let regions else { return true }
        defer { uc_free(regions) }
        for i in 0..<Int(count) where regions[i].begin <= address && address <= regions[i].end {
            return regions[i].perms & needed == 0
        }
        return true
    }
}
