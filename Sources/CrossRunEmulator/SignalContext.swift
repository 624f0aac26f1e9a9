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
        // Inside a library call served by the trampolines' block hook the engine's PC is stale:
        // the call's PC is its stub (``trapSite``), as everywhere else on that path.
        let words = layout.registers.map { entry in
            (offset: entry.offset,
             value: entry.register == programCounterRegister && trapSite != 0 ? trapSite : arch.read(uc, entry.register))
        }
        return SignalContextImage(size: layout.size, sigmaskOffset: layout.sigmaskOffset, words: words, pointers: layout.pointers)
    }
}
