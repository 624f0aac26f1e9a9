import CUnicorn
import CrossRunELF
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// aarch64: AAPCS64 calling convention, `svc #0; ret` trampolines, `TPIDR_EL0` thread pointer,
/// the asm-generic system-call table.
struct AArch64Guest: LinkRegisterGuest {
    var machine: Machine { .aarch64 }
    var ucArch: uc_arch { UC_ARCH_ARM64 }
    var ucMode: uc_mode { UC_MODE_ARM }
    var cpuModel: Int32 { Int32(UC_CPU_ARM64_MAX.rawValue) }
    var cpu: GuestCPU { .aarch64 }
    /// `AT_HWCAP | _IFUNC_ARG_HWCAP` and an `__ifunc_arg_t { size, hwcap, hwcap2 }` (glibc
    /// 2.36's 24 bytes).
    func indirectResolverArguments(block: UInt64) -> (arguments: [UInt64], block: [UInt8]) {
        let words: [UInt64] = [24, cpu.hwcap, cpu.hwcap2]
        return ([cpu.hwcap | 1 << 62, block], words.flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } })
    }
    /// `brk`, `udf`, `hlt` reach the interrupt hook with the PC on the instruction.
    var exceptionPCOffset: UInt64 { 0 }
    // svc #0 ; ret ; brk #0 ; brk #0
    var trapStub: [UInt8] {
        [0x01, 0x00, 0x00, 0xd4, 0xc0, 0x03, 0x5f, 0xd6, 0x00, 0x00, 0x20, 0xd4, 0x00, 0x00, 0x20, 0xd4]
    }
    // nop ; ret ; brk #0 ; brk #0
    var callStub: [UInt8] {
        [0x1f, 0x20, 0x03, 0xd5, 0xc0, 0x03, 0x5f, 0xd6, 0x00, 0x00, 0x20, 0xd4, 0x00, 0x00, 0x20, 0xd4]
    }
    var abi: GuestABI { .aarch64 }
    /// x0, x1, x2 in; x0 out.
    var registerFileCallSlots: RegisterFileCallSlots { RegisterFileCallSlots(first: 0, second: 1, third: 2, result: 0) }

    static func reg(_ r: uc_arm64_reg) -> Int32 { Int32(r.rawValue) }
    /// x0…x28 are contiguous in Unicorn's numbering; x29 and x30 are not.
    static func x(_ n: Int) -> Int32 {
        switch n {
        case 29: return reg(UC_ARM64_REG_X29)
        case 30: return reg(UC_ARM64_REG_X30)
        default: return reg(UC_ARM64_REG_X0) + Int32(n)
        }
    }
    static func q(_ n: Int) -> Int32 { reg(UC_ARM64_REG_Q0) + Int32(n) }
    static let sp = reg(UC_ARM64_REG_SP), pc = reg(UC_ARM64_REG_PC), lr = reg(UC_ARM64_REG_X30)
    static var stackPointer: Int32 { sp }
    static var programCounter: Int32 { pc }
    static var linkRegister: Int32 { lr }
    static let integerArguments: [Int32] = (0..<8).map(x)
    static var syscallNumber: Int32 { x(8) }

    static func meaning(ofInterrupt intno: UInt32) -> InterruptMeaning {
        switch intno {
        case 2: return .trap             // svc
        case 7: return .signal(5)        // brk (__builtin_trap): SIGTRAP
        case 1: return .signal(4)        // udf / undefined instruction: SIGILL
        default: return .signal(11)
        }
    }
    /// Callee-saved: x19–x28, the frame pointer; d8–d15 (low halves of v8–v15).
    static let calleeSaved: [Int32] = (19...29).map(x)
    static let calleeSavedFP: [Int32] = (8...15).map(q)

    func prepare(_ uc: OpaquePointer) throws {
        // FP/SIMD is enabled at EL0 by Unicorn's user-mode set-up (CPACR_EL1.FPEN); make sure.
        var cpacr: UInt64 = 0
        uc_reg_read(uc, Self.reg(UC_ARM64_REG_CPACR_EL1), &cpacr)
        cpacr |= 3 << 20
        uc_reg_write(uc, Self.reg(UC_ARM64_REG_CPACR_EL1), &cpacr)
    }

    /// EL0 needs no code: PSTATE is written directly (EL0t), then SCTLR_EL1 and CNTKCTL_EL1
    /// as Linux sets them for programs (a system-register write also makes Unicorn recompute
    /// the CPU's cached state). At EL0 `msr sctlr_el1`, `eret`, `msr daifset` and the other
    /// system instructions are undefined: SIGILL.
    var userModeSwitch: [UInt8] { [] }

    func prepareUserMode(_ uc: OpaquePointer, landing: UInt64) throws {
        var pstate: UInt32 = 0                                  // EL0t, flags clear
        var err = uc_reg_write(uc, Self.reg(UC_ARM64_REG_PSTATE), &pstate)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("entering EL0", err) }
        // SCTLR_EL1: UCI (26), nTWE (18), UCT (15), DZE (14): EL0 may clean caches, wfe, read
        // CTR_EL0, dc zva. nTWI (16) stays set: Unicorn ends `uc_emu_start` at its stop
        // address by imitating `wfi`, which must not trap; a guest's own `wfi` halts the CPU
        // away from the stop address, which the run reports as SIGILL (Linux traps it).
        // CNTKCTL_EL1.EL0VCTEN (1): EL0 reads CNTVCT_EL0 (the vDSO's clock).
        let sctlrBits: UInt64 = 1 << 26 | 1 << 18 | 1 << 15 | 1 << 14
        let cntkctlBits: UInt64 = 1 << 1
        let settings: [(crn: UInt32, crm: UInt32, bits: UInt64, clear: UInt64)] = [(1, 0, sctlrBits, 0), (14, 1, cntkctlBits, 0)]
        for (crn, crm, bits, clear) in settings {
            var reg = uc_arm64_cp_reg(crn: crn, crm: crm, op0: 3, op1: 0, op2: 0, val: 0)
            err = uc_reg_read(uc, Self.reg(UC_ARM64_REG_CP_REG), &reg)
            guard err == UC_ERR_OK else { throw EmulatorError.engine("reading a system register", err) }
            reg.val = (reg.val & ~clear) | bits
            err = uc_reg_write(uc, Self.reg(UC_ARM64_REG_CP_REG), &reg)
            guard err == UC_ERR_OK else { throw EmulatorError.engine("writing a system register", err) }
        }
    }

    /// `mrs x0, sctlr_el1`.
    var userModeProbe: [UInt8] { [0x00, 0x10, 0x38, 0xd5] }

    func emulateFaultingInstruction(_ uc: OpaquePointer, memory: AddressSpace, interrupt intno: UInt32) -> Bool { false }

    func setThreadPointer(_ uc: OpaquePointer, _ value: UInt64) { write(uc, Self.reg(UC_ARM64_REG_TPIDR_EL0), value) }

    /// `FE_*` values are FPCR's RMode bits (22–23) and FPSR's cumulative flags (bits 0–4);
    /// `fenv_t` is `{fpcr, fpsr}`.
    var floatingPointABI: FloatingPointABI {
        FloatingPointABI(allExceptions: 0x1f, roundingModes: [0, 0x40_0000, 0x80_0000, 0xc0_0000], exceptFlagSize: 4,
                         environmentSize: 8,
                         encode: { rounding, flags in withUnsafeBytes(of: (rounding.littleEndian, flags.littleEndian), Array.init) },
                         decode: { env in
                             func get(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(env[at + $1]) << (8 * $1) } }
                             return (get(0) & 0xc0_0000, get(4) & 0x1f)
                         },
                         hostRounding: [0: FE_TONEAREST, 0x40_0000: FE_UPWARD, 0x80_0000: FE_DOWNWARD, 0xc0_0000: FE_TOWARDZERO],
                         hostExceptions: [(FE_INVALID, 1), (FE_DIVBYZERO, 2), (FE_OVERFLOW, 4), (FE_UNDERFLOW, 8), (FE_INEXACT, 0x10)])
    }

    func floatingPointState(_ uc: OpaquePointer) -> (rounding: UInt32, flags: UInt32) {
        (UInt32(truncatingIfNeeded: read(uc, Self.reg(UC_ARM64_REG_FPCR))) & 0xc0_0000,
         UInt32(truncatingIfNeeded: read(uc, Self.reg(UC_ARM64_REG_FPSR))) & 0x1f)
    }

    func setFloatingPointState(_ uc: OpaquePointer, rounding: UInt32, flags: UInt32) {
        let fpcr = read(uc, Self.reg(UC_ARM64_REG_FPCR)), fpsr = read(uc, Self.reg(UC_ARM64_REG_FPSR))
        write(uc, Self.reg(UC_ARM64_REG_FPCR), (fpcr & ~0xc0_0000) | UInt64(rounding))
        write(uc, Self.reg(UC_ARM64_REG_FPSR), (fpsr & ~0x1f) | UInt64(flags))
    }

    func frame(_ uc: OpaquePointer, memory: AddressSpace, registers: UnsafeMutablePointer<UInt64>?) -> any CallFrame {
        AArch64Frame(arch: self, uc: uc, memory: memory, registers: registers)
    }

    func captureJump(_ uc: OpaquePointer, memory: AddressSpace) throws -> [UInt64] {
        Self.calleeSaved.map { read(uc, $0) } + [sp(uc), read(uc, Self.lr)] + Self.calleeSavedFP.map { readVectorLow(uc, $0) }
    }

    func jumpStackPointer(_ saved: [UInt64]) -> UInt64 { saved.count > Self.calleeSaved.count ? saved[Self.calleeSaved.count] : 0 }


    /// AAPCS64 frame record at x29: caller's x29, then x30.
    var frameRecord: (register: Int32, previousFrame: Int64, returnAddress: Int64) { (Self.x(29), 0, 8) }

    func resumeJump(_ uc: OpaquePointer, memory: AddressSpace, saved: [UInt64], value: UInt64) throws {
        let n = Self.calleeSaved.count
        guard saved.count == n + 2 + Self.calleeSavedFP.count else { throw GuestFault(address: 0, size: 64, access: .read) }
        for (i, r) in Self.calleeSaved.enumerated() { write(uc, r, saved[i]) }
        write(uc, Self.sp, saved[n])
        write(uc, Self.lr, saved[n + 1])          // the stub's `ret` returns to the setjmp caller
        for (i, r) in Self.calleeSavedFP.enumerated() { writeVectorLow(uc, r, saved[n + 2 + i]) }
        write(uc, Self.x(0), value)
    }
}

