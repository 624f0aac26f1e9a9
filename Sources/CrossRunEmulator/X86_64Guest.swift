import CUnicorn
import CrossRunELF
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// x86-64: SysV calling convention, `syscall; ret` trampolines, FS-based thread pointer.
struct X86_64Guest: GuestArch {
    var machine: Machine { .x86_64 }
    var ucArch: uc_arch { UC_ARCH_X86 }
    var ucMode: uc_mode { UC_MODE_64 }
    var cpuModel: Int32 { Int32(UC_CPU_X86_EPYC_ROME.rawValue) }
    var cpu: GuestCPU { .x86_64 }
    /// glibc's x86-64 resolvers get no arguments (they read `__cpu_model` or CPUID).
    func indirectResolverArguments(block: UInt64) -> (arguments: [UInt64], block: [UInt8]) { ([], []) }
    // syscall ; ret ; int3 padding
    var trapStub: [UInt8] { [0x0f, 0x05, 0xc3] + [UInt8](repeating: 0xcc, count: 13) }
    var abi: GuestABI { .x86_64 }
    var trapPCOffset: UInt64 { 0 }
    var exceptionPCOffset: UInt64 { 0 }
    // xchg ax, ax (a 2-byte nop) ; ret ; int3 padding
    var callStub: [UInt8] { [0x66, 0x90, 0xc3] + [UInt8](repeating: 0xcc, count: 13) }
    var stubReturnOffset: UInt64 { 2 }
    /// rdi, rsi, rdx in; rax out (the register file is rax rcx rdx rbx rsp rbp rsi rdi r8…).
    var registerFileCallSlots: RegisterFileCallSlots { RegisterFileCallSlots(first: 7, second: 6, third: 2, result: 0) }
    var programCounterRegister: Int32 { Self.rip }
    var nestedCallRegisters: [Int32] { [Self.rsp, Self.rip] }

    static func reg(_ r: uc_x86_reg) -> Int32 { Int32(r.rawValue) }
    static let intArgs: [Int32] = [UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX, UC_X86_REG_RCX, UC_X86_REG_R8, UC_X86_REG_R9].map(reg)
    static let vecArgs: [Int32] = [UC_X86_REG_XMM0, UC_X86_REG_XMM1, UC_X86_REG_XMM2, UC_X86_REG_XMM3,
                                   UC_X86_REG_XMM4, UC_X86_REG_XMM5, UC_X86_REG_XMM6, UC_X86_REG_XMM7].map(reg)
    static let rsp = reg(UC_X86_REG_RSP), rip = reg(UC_X86_REG_RIP), rax = reg(UC_X86_REG_RAX)
    static let calleeSaved: [Int32] = [UC_X86_REG_RBX, UC_X86_REG_RBP, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15].map(reg)

    /// Linux's initial FPU state: every exception masked, round to nearest, 64-bit x87 precision.
    func prepare(_ uc: OpaquePointer) throws {
        write(uc, Self.reg(UC_X86_REG_MXCSR), 0x1f80)
        write(uc, Self.reg(UC_X86_REG_FPCW), 0x037f)
    }

    /// `sysretq`: loads Linux's user code and stack segments (CS 0x33, SS 0x2b, both DPL 3)
    /// from STAR without a descriptor table, so the CPU runs at CPL 3: `hlt`, `cli`, `in`/`out`,
    /// `rdmsr`/`wrmsr`, `mov cr0` raise #GP (SIGSEGV, as on Linux). The `syscall` hook still
    /// serves every trampoline and system call (the instruction never reaches the CPU's own
    /// SYSCALL semantics in Unicorn).
    var userModeSwitch: [UInt8] { [0x48, 0x0f, 0x07] }

