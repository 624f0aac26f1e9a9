import CUnicorn
import CrossRunGDB

/// aarch64 registers for the debugger, in `TargetDescription.aarch64` order.
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