extension GuestArch {
    /// Reads a whole 128-bit vector register as (low, high).
    @inline(__always)
    func readVector(_ uc: OpaquePointer, _ reg: Int32) -> (UInt64, UInt64) {
        var v: (UInt64, UInt64) = (0, 0)
        uc_reg_read(uc, reg, &v)
        return v
    }

    /// Writes a whole 128-bit vector register.
    @inline(__always)
    func writeVector(_ uc: OpaquePointer, _ reg: Int32, _ value: (UInt64, UInt64)) {
        var v = value
        uc_reg_write(uc, reg, &v)
    }
}

/// AAPCS64 arguments of a trap: integers in x0–x7, floating and `long double` in v0–v7, then
/// the stack at SP (the import stub and trampoline push nothing). Variadic arguments are
/// passed exactly like named ones on Linux.
final class AArch64Frame: CallFrame {
    let arch: AArch64Guest
    let uc: OpaquePointer
    /// Not retained: a frame lives only during one trap, and the process owns its memory for
    /// the whole run (retaining it cost a retain/release pair on every library call).
    unowned(unsafe) let memory: AddressSpace
    /// The engine's integer register file (``crossrun_uc_integer_registers``), read and
    /// written directly; nil: through `uc_reg_read`/`uc_reg_write`.
    let registers: UnsafeMutablePointer<UInt64>?

