import CUnicorn

extension X86_64Guest {
    /// glibc's x86-64 `ucontext_t` (968 bytes): `gregs` at 40 in `REG_R8`…`REG_EFL` order,
    /// `fpregs` (224) pointing at `__fpregs_mem` (424), `uc_sigmask` at 296.
    var signalContextLayout: SignalContextLayout {
        let order: [uc_x86_reg] = [UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12,
                                   UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15, UC_X86_REG_RDI, UC_X86_REG_RSI,
                                   UC_X86_REG_RBP, UC_X86_REG_RBX, UC_X86_REG_RDX, UC_X86_REG_RAX, UC_X86_REG_RCX,
                                   UC_X86_REG_RSP, UC_X86_REG_RIP, UC_X86_REG_EFLAGS]
        return SignalContextLayout(size: 968, sigmaskOffset: 296,
                                   registers: order.enumerated().map { (40 + 8 * UInt64($0.offset), Int32($0.element.rawValue)) },
                                   pointers: [(224, 424)])
    }
}
