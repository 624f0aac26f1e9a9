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
/// in the same order (per-arch tables in `X86_64Guest+Debug.swift` and its siblings).
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

extension X86_64Guest {
    static var debugArchitecture: DebugArchitecture {
        func r(_ id: uc_x86_reg, writable: Bool = true) -> DebugRegister { DebugRegister(id: Int32(id.rawValue), writable: writable) }
        var regs = [UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RSI, UC_X86_REG_RDI,
                    UC_X86_REG_RBP, UC_X86_REG_RSP, UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11,
                    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15, UC_X86_REG_RIP, UC_X86_REG_EFLAGS].map { r($0) }
        regs += [UC_X86_REG_CS, UC_X86_REG_SS, UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_FS, UC_X86_REG_GS].map { r($0, writable: false) }
        regs += (0..<8).map { DebugRegister(id: Int32(UC_X86_REG_ST0.rawValue) + Int32($0)) }
        regs += [UC_X86_REG_FPCW, UC_X86_REG_FPSW, UC_X86_REG_FPTAG, UC_X86_REG_FCS, UC_X86_REG_FIP,
                 UC_X86_REG_FDS, UC_X86_REG_FDP, UC_X86_REG_FOP].map { r($0, writable: false) }
        regs += (0..<16).map { DebugRegister(id: Int32(UC_X86_REG_XMM0.rawValue) + Int32($0)) }
        regs.append(r(UC_X86_REG_MXCSR))
        regs += [r(UC_X86_REG_FS_BASE), r(UC_X86_REG_GS_BASE)]
        return DebugArchitecture(description: .x86_64, registers: regs, pc: Int32(UC_X86_REG_RIP.rawValue))
    }
}

extension AArch64Guest {
    static var debugArchitecture: DebugArchitecture {
        func r(_ id: uc_arm64_reg) -> DebugRegister { DebugRegister(id: Int32(id.rawValue)) }
        var regs = (0...28).map { DebugRegister(id: Int32(UC_ARM64_REG_X0.rawValue) + Int32($0)) }
        regs += [r(UC_ARM64_REG_X29), r(UC_ARM64_REG_X30), r(UC_ARM64_REG_SP), r(UC_ARM64_REG_PC)]
        regs.append(DebugRegister(id: Int32(UC_ARM64_REG_PSTATE.rawValue), writeID: Int32(UC_ARM64_REG_NZCV.rawValue)))
        regs += (0...31).map { DebugRegister(id: Int32(UC_ARM64_REG_V0.rawValue) + Int32($0)) }
        regs += [r(UC_ARM64_REG_FPSR), r(UC_ARM64_REG_FPCR)]
        return DebugArchitecture(description: .aarch64, registers: regs, pc: Int32(UC_ARM64_REG_PC.rawValue))
    }
}

extension RISCV64Guest {
    static var debugArchitecture: DebugArchitecture {
        var regs = (0...31).map { DebugRegister(id: Int32(UC_RISCV_REG_X0.rawValue) + Int32($0), writable: $0 != 0) }
        regs.append(DebugRegister(id: Int32(UC_RISCV_REG_PC.rawValue)))
        regs += (0...31).map { DebugRegister(id: Int32(UC_RISCV_REG_F0.rawValue) + Int32($0)) }
        regs += [UC_RISCV_REG_FFLAGS, UC_RISCV_REG_FRM, UC_RISCV_REG_FCSR].map { DebugRegister(id: Int32($0.rawValue)) }
        return DebugArchitecture(description: .riscv64, registers: regs, pc: Int32(UC_RISCV_REG_PC.rawValue))
    }
}