    init(arch: AArch64Guest, uc: OpaquePointer, memory: AddressSpace, registers: UnsafeMutablePointer<UInt64>?) {
        self.arch = arch
        self.uc = uc
        self.memory = memory
        self.registers = registers
    }

    func int(_ index: Int) throws -> UInt64 {
        if UInt(bitPattern: index) < 8, let registers { return registers[index] }   // x0…x7
        return try intOutsideRegisterFile(index)
    }

    /// The API and stack cases of ``int(_:)``, out of line: inline, their locals gave every
    /// register read a stack protector and five register spills.
    @inline(never)
    private func intOutsideRegisterFile(_ index: Int) throws -> UInt64 {
        if index < 8 { return arch.read(uc, AArch64Guest.x(index)) }
        return try memory.load(arch.sp(uc) &+ UInt64(index - 8) * 8, as: UInt64.self)
    }

    func double(_ index: Int) throws -> Double {
        if index < 8 { return Double(bitPattern: arch.readVectorLow(uc, AArch64Guest.q(index))) }
        return try memory.loadDouble(arch.sp(uc) &+ UInt64(index - 8) * 8)
    }

    func float(_ index: Int) throws -> Float {
        Float(bitPattern: UInt32(truncatingIfNeeded: arch.readVectorLow(uc, AArch64Guest.q(min(index, 7)))))
    }