    func prepareUserMode(_ uc: OpaquePointer, landing: UInt64) throws {
        let efer: UInt32 = 0xc000_0080, star: UInt32 = 0xc000_0081
        var msr = uc_x86_msr(rid: efer, value: 0)
        let msrRegister = Self.reg(UC_X86_REG_MSR)
        guard uc_reg_read(uc, msrRegister, &msr) == UC_ERR_OK else { throw EmulatorError.engine("reading EFER", UC_ERR_ARG) }
        msr.value |= 1                                   // SCE: SYSCALL/SYSRET enabled
        var err = uc_reg_write(uc, msrRegister, &msr)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("enabling SYSRET", err) }
        var selectors = uc_x86_msr(rid: star, value: 0x23 << 48)  // SYSRET CS = 0x23+16, SS = 0x23+8
        err = uc_reg_write(uc, msrRegister, &selectors)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("setting STAR", err) }
        write(uc, Self.reg(UC_X86_REG_RCX), landing)
        write(uc, Self.reg(UC_X86_REG_R11), 0x202)       // RFLAGS: IF, as Linux starts a program
    }

    /// None: a #GP taken through Unicorn's interrupt hook never completes QEMU's exception
    /// delivery, so its double-fault tracking would turn the program's first real fault
    /// (a divide error) into a double fault. `sysretq` reaching the stop address is the check:
    /// it only completes from CPL 0 with SCE set, and always lands at CPL 3.
    var userModeProbe: [UInt8] { [] }

    func emulateFaultingInstruction(_ uc: OpaquePointer, memory: AddressSpace, interrupt intno: UInt32) -> Bool { false }

    func installTrapHooks(_ uc: OpaquePointer, _ context: UnsafeMutableRawPointer) throws {
        var hook: uc_hook = 0
        let syscall: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { uc, user in
            guard let user else { return }
            Unmanaged<GuestProcess>.fromOpaque(user).takeUnretainedValue().onTrap()
        }
        var err = crossrun_uc_hook_add_insn(uc, &hook, unsafeBitCast(syscall, to: UnsafeMutableRawPointer.self), context,
                                            1, 0, Int32(UC_X86_INS_SYSCALL.rawValue))
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the syscall hook", err) }
        let interrupt: @convention(c) (OpaquePointer?, UInt32, UnsafeMutableRawPointer?) -> Void = { _, intno, user in
            guard let user else { return }
            Unmanaged<GuestProcess>.fromOpaque(user).takeUnretainedValue().onInterrupt(intno)
        }
        err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_INTR.rawValue), unsafeBitCast(interrupt, to: UnsafeMutableRawPointer.self), context, 1, 0)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the interrupt hook", err) }
        // Unicorn lets `in`/`out` through at any privilege (its I/O check is compiled out);
        // at CPL 3 without I/O permission they raise #GP on Linux: SIGSEGV. These hooks run
        // only when such an instruction executes.
        let portIn: @convention(c) (OpaquePointer?, UInt32, Int32, UnsafeMutableRawPointer?) -> UInt32 = { _, _, _, user in
            if let user { Unmanaged<GuestProcess>.fromOpaque(user).takeUnretainedValue().onException(signal: SIGSEGV) }
            return 0
        }
        let portOut: @convention(c) (OpaquePointer?, UInt32, Int32, UInt32, UnsafeMutableRawPointer?) -> Void = { _, _, _, _, user in
            if let user { Unmanaged<GuestProcess>.fromOpaque(user).takeUnretainedValue().onException(signal: SIGSEGV) }
        }
        for (callback, insn) in [(unsafeBitCast(portIn, to: UnsafeMutableRawPointer.self), UC_X86_INS_IN),
                                 (unsafeBitCast(portOut, to: UnsafeMutableRawPointer.self), UC_X86_INS_OUT)] {
            err = crossrun_uc_hook_add_insn(uc, &hook, callback, context, 1, 0, Int32(insn.rawValue))
            guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the port I/O hook", err) }
        }
    }

    /// Library calls and system calls arrive through the `syscall` instruction hook; interrupts
    /// are only faults.
    func interruptMeaning(_ intno: UInt32) -> InterruptMeaning {
        switch intno {
        case 0: return .signal(8)        // #DE divide error → SIGFPE
        case 1, 3: return .signal(5)     // debug / int3 → SIGTRAP
        case 6: return .signal(4)        // #UD invalid opcode → SIGILL
        default: return .signal(11)      // #GP (privileged instructions at CPL 3) and others → SIGSEGV
        }
    }

    /// `FE_*` values are the x87 control word's RC bits (10–11) and the status flags (bits
    /// 0–5, shared by MXCSR and the x87 status word). Both units get the same state.
    var floatingPointABI: FloatingPointABI {
        FloatingPointABI(allExceptions: 0x3d, roundingModes: [0, 0x400, 0x800, 0xc00], exceptFlagSize: 2, environmentSize: 32,
                         encode: { rounding, flags in
                             var env = [UInt8](repeating: 0, count: 32)
                             func put(_ v: UInt32, _ at: Int, _ n: Int) { for k in 0..<n { env[at + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) } }
                             put(0x037f | rounding, 0, 2)                          // __control_word
                             put(flags, 4, 2)                                      // __status_word
                             put(0xffff, 8, 2)                                     // __tags: empty
                             put(0x1f80 | rounding << 3 | flags, 28, 4)            // __mxcsr
                             return env
                         },
                         decode: { env in
                             func get(_ at: Int, _ n: Int) -> UInt32 { (0..<n).reduce(0) { $0 | UInt32(env[at + $1]) << (8 * $1) } }
                             return (get(0, 2) & 0xc00, (get(4, 2) | get(28, 4)) & 0x3d)
                         },
                         hostRounding: [0: FE_TONEAREST, 0x400: FE_DOWNWARD, 0x800: FE_UPWARD, 0xc00: FE_TOWARDZERO],
                         hostExceptions: [(FE_INVALID, 1), (FE_DIVBYZERO, 4), (FE_OVERFLOW, 8), (FE_UNDERFLOW, 0x10), (FE_INEXACT, 0x20)])
    }

    func floatingPointState(_ uc: OpaquePointer) -> (rounding: UInt32, flags: UInt32) {
        let mxcsr = UInt32(truncatingIfNeeded: read(uc, Self.reg(UC_X86_REG_MXCSR)))
        let fpsw = UInt32(truncatingIfNeeded: read(uc, Self.reg(UC_X86_REG_FPSW)))
        return ((mxcsr >> 3) & 0xc00, (mxcsr | fpsw) & 0x3d)
    }

    func setFloatingPointState(_ uc: OpaquePointer, rounding: UInt32, flags: UInt32) {
        let mxcsr = UInt32(truncatingIfNeeded: read(uc, Self.reg(UC_X86_REG_MXCSR)))
        write(uc, Self.reg(UC_X86_REG_MXCSR), UInt64((mxcsr & ~0x603f) | rounding << 3 | flags))
        let fpcw = UInt32(truncatingIfNeeded: read(uc, Self.reg(UC_X86_REG_FPCW)))
        write(uc, Self.reg(UC_X86_REG_FPCW), UInt64((fpcw & ~0xc00) | rounding))
        let fpsw = UInt32(truncatingIfNeeded: read(uc, Self.reg(UC_X86_REG_FPSW)))
        write(uc, Self.reg(UC_X86_REG_FPSW), UInt64((fpsw & ~0x3f) | flags))
    }

    func setThreadPointer(_ uc: OpaquePointer, _ value: UInt64) {
        write(uc, Self.reg(UC_X86_REG_FS_BASE), value)
    }

    func pc(_ uc: OpaquePointer) -> UInt64 { read(uc, Self.rip) }
    func setPC(_ uc: OpaquePointer, _ value: UInt64) { write(uc, Self.rip, value) }
    func redirectStubReturn(_ uc: OpaquePointer, memory: AddressSpace, to address: UInt64) throws {
        try memory.store(address, at: read(uc, Self.rsp))
    }
    func sp(_ uc: OpaquePointer) -> UInt64 { read(uc, Self.rsp) }
    func result(_ uc: OpaquePointer) -> UInt64 { read(uc, Self.rax) }
    /// `ret` popped the return address the call pushed.
    func returnedNormally(_ uc: OpaquePointer, entryStackPointer: UInt64, returnAddress: UInt64) -> Bool {
        sp(uc) == entryStackPointer &+ 8
    }

    func prepareCall(_ uc: OpaquePointer, memory: AddressSpace, function: UInt64, args: [UInt64],
                     returnAddress: UInt64, stackTop: UInt64) throws {
        let sp = (stackTop & ~15) &- 8                 // as if `call` pushed the return address (a wild top faults below)
        try memory.store(returnAddress, at: sp)
        write(uc, Self.rsp, sp)
        for (i, a) in args.prefix(6).enumerated() { write(uc, Self.intArgs[i], a) }
        write(uc, Self.rax, 0)
        write(uc, Self.rip, function)
    }

    func frame(_ uc: OpaquePointer, memory: AddressSpace, registers: UnsafeMutablePointer<UInt64>?) -> any CallFrame {
        X86Frame(arch: self, uc: uc, memory: memory, registers: registers)
    }

    func callerAddress(_ uc: OpaquePointer, memory: AddressSpace) -> UInt64? {
        try? memory.load(sp(uc), as: UInt64.self)
    }

    func syscallArguments(_ uc: OpaquePointer) -> (number: UInt64, args: [UInt64]) {
        let regs: [uc_x86_reg] = [UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX, UC_X86_REG_R10, UC_X86_REG_R8, UC_X86_REG_R9]
        return (read(uc, Self.rax), regs.map { read(uc, Self.reg($0)) })
    }

    func setSyscallResult(_ uc: OpaquePointer, _ value: UInt64) { write(uc, Self.rax, value) }

    func captureJump(_ uc: OpaquePointer, memory: AddressSpace) throws -> [UInt64] {
        let sp = self.sp(uc)
        return Self.calleeSaved.map { read(uc, $0) } + [sp &+ 8, try memory.load(sp, as: UInt64.self)]
    }

    func jumpStackPointer(_ saved: [UInt64]) -> UInt64 { saved.count > 6 ? saved[6] : 0 }


    /// `push rbp; mov rbp, rsp`: [rbp] is the caller's rbp, [rbp+8] the return address.
    var frameRecord: (register: Int32, previousFrame: Int64, returnAddress: Int64) { (Self.calleeSaved[1], 0, 8) }

    func resumeJump(_ uc: OpaquePointer, memory: AddressSpace, saved: [UInt64], value: UInt64) throws {
        guard saved.count == 8 else { throw GuestFault(address: 0, size: 64, access: .read) }
        for (i, r) in Self.calleeSaved.enumerated() { write(uc, r, saved[i]) }
        let sp = saved[6] &- 8
        try memory.store(saved[7], at: sp)     // the stub's `ret` pops it
        write(uc, Self.rsp, sp)
        write(uc, Self.rax, value)
    }
}

