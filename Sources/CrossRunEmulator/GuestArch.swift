import CUnicorn
import CrossRunELF
import CrossRunLibc

/// Everything about one guest architecture that the emulator needs: engine mode, CPU set-up,
/// the trap stub and how a trap is recognised, registers of the calling convention and of
/// system calls. Adding an architecture is adding one conforming type.
protocol GuestArch {
    /// The ELF machine it runs.
    var machine: Machine { get }
    var ucArch: uc_arch { get }
    var ucMode: uc_mode { get }
    /// The engine's CPU model (a `uc_cpu_*` value), chosen before the first run: the CPU whose
    /// features ``cpu`` describes to the program.
    var cpuModel: Int32 { get }
    /// What that CPU implements, as `getauxval(AT_HWCAP/AT_HWCAP2)` and `/proc/cpuinfo` say.
    var cpu: GuestCPU { get }
    /// The arguments glibc's loader passes a GNU indirect function's resolver on this
    /// architecture, and the bytes of the block at guest address `block` the last of them may
    /// point to (aarch64's `__ifunc_arg_t`; empty: none).
    func indirectResolverArguments(block: UInt64) -> (arguments: [UInt64], block: [UInt8])
    /// Bytes of one trampoline stub (trap, then return to the caller); padded to 16 bytes.
    var trapStub: [UInt8] { get }
    /// How far the PC seen in the trap hook is past the trap instruction (0 on x86-64, whose
    /// hook sees the PC *at* `syscall`; 4 on aarch64/riscv64).
    var trapPCOffset: UInt64 { get }
    /// How far past the faulting instruction the PC is when a CPU exception (an illegal or
    /// trap instruction, a misaligned access) reaches the interrupt hook: 4 on riscv64, whose
    /// engine adds 4 to the PC before every interrupt hook whatever the instruction's length
    /// (a 2-byte compressed one included); 0 where the PC is on the instruction.
    var exceptionPCOffset: UInt64 { get }
    /// Bytes of one library-call stub served by the trampolines' block hook (no trapping
    /// instruction: a no-op the hook runs before, then the return), padded to 16 bytes like
    /// ``trapStub``, its return at ``stubReturnOffset`` as in ``trapStub``.
    var callStub: [UInt8] { get }
    /// Where a stub's return instruction is: the PC a library call resumes at once it was
    /// stopped (a thread switch, the run's end) or interrupted by a nested guest call.
    var stubReturnOffset: UInt64 { get }
    /// The program counter's Unicorn register id.
    var programCounterRegister: Int32 { get }
    /// Where the first three integer arguments and the integer result are in the engine's
    /// integer register file (``crossrun_uc_integer_registers``): what a register-only library
    /// call (``RegisterFunction``) reads and writes.
    var registerFileCallSlots: RegisterFileCallSlots { get }
    /// The architecture's C ABI and Linux interface facts (layouts, numbers, `long double`,
    /// `char` signedness, system-call numbers, `jmp_buf`), shared with the host library.
    var abi: GuestABI { get }