    func longDouble(_ index: Int) throws -> (UInt64, UInt64) {
        if index < 8 { return arch.readVector(uc, AArch64Guest.q(index)) }
        let at = arch.sp(uc) &+ UInt64(16 * (index - 8))
        return (try memory.load(at, as: UInt64.self), try memory.load(at &+ 8, as: UInt64.self))
    }

    func variadic(afterInts ints: Int, floats: Int) throws -> any VariadicArguments {
        AArch64RegisterVarArgs(frame: self, gpIndex: ints, fpIndex: floats, stack: arch.sp(uc))
    }

    func vaList(at address: UInt64) throws -> any VariadicArguments {
        AArch64VaList(memory: memory, stack: try memory.load(address, as: UInt64.self),
                      grTop: try memory.load(address &+ 8, as: UInt64.self), vrTop: try memory.load(address &+ 16, as: UInt64.self),
                      grOffset: Int64(try memory.load(address &+ 24, as: Int32.self)),
                      vrOffset: Int64(try memory.load(address &+ 28, as: Int32.self)))
    }

    /// `long double` arguments take v registers, like doubles.
    func returningComplexLongDouble() -> any CallFrame { self }
    func skipping(longDoubles: Int, doubles: Int) -> any CallFrame {
        OffsetFrame(self, ints: 0, floats: longDoubles + doubles, longDoubles: longDoubles + doubles)
    }

    /// x0…x7, for variadic arguments.
    func integerArgumentValues() -> [UInt64] {
        guard let registers else { return arch.integerArgumentValues(uc) }
        return Array(UnsafeBufferPointer(start: registers, count: 8))
    }