extension X86_64Guest {
    /// `long double` varargs always live in the overflow area, 16-byte aligned.
    static func nextMemoryLongDouble(_ memory: AddressSpace, _ overflow: inout UInt64) throws -> (UInt64, UInt64) {
        overflow = (overflow &+ 15) & ~15
        defer { overflow &+= 16 }
        return (try memory.load(overflow, as: UInt64.self), try memory.load(overflow &+ 8, as: UInt64.self))
    }
}

/// SysV x86-64 arguments of a trap: integers in rdi…r9, floats in xmm0–7, then the stack
/// above the return address.
final class X86Frame: CallFrame {
    let arch: X86_64Guest
    let uc: OpaquePointer
    /// Not retained: a frame lives only during one trap, and the process owns its memory for
    /// the whole run (retaining it cost a retain/release pair on every library call).
    unowned(unsafe) let memory: AddressSpace
    /// The engine's integer register file (rax rcx rdx rbx rsp rbp rsi rdi r8…r15, ``crossrun_uc_integer_registers``), read and
    /// written directly; nil: through `uc_reg_read`/`uc_reg_write`.
    let registers: UnsafeMutablePointer<UInt64>?

    init(arch: X86_64Guest, uc: OpaquePointer, memory: AddressSpace, registers: UnsafeMutablePointer<UInt64>?) {
        self.arch = arch
        self.uc = uc
        self.memory = memory
        self.registers = registers
    }

