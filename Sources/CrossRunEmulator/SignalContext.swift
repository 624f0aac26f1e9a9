import CUnicorn
import CrossRunLibc

/// One architecture's `ucontext_t` as a signal handler sees it: its size, where `uc_sigmask`
/// is, which register goes at which offset of `uc_mcontext` (by Unicorn id), and pointers the
/// struct holds into itself. Offsets are from the struct's start; `SignalContextTests` checks
/// them against `include/sys/ucontext.h` compiled for each target.
struct SignalContextLayout {
    var size: Int
    var sigmaskOffset: UInt64
    var registers: [(offset: UInt64, register: Int32)]
    var pointers: [(offset: UInt64, target: UInt64)] = []
}

extension GuestProcess {
    /// The registers of the guest at the current trap, laid out as the arch's `ucontext_t`
    /// (``LibcRuntime/interruptedContext``): the PC is the library call's stub, the stack
    /// pointer the caller's at the call.
    func interruptedContext() -> SignalContextImage {
        let layout = arch.signalContextLayout
        let words = layout.registers.map { (offset: $0.offset, value: arch.read(uc, $0.register)) }
        return SignalContextImage(size: layout.size, sigmaskOffset: layout.sigmaskOffset, words: words, pointers: layout.pointers)
    }
}

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

extension RISCV64Guest {
    /// glibc's riscv64 `ucontext_t` (960 bytes): `uc_sigmask` at 40, `uc_mcontext.__gregs` at 176
    /// with the PC in slot 0 (`REG_PC`) and x1…x31 in slots 1…31.
    var signalContextLayout: SignalContextLayout {
        var registers = [(UInt64(176), Int32(UC_RISCV_REG_PC.rawValue))]
        registers += (1...31).map { (176 + 8 * UInt64($0), Int32(UC_RISCV_REG_X0.rawValue) + Int32($0)) }
        return SignalContextLayout(size: 960, sigmaskOffset: 40, registers: registers)
    }
}
