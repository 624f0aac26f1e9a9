import CUnicorn
import CrossRunLibc

/// Raised inside a host function when a nested guest call ended the run (exit, crash).
struct NestedRunEnded: Error {}

extension GuestProcess {
    /// Calls guest code from inside a trap (a `qsort` comparator, …) and returns its integer
    /// result. The registers the interrupted stub needs are saved and restored around the call
    /// (a full `uc_context_save` copies the whole CPU state and dominated qsort's profile).
    func callNested(_ function: UInt64, _ args: [UInt64]) throws -> UInt64 {
        nestedCalls += 1
        let registers = arch.nestedCallRegisters
        let saved = registers.map { arch.read(uc, $0) }
        // Below the interrupted frame and its red zone.
        let top = (arch.sp(uc) - 512) & ~15
        try arch.prepareCall(uc, memory: memory, function: function, args: args, returnAddress: stopAddress, stackTop: top)
        let err = uc_emu_start(uc, function, stopAddress, 0, 0)
        let result = arch.result(uc)
        let endedAt = arch.pc(uc)
        for (r, v) in zip(registers, saved) { arch.write(uc, r, v) }
        if termination != nil { throw NestedRunEnded() }
        guard err == UC_ERR_OK, endedAt == stopAddress else {
            termination = .signal(err == UC_ERR_INSN_INVALID ? 4 : 11, err == UC_ERR_INSN_INVALID ? "illegal instruction" : "invalid memory access")
            throw NestedRunEnded()
        }
        return result
    }
}