    /// Where rdi, rsi, rdx, rcx, r8 and r9 are in the engine's register file, a byte each.
    private static let argumentSlots: UInt64 = 0x0908_0102_0607

    func int(_ index: Int) throws -> UInt64 {
        if UInt(bitPattern: index) < 6, let registers { return registers[Int(truncatingIfNeeded: Self.argumentSlots >> (8 * UInt64(index)) & 0xff)] }
        return try intOutsideRegisterFile(index)
    }

    /// The API and stack cases of ``int(_:)``, out of line: inline, their locals gave every
    /// register read a stack protector and register spills.
    @inline(never)
    private func intOutsideRegisterFile(_ index: Int) throws -> UInt64 {
        if index < 6 { return arch.read(uc, X86_64Guest.intArgs[index]) }
        return try memory.load(arch.sp(uc) &+ 8 + UInt64(index - 6) * 8, as: UInt64.self)
    }

    func double(_ index: Int) throws -> Double {
        if index < 8 { return Double(bitPattern: arch.readVectorLow(uc, X86_64Guest.vecArgs[index])) }
        return try memory.loadDouble(arch.sp(uc) &+ 8 + UInt64(index - 8) * 8)
    }

    func float(_ index: Int) throws -> Float {
        Float(bitPattern: UInt32(truncatingIfNeeded: arch.readVectorLow(uc, X86_64Guest.vecArgs[min(index, 7)])))
    }

