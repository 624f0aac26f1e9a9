import CUnicorn

extension AArch64Guest {
    /// glibc's aarch64 `ucontext_t` (4560 bytes): `uc_sigmask` at 40, `uc_mcontext` at 176 with
    /// `regs[31]` at 184, then `sp`, `pc` and `pstate`.
    var signalContextLayout: SignalContextLayout {
        var registers = (0...28).map { (184 + 8 * UInt64($0), Int32(UC_ARM64_REG_X0.rawValue) + Int32($0)) }
        registers += [(416, Int32(UC_ARM64_REG_X29.rawValue)), (424, Int32(UC_ARM64_REG_X30.rawValue)),
                      (432, Int32(UC_ARM64_REG_SP.rawValue)), (440, Int32(UC_ARM64_REG_PC.rawValue)),
                      (448, Int32(UC_ARM64_REG_PSTATE.rawValue))]
        return SignalContextLayout(size: 4560, sigmaskOffset: 40, registers: registers)
    }
}