    /// One-time CPU configuration (FPU enables etc.).
    func prepare(_ uc: OpaquePointer) throws
    /// Code that drops the CPU from the privilege Unicorn starts in to the one Linux runs
    /// programs in (x86-64 CPL 3, riscv64 U-mode), run once at load after
    /// ``prepareUserMode(_:landing:)``; empty when registers alone switch (aarch64 EL0).
    /// Privileged instructions then fault as under Linux, with no per-instruction hook.
    var userModeSwitch: [UInt8] { get }
    /// Registers for ``userModeSwitch``, which must end at `landing`.
    func prepareUserMode(_ uc: OpaquePointer, landing: UInt64) throws
    /// A privileged instruction that must fault once the CPU runs at user privilege (run once
    /// after the switch, to check it; empty: the switch itself is the check).
    var userModeProbe: [UInt8] { get }
    /// Completes an instruction that faults in Unicorn's CPU but that Linux lets a program
    /// execute (riscv64 `rdtime`: no timer device behind the CSR). Called only when CPU
    /// exception `intno` would end the run; returns whether the program goes on.
    func emulateFaultingInstruction(_ uc: OpaquePointer, memory: AddressSpace, interrupt intno: UInt32) -> Bool
    /// What CPU interrupt `intno` means (a trap stub / system call, or a fault's signal).
    func interruptMeaning(_ intno: UInt32) -> InterruptMeaning
    /// Installs the hook(s) through which the trap stubs and real system calls reach `dispatcher`.
    func installTrapHooks(_ uc: OpaquePointer, _ context: UnsafeMutableRawPointer) throws
    /// Sets the thread pointer (FS base / TPIDR_EL0 / tp).
    func setThreadPointer(_ uc: OpaquePointer, _ value: UInt64)
    /// The program counter.
    func pc(_ uc: OpaquePointer) -> UInt64
    /// Moves the program counter (a blocked library call's retry re-enters its trampoline).
    func setPC(_ uc: OpaquePointer, _ value: UInt64)
    /// The stack pointer.
    func sp(_ uc: OpaquePointer) -> UInt64
    /// Prepares registers and stack to call `function(args…)` so that it returns to `returnAddress`;
    /// `stackTop` is where the callee's stack starts (16-byte aligned).
    func prepareCall(_ uc: OpaquePointer, memory: AddressSpace, function: UInt64, args: [UInt64],
                     returnAddress: UInt64, stackTop: UInt64) throws
    /// Whether a run that stopped at `returnAddress` got there by returning from the function
    /// ``prepareCall`` set up (stack pointer back where the call left it; on link-register
    /// machines the link register still `returnAddress`), not by a call or jump to it.
    func returnedNormally(_ uc: OpaquePointer, entryStackPointer: UInt64, returnAddress: UInt64) -> Bool
    /// The integer result register after a call returned.
    func result(_ uc: OpaquePointer) -> UInt64
    /// The frame of a trap: arguments and results per the calling convention; `registers` is
    /// the engine's integer register file when found (``crossrun_uc_integer_registers``).
    func frame(_ uc: OpaquePointer, memory: AddressSpace, registers: UnsafeMutablePointer<UInt64>?) -> any CallFrame
    /// Address the trapping stub returns to (the guest caller), for crash reports.
    func callerAddress(_ uc: OpaquePointer, memory: AddressSpace) -> UInt64?
    /// System call number and six arguments at a system-call trap.
    func syscallArguments(_ uc: OpaquePointer) -> (number: UInt64, args: [UInt64])
    /// Sets a system call's result.
    func setSyscallResult(_ uc: OpaquePointer, _ value: UInt64)
    /// Registers to restore after host code calls back into the guest from inside a trap:
    /// the ones the interrupted stub still needs (stack pointer, PC, link register). The
    /// rest are caller-saved across the libc call or preserved by the callee's ABI.
    var nestedCallRegisters: [Int32] { get }
    /// How the guest's `<fenv.h>` encodes rounding modes, flags and `fenv_t`.
    var floatingPointABI: FloatingPointABI { get }
    /// The CPU's rounding mode and accumulated exception flags, as `FE_*` values.
    func floatingPointState(_ uc: OpaquePointer) -> (rounding: UInt32, flags: UInt32)
    /// Sets the CPU's rounding mode and exception flags (`FE_*` values).
    func setFloatingPointState(_ uc: OpaquePointer, rounding: UInt32, flags: UInt32)
    /// Registers a `setjmp` saves (callee-saved, stack, return address), read at the trap.
    func captureJump(_ uc: OpaquePointer, memory: AddressSpace) throws -> [UInt64]
    /// Restores registers saved by ``captureJump`` so the trap stub returns to the `setjmp`
    /// caller with `value` as the result.
    func resumeJump(_ uc: OpaquePointer, memory: AddressSpace, saved: [UInt64], value: UInt64) throws
    /// The frame-pointer register and where a frame record keeps the caller's frame pointer
    /// and return address, relative to the frame pointer (for backtraces of code built with
    /// `-fno-omit-frame-pointer`).
    var frameRecord: (register: Int32, previousFrame: Int64, returnAddress: Int64) { get }
    /// The stack pointer the registers saved by ``captureJump`` resume with.
    func jumpStackPointer(_ saved: [UInt64]) -> UInt64
    /// Makes the trap stub's `ret` go to `address` (the return slot on the stack on x86-64,
    /// the link register elsewhere).
    func redirectStubReturn(_ uc: OpaquePointer, memory: AddressSpace, to address: UInt64) throws
    /// Where an `SA_SIGINFO` handler's `ucontext_t` keeps the interrupted registers (glibc's
    /// `<sys/ucontext.h>` for the arch, which `include/sys/ucontext.h` matches).
    var signalContextLayout: SignalContextLayout { get }
}

/// Reads and writes of registers by Unicorn id.
extension GuestArch {
    /// A trap's frame that reads every register through the engine's API.
    func frame(_ uc: OpaquePointer, memory: AddressSpace) -> any CallFrame { frame(uc, memory: memory, registers: nil) }

    @inline(__always)
    func read(_ uc: OpaquePointer, _ reg: Int32) -> UInt64 {
        var v: UInt64 = 0
        uc_reg_read(uc, reg, &v)
        return v
    }

    @inline(__always)
    func write(_ uc: OpaquePointer, _ reg: Int32, _ value: UInt64) {
        var v = value
        uc_reg_write(uc, reg, &v)
    }

    /// Reads the low 64 bits of a 128-bit vector register.
    @inline(__always)
    func readVectorLow(_ uc: OpaquePointer, _ reg: Int32) -> UInt64 {
        var v: (UInt64, UInt64) = (0, 0)
        uc_reg_read(uc, reg, &v)
        return v.0
    }

    /// Writes a 128-bit vector register with `low` in its low 64 bits.
    @inline(__always)
    func writeVectorLow(_ uc: OpaquePointer, _ reg: Int32, _ low: UInt64) {
        var v: (UInt64, UInt64) = (low, 0)
        uc_reg_write(uc, reg, &v)
    }
}

/// The per-architecture emulator.
func guestArch(for machine: Machine) throws -> any GuestArch {
    switch machine {
    case .x86_64: return X86_64Guest()
    case .aarch64: return AArch64Guest()
    case .riscv64: return RISCV64Guest()
    }
}