    func variadic(afterInts ints: Int, floats: Int) throws -> any VariadicArguments {
        X86RegisterVarArgs(gp: integerArgumentValues(), fp: X86_64Guest.vecArgs.map { arch.readVectorLow(uc, $0) },
                           gpIndex: ints, fpIndex: floats, overflow: arch.sp(uc) &+ 8, memory: memory)
    }

    func vaList(at address: UInt64) throws -> any VariadicArguments {
        X86VaList(memory: memory, gpOffset: try memory.load(address, as: UInt32.self), fpOffset: try memory.load(address &+ 4, as: UInt32.self),
                  overflow: try memory.load(address &+ 8, as: UInt64.self), saveArea: try memory.load(address &+ 16, as: UInt64.self))
    }

    /// `long double` arguments are memory-class: 16-byte slots above the return address (the
    /// libc functions that take them have no other stack arguments).
    func longDouble(_ index: Int) throws -> (UInt64, UInt64) {
        let at = arch.sp(uc) &+ 8 + UInt64(16 * index)
        return (try memory.load(at, as: UInt64.self), UInt64(try memory.load(at &+ 8, as: UInt16.self)))
    }

    /// A `long double _Complex` result is ST(0) = real, ST(1) = imaginary.
    func returnComplexLongDouble(_ real: (UInt64, UInt64), _ imaginary: (UInt64, UInt64)) {
        returnLongDouble(imaginary)
        returnLongDouble(real)
    }

    /// A `long double` result is left in ST(0): push it on the x87 register stack.
    func returnLongDouble(_ value: (UInt64, UInt64)) {
        let fpsw = arch.read(uc, X86_64Guest.reg(UC_X86_REG_FPSW))
        let top = ((fpsw >> 11) &- 1) & 7
        var raw: (UInt64, UInt64) = (value.0, value.1 & 0xffff)
        uc_reg_write(uc, X86_64Guest.reg(UC_X86_REG_FP0) + Int32(truncatingIfNeeded: top), &raw)
        var tags = arch.read(uc, X86_64Guest.reg(UC_X86_REG_FPTAG))
        tags &= ~(UInt64(3) << (2 * top))              // 00: valid
        arch.write(uc, X86_64Guest.reg(UC_X86_REG_FPTAG), tags)
        arch.write(uc, X86_64Guest.reg(UC_X86_REG_FPSW), (fpsw & ~0x3800) | (top << 11))
    }

