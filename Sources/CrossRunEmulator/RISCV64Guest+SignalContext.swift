import CUnicorn

extension RISCV64Guest {
    /// glibc's riscv64 `ucontext_t` (960 bytes): `uc_sigmask` at 40, `uc_mcontext.__gregs` at 176
    /// with the PC in slot 0 (`REG_PC`) and x1…x31 in slots 1…31.
    var signalContextLayout: SignalContextLayout {
        var registers = [(UInt64(176), Int32(UC_RISCV_REG_PC.rawValue))]
        registers += (1...31).map { (176 + 8 * UInt64($0), Int32(UC_RISCV_REG_X0.rawValue) + Int32($0)) }
        return SignalContextLayout(size: 960, sigmaskOffset: 40, registers: registers)
    }
}