    func returnInt(_ value: UInt64) {
        if let registers { registers[0] = value } else { arch.write(uc, AArch64Guest.x(0), value) }
    }
    func returnPair(_ low: UInt64, _ high: UInt64) {
        returnInt(low)
        if let registers { registers[1] = high } else { arch.write(uc, AArch64Guest.x(1), high) }
    }
    func returnDouble(_ value: Double) { arch.writeVectorLow(uc, AArch64Guest.q(0), value.bitPattern) }
    func returnFloat(_ value: Float) { arch.writeVectorLow(uc, AArch64Guest.q(0), UInt64(value.bitPattern)) }
    func returnLongDouble(_ value: (UInt64, UInt64)) { arch.writeVector(uc, AArch64Guest.q(0), value) }
    /// Complex results are homogeneous aggregates: real in v0, imaginary in v1.
    func returnComplexDouble(_ real: Double, _ imaginary: Double) {
        arch.writeVectorLow(uc, AArch64Guest.q(0), real.bitPattern)
        arch.writeVectorLow(uc, AArch64Guest.q(1), imaginary.bitPattern)
    }
    func returnComplexFloat(_ real: Float, _ imaginary: Float) {
        arch.writeVectorLow(uc, AArch64Guest.q(0), UInt64(real.bitPattern))
        arch.writeVectorLow(uc, AArch64Guest.q(1), UInt64(imaginary.bitPattern))
    }
    func returnComplexLongDouble(_ real: (UInt64, UInt64), _ imaginary: (UInt64, UInt64)) {
        arch.writeVector(uc, AArch64Guest.q(0), real)
        arch.writeVector(uc, AArch64Guest.q(1), imaginary)
    }
}

/// Variadic arguments of a trap: the next free x / v register, then the stack.
struct AArch64RegisterVarArgs: VariadicArguments {
    let frame: AArch64Frame
    var ints: IntegerArgumentCursor
    var fpIndex: Int

    init(frame: AArch64Frame, gpIndex: Int, fpIndex: Int, stack: UInt64) {
        self.frame = frame
        self.ints = IntegerArgumentCursor(registers: frame.integerArgumentValues(), index: gpIndex, stack: stack,
                                          memory: frame.memory)
        self.fpIndex = fpIndex
    }

    mutating func nextInt() throws -> UInt64 { try ints.next() }

    mutating func nextDouble() throws -> Double {
        if fpIndex < 8 { fpIndex += 1; return Double(bitPattern: frame.arch.readVectorLow(frame.uc, AArch64Guest.q(fpIndex - 1))) }
        defer { ints.stack &+= 8 }
        return try frame.memory.loadDouble(ints.stack)
    }

    mutating func nextLongDouble() throws -> (UInt64, UInt64) {
        if fpIndex < 8 { fpIndex += 1; return frame.arch.readVector(frame.uc, AArch64Guest.q(fpIndex - 1)) }
        let saved = ints.index
        defer { ints.index = saved }
        return try ints.nextPairFromStack()
    }
}

/// A guest AAPCS64 `va_list`: `{__stack, __gr_top, __vr_top, __gr_offs, __vr_offs}`. Negative
/// offsets index the register save areas below `__gr_top` (8-byte slots) and `__vr_top`
/// (16-byte slots); once they reach zero, arguments come from `__stack`.
struct AArch64VaList: VariadicArguments {
    let memory: AddressSpace
    var stack: UInt64
    let grTop: UInt64, vrTop: UInt64
    var grOffset: Int64, vrOffset: Int64

    mutating func nextInt() throws -> UInt64 {
        if grOffset < 0 {
            defer { grOffset &+= 8 }
            return try memory.load(grTop &+ UInt64(bitPattern: grOffset), as: UInt64.self)
        }
        defer { stack &+= 8 }
        return try memory.load(stack, as: UInt64.self)
    }

    mutating func nextDouble() throws -> Double {
        if vrOffset < 0 {
            defer { vrOffset &+= 16 }
            return try memory.loadDouble(vrTop &+ UInt64(bitPattern: vrOffset))
        }
        defer { stack &+= 8 }
        return try memory.loadDouble(stack)
    }

    mutating func nextLongDouble() throws -> (UInt64, UInt64) {
        let at: UInt64
        if vrOffset < 0 {
            at = vrTop &+ UInt64(bitPattern: vrOffset)
            vrOffset &+= 16
        } else {
            stack = (stack &+ 15) & ~15
            at = stack
            stack &+= 16
        }
        return (try memory.load(at, as: UInt64.self), try memory.load(at &+ 8, as: UInt64.self))
    }
}