    /// rdi, rsi, rdx, rcx, r8 and r9, for variadic arguments.
    func integerArgumentValues() -> [UInt64] {
        guard let registers else { return X86_64Guest.intArgs.map { arch.read(uc, $0) } }
        return (0..<6).map { registers[Int(truncatingIfNeeded: Self.argumentSlots >> (8 * UInt64($0)) & 0xff)] }
    }

    func returnInt(_ value: UInt64) {
        if let registers { registers[0] = value } else { arch.write(uc, X86_64Guest.rax, value) }
    }
    /// SysV: `double _Complex` in xmm0 and xmm1, `float _Complex` packed into xmm0.
    func returnComplexDouble(_ real: Double, _ imaginary: Double) {
        arch.writeVectorLow(uc, X86_64Guest.vecArgs[0], real.bitPattern)
        arch.writeVectorLow(uc, X86_64Guest.vecArgs[1], imaginary.bitPattern)
    }
    func returnComplexFloat(_ real: Float, _ imaginary: Float) {
        arch.writeVectorLow(uc, X86_64Guest.vecArgs[0], UInt64(real.bitPattern) | UInt64(imaginary.bitPattern) << 32)
    }
    func returnPair(_ low: UInt64, _ high: UInt64) {
        returnInt(low)
        if let registers { registers[2] = high } else { arch.write(uc, X86_64Guest.reg(UC_X86_REG_RDX), high) }
    }
    func returnDouble(_ value: Double) { arch.writeVectorLow(uc, X86_64Guest.vecArgs[0], value.bitPattern) }
    func returnFloat(_ value: Float) { arch.writeVectorLow(uc, X86_64Guest.vecArgs[0], UInt64(value.bitPattern)) }
    /// `long double` arguments sit in memory and displace no register.
    func returningComplexLongDouble() -> any CallFrame { self }
    func skipping(longDoubles: Int, doubles: Int) -> any CallFrame {
        OffsetFrame(self, ints: 0, floats: doubles, longDoubles: longDoubles)
    }
}

/// Variadic arguments of a trap, straight from the registers and the caller's stack.
struct X86RegisterVarArgs: VariadicArguments {
    var gp: [UInt64], fp: [UInt64]
    var gpIndex: Int, fpIndex: Int
    var overflow: UInt64
    let memory: AddressSpace

    mutating func nextInt() throws -> UInt64 {
        if gpIndex < 6 { gpIndex += 1; return gp[gpIndex - 1] }
        defer { overflow &+= 8 }
        return try memory.load(overflow, as: UInt64.self)
    }

    mutating func nextDouble() throws -> Double {
        if fpIndex < 8 { fpIndex += 1; return Double(bitPattern: fp[fpIndex - 1]) }
        defer { overflow &+= 8 }
        return try memory.loadDouble(overflow)
    }

    mutating func nextLongDouble() throws -> (UInt64, UInt64) { try X86_64Guest.nextMemoryLongDouble(memory, &overflow) }
}

/// A guest SysV `va_list` (`{gp_offset, fp_offset, overflow_arg_area, reg_save_area}`).
struct X86VaList: VariadicArguments {
    let memory: AddressSpace
    var gpOffset: UInt32, fpOffset: UInt32
    var overflow: UInt64
    let saveArea: UInt64

    mutating func nextInt() throws -> UInt64 {
        if gpOffset < 48 { defer { gpOffset &+= 8 }; return try memory.load(saveArea &+ UInt64(gpOffset), as: UInt64.self) }
        defer { overflow &+= 8 }
        return try memory.load(overflow, as: UInt64.self)
    }

    mutating func nextDouble() throws -> Double {
        if fpOffset < 176 { defer { fpOffset &+= 16 }; return try memory.loadDouble(saveArea &+ UInt64(fpOffset)) }
        defer { overflow &+= 8 }
        return try memory.loadDouble(overflow)
    }

    mutating func nextLongDouble() throws -> (UInt64, UInt64) { try X86_64Guest.nextMemoryLongDouble(memory, &overflow) }
}
