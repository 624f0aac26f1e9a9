import CUnicorn
import CrossRunELF
import CrossRunGDB

/// Where one register of a ``TargetDescription`` lives in Unicorn: its id, and whether a
/// debugger may write it (segment selectors and the privilege state may not: the program
/// must stay in user mode).
struct DebugRegister {
    var id: Int32
    var writable = true
    /// aarch64 `cpsr`: read as PSTATE, written as NZCV only.
    var writeID: Int32?
}

/// The debugger's view of one guest architecture: `target.xml` and each register's Unicorn id,
/// in the same order (per-arch tables in `X86_64Guest+Debug.swift`, `AArch64Guest+Debug.swift`, `RISCV64Guest+Debug.swift`).
struct DebugArchitecture {
    var description: TargetDescription
    var registers: [DebugRegister]
    /// The program counter's Unicorn id.
    var pc: Int32
}

func debugArchitecture(for machine: Machine) -> DebugArchitecture {
    switch machine {
    case .x86_64: return X86_64Guest.debugArchitecture
    case .aarch64: return AArch64Guest.debugArchitecture
    case .riscv64: return RISCV64Guest.debugArchitecture
    }
}
