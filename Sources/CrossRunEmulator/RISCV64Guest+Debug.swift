import CUnicorn
import CrossRunGDB

/// riscv64 registers for the debugger, in `TargetDescription.riscv64` order.
extension RISCV64Guest {
    static var debugArchitecture: DebugArchitecture {
        var regs = (0...31).map { DebugRegister(id: Int32(UC_RISCV_REG_X0.rawValue) + Int32($0), writable: $0 != 0) }
        regs.append(DebugRegister(id: Int32(UC_RISCV_REG_PC.rawValue)))
        regs += (0...31).map { DebugRegister(id: Int32(UC_RISCV_REG_F0.rawValue) + Int32($0)) }
        regs += [UC_RISCV_REG_FFLAGS, UC_RISCV_REG_FRM, UC_RISCV_REG_FCSR].map { DebugRegister(id: Int32($0.rawValue)) }
        return DebugArchitecture(description: .riscv64, registers: regs, pc: Int32(UC_RISCV_REG_PC.rawValue))
    }
}
