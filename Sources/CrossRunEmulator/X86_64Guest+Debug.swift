import CUnicorn
import CrossRunGDB

/// x86-64 registers for the debugger, in `TargetDescription.x86_64` order.
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
