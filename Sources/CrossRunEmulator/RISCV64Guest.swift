import CUnicorn
import CrossRunELF
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// riscv64: the LP64D calling convention, `ecall; ret` trampolines, the `tp` thread pointer,
/// the asm-generic system-call table.
struct RISCV64Guest: LinkRegisterGuest {
    var machine: Machine { .riscv64 }
    var ucArch: uc_arch { UC_ARCH_RISCV }
    var ucMode: uc_mode { UC_MODE_RISCV64 }
    var cpuModel: Int32 { Int32(UC_CPU_RISCV64_BASE64.rawValue) }
    var cpu: GuestCPU { .riscv64 }
    /// `AT_HWCAP`, then glibc's `__riscv_hwprobe` (not provided: NULL) and NULL.
    func indirectResolverArguments(block: UInt64) -> (arguments: [UInt64], block: [UInt8]) { ([cpu.hwcap, 0, 0], []) }
    /// Unicorn adds 4 to the PC before any interrupt hook, for a 2-byte compressed instruction
    /// too (its `cpu_handle_exception`), so the faulting instruction is always 4 bytes back.
    var exceptionPCOffset: UInt64 { 4 }
    // ecall ; ret ; unimp ; unimp
    var trapStub: [UInt8] {
        [0x73, 0x00, 0x00, 0x00, 0x67, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
    }
    // nop (addi x0, x0, 0) ; ret ; unimp ; unimp
    var callStub: [UInt8] {
        [0x13, 0x00, 0x00, 0x00, 0x67, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
    }
    var abi: GuestABI { .riscv64 }
    /// a0, a1, a2 (x10…x12) in; a0 out.
    var registerFileCallSlots: RegisterFileCallSlots { RegisterFileCallSlots(first: 10, second: 11, third: 12, result: 10) }

    static func x(_ n: Int) -> Int32 { Int32(UC_RISCV_REG_X0.rawValue) + Int32(n) }
    static func f(_ n: Int) -> Int32 { Int32(UC_RISCV_REG_F0.rawValue) + Int32(n) }
    static func a(_ n: Int) -> Int32 { x(10 + n) }
    static func fa(_ n: Int) -> Int32 { f(10 + n) }
    static let sp = x(2), ra = x(1), pc = Int32(UC_RISCV_REG_PC.rawValue)
    static var stackPointer: Int32 { sp }
    static var programCounter: Int32 { pc }
    static var linkRegister: Int32 { ra }
    static let integerArguments: [Int32] = (0..<8).map(a)
    static var syscallNumber: Int32 { a(7) }

    static func meaning(ofInterrupt intno: UInt32) -> InterruptMeaning {
        switch intno {
        case 8, 9, 11: return .trap      // ecall from U, S or M mode
        case 2: return .signal(4)        // illegal instruction (also `unimp`, clang's __builtin_trap)
        case 3: return .signal(5)        // breakpoint
        case 0, 4, 6: return .signal(7)  // misaligned: SIGBUS
        default: return .signal(11)
        }
    }
    /// Callee-saved: s0–s11 and fs0–fs11.
    static let calleeSaved: [Int32] = ([8, 9] + Array(18...27)).map(x)
    static let calleeSavedFP: [Int32] = ([8, 9] + Array(18...27)).map(f)
    /// A `float` in a 64-bit F register is NaN-boxed: the upper half all ones.
    static func box(_ value: Float) -> UInt64 { 0xffff_ffff_0000_0000 | UInt64(value.bitPattern) }

    func prepare(_ uc: OpaquePointer) throws {
        // F/D instructions trap until mstatus.FS says the FPU is on.
        let mstatus = Int32(UC_RISCV_REG_MSTATUS.rawValue)
        write(uc, mstatus, read(uc, mstatus) | 0x6000)
    }

    /// `mret` with mstatus.MPP = U: the CPU leaves machine mode for user mode, where `csrw
    /// mstatus`, `mret`, `wfi` (S-mode present) are illegal instructions (SIGILL, as on Linux).
    /// `cycle`/`instret` stay readable (the CPU's counters are enabled on its privilege spec).
    var userModeSwitch: [UInt8] { [0x73, 0x00, 0x20, 0x30] }

    func prepareUserMode(_ uc: OpaquePointer, landing: UInt64) throws {
        let mstatus = Int32(UC_RISCV_REG_MSTATUS.rawValue)
        write(uc, mstatus, read(uc, mstatus) & ~(3 << 11))    // MPP = U
        write(uc, Int32(UC_RISCV_REG_MEPC.rawValue), landing)
    }

    /// `csrr t0, mstatus`. (Unicorn reads CSRs through the CPU's access check, so the host
    /// cannot read machine-mode CSRs any more either: everything that sets them comes before.)
    var userModeProbe: [UInt8] { [0xf3, 0x22, 0x00, 0x30] }

    /// `rdtime rd` (`csrrs rd, time, x0`): Linux lets programs read the timer CSR; Unicorn's
    /// CPU has no timer device behind it and raises an illegal instruction. The PC is already
    /// past the 4-byte instruction. The time base is 10 MHz (QEMU's virt board), monotonic.
    func emulateFaultingInstruction(_ uc: OpaquePointer, memory: AddressSpace, interrupt intno: UInt32) -> Bool {
        guard intno == 2, let insn = try? memory.load(pc(uc) &- 4, as: UInt32.self),
              insn & 0xfff0_707f == 0xc010_2073, (insn >> 15) & 0x1f == 0 else { return false }
        let rd = Int((insn >> 7) & 0x1f)
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        if rd != 0 { write(uc, Self.x(rd), UInt64(now.tv_sec) &* 10_000_000 &+ UInt64(now.tv_nsec / 100)) }
        return true
    }

    func setThreadPointer(_ uc: OpaquePointer, _ value: UInt64) { write(uc, Self.x(4), value) }

    /// `FE_*` values are fcsr's `frm` (0 RNE, 1 RTZ, 2 RDN, 3 RUP) and `fflags` bits;
    /// `fenv_t` is fcsr itself.
    var floatingPointABI: FloatingPointABI {
        FloatingPointABI(allExceptions: 0x1f, roundingModes: [0, 1, 2, 3], exceptFlagSize: 4, environmentSize: 4,
                         encode: { rounding, flags in withUnsafeBytes(of: (rounding << 5 | flags).littleEndian, Array.init) },
                         decode: { env in
                             let fcsr = (0..<4).reduce(UInt32(0)) { $0 | UInt32(env[$1]) << (8 * $1) }
                             return ((fcsr >> 5) & 7, fcsr & 0x1f)
                         },
                         hostRounding: [0: FE_TONEAREST, 1: FE_TOWARDZERO, 2: FE_DOWNWARD, 3: FE_UPWARD],
                         hostExceptions: [(FE_INVALID, 0x10), (FE_DIVBYZERO, 8), (FE_OVERFLOW, 4), (FE_UNDERFLOW, 2), (FE_INEXACT, 1)])
    }

    func floatingPointState(_ uc: OpaquePointer) -> (rounding: UInt32, flags: UInt32) {
        let fcsr = UInt32(truncatingIfNeeded: read(uc, Int32(UC_RISCV_REG_FCSR.rawValue)))
        return ((fcsr >> 5) & 7, fcsr & 0x1f)
    }

    func setFloatingPointState(_ uc: OpaquePointer, rounding: UInt32, flags: UInt32) {
        write(uc, Int32(UC_RISCV_REG_FCSR.rawValue), UInt64(rounding << 5 | flags))
    }

    func frame(_ uc: OpaquePointer, memory: AddressSpace, registers: UnsafeMutablePointer<UInt64>?) -> any CallFrame {
        RISCV64Frame(arch: self, uc: uc, memory: memory, registers: registers)
    }

    func captureJump(_ uc: OpaquePointer, memory: AddressSpace) throws -> [UInt64] {
        [read(uc, Self.ra)] + Self.calleeSaved.map { read(uc, $0) } + [sp(uc)] + Self.calleeSavedFP.map { read(uc, $0) }
    }

    func jumpStackPointer(_ saved: [UInt64]) -> UInt64 { saved.count > Self.calleeSaved.count + 1 ? saved[Self.calleeSaved.count + 1] : 0 }


    /// s0 points just above the saved ra (s0-8) and caller's s0 (s0-16).
    var frameRecord: (register: Int32, previousFrame: Int64, returnAddress: Int64) { (Self.x(8), -16, -8) }

    func resumeJump(_ uc: OpaquePointer, memory: AddressSpace, saved: [UInt64], value: UInt64) throws {
        let n = Self.calleeSaved.count
        guard saved.count == n + 2 + Self.calleeSavedFP.count else { throw GuestFault(address: 0, size: 64, access: .read) }
        write(uc, Self.ra, saved[0])              // the stub's `ret` returns to the setjmp caller
        for (i, r) in Self.calleeSaved.enumerated() { write(uc, r, saved[1 + i]) }
        write(uc, Self.sp, saved[n + 1])
        for (i, r) in Self.calleeSavedFP.enumerated() { write(uc, r, saved[n + 2 + i]) }
        write(uc, Self.a(0), value)
    }
}

/// LP64D arguments of a trap: integers in a0–a7, floating in fa0–fa7, then the stack at SP.
/// A named `long double` takes two integer registers; variadic arguments all travel in
/// integer registers (doubles as their bits, `long double` in an even-aligned pair).
final class RISCV64Frame: CallFrame {
    let arch: RISCV64Guest
    let uc: OpaquePointer
    /// Not retained: a frame lives only during one trap, and the process owns its memory for
    /// the whole run (retaining it cost a retain/release pair on every library call).
    unowned(unsafe) let memory: AddressSpace
    /// Integer registers taken before the arguments (1 when a0 carries a result address).
    let hiddenInts: Int
    /// The engine's integer register file (x0…x31, ``crossrun_uc_integer_registers``), read and
    /// written directly; nil: through `uc_reg_read`/`uc_reg_write`.
    let registers: UnsafeMutablePointer<UInt64>?

    init(arch: RISCV64Guest, uc: OpaquePointer, memory: AddressSpace, registers: UnsafeMutablePointer<UInt64>?, hiddenInts: Int = 0) {
        self.arch = arch
        self.uc = uc
        self.memory = memory
        self.registers = registers
        self.hiddenInts = hiddenInts
    }

    func int(_ index: Int) throws -> UInt64 {
        let index = index + hiddenInts
        if UInt(bitPattern: index) < 8, let registers { return registers[10 + index] }   // a0…a7 are x10…x17
        return try intOutsideRegisterFile(index)
    }

    /// The API and stack cases of ``int(_:)`` (`index` past the hidden ones), out of line:
    /// inline, their locals gave every register read a stack protector and register spills.
    @inline(never)
    private func intOutsideRegisterFile(_ index: Int) throws -> UInt64 {
        if index < 8 { return arch.read(uc, RISCV64Guest.a(index)) }
        return try memory.load(arch.sp(uc) &+ UInt64(index - 8) * 8, as: UInt64.self)
    }

    func double(_ index: Int) throws -> Double {
        if index < 8 { return Double(bitPattern: arch.read(uc, RISCV64Guest.fa(index))) }
        return try memory.loadDouble(arch.sp(uc) &+ UInt64(index - 8) * 8)
    }

    func float(_ index: Int) throws -> Float {
        Float(bitPattern: UInt32(truncatingIfNeeded: arch.read(uc, RISCV64Guest.fa(min(index, 7)))))
    }

    func longDouble(_ index: Int) throws -> (UInt64, UInt64) { (try int(2 * index), try int(2 * index + 1)) }
    /// A named `long double` takes the next two integer registers, unaligned (a1:a2 after one int).
    func longDouble(afterInts ints: Int) throws -> (UInt64, UInt64) { (try int(ints), try int(ints + 1)) }

    func variadic(afterInts ints: Int, floats: Int) throws -> any VariadicArguments {
        RISCV64RegisterVarArgs(frame: self, index: ints + hiddenInts, stack: arch.sp(uc))
    }

    /// `va_list` is a plain pointer into a contiguous argument area, passed by value: the
    /// argument is the cursor itself.
    func vaList(at address: UInt64) throws -> any VariadicArguments {
        RISCV64VaList(memory: memory, cursor: address)
    }

    func returningComplexLongDouble() -> any CallFrame {
        RISCV64Frame(arch: arch, uc: uc, memory: memory, registers: registers, hiddenInts: 1)
    }

    /// A named `long double` takes two integer registers.
    func skipping(longDoubles: Int, doubles: Int) -> any CallFrame {
        OffsetFrame(self, ints: 2 * longDoubles, floats: doubles, longDoubles: longDoubles)
    }

    /// a0…a7, for variadic arguments.
    func integerArgumentValues() -> [UInt64] {
        guard let registers else { return arch.integerArgumentValues(uc) }
        return Array(UnsafeBufferPointer(start: registers + 10, count: 8))
    }

    func returnInt(_ value: UInt64) {
        if let registers { registers[10] = value } else { arch.write(uc, RISCV64Guest.a(0), value) }
    }
    func returnPair(_ low: UInt64, _ high: UInt64) {
        returnInt(low)
        if let registers { registers[11] = high } else { arch.write(uc, RISCV64Guest.a(1), high) }
    }
    func returnDouble(_ value: Double) { arch.write(uc, RISCV64Guest.fa(0), value.bitPattern) }
    func returnFloat(_ value: Float) { arch.write(uc, RISCV64Guest.fa(0), RISCV64Guest.box(value)) }
    func returnLongDouble(_ value: (UInt64, UInt64)) { returnPair(value.0, value.1) }
    func returnComplexDouble(_ real: Double, _ imaginary: Double) {
        arch.write(uc, RISCV64Guest.fa(0), real.bitPattern)
        arch.write(uc, RISCV64Guest.fa(1), imaginary.bitPattern)
    }
    func returnComplexFloat(_ real: Float, _ imaginary: Float) {
        arch.write(uc, RISCV64Guest.fa(0), RISCV64Guest.box(real))
        arch.write(uc, RISCV64Guest.fa(1), RISCV64Guest.box(imaginary))
    }
    /// 32 bytes are returned through the caller's buffer, whose address came in a0.
    func returnComplexLongDouble(_ real: (UInt64, UInt64), _ imaginary: (UInt64, UInt64)) {
        let out = arch.read(uc, RISCV64Guest.a(0))
        for (i, v) in [real.0, real.1, imaginary.0, imaginary.1].enumerated() { try? memory.store(v, at: out &+ UInt64(8 * i)) }
    }
}

/// Variadic arguments of a trap: all in the next integer registers, then the stack.
struct RISCV64RegisterVarArgs: VariadicArguments {
    var ints: IntegerArgumentCursor

    init(frame: RISCV64Frame, index: Int, stack: UInt64) {
        ints = IntegerArgumentCursor(registers: frame.integerArgumentValues(), index: index, stack: stack,
                                     memory: frame.memory)
    }

    mutating func nextInt() throws -> UInt64 { try ints.next() }

    mutating func nextDouble() throws -> Double { Double(bitPattern: try ints.next()) }

    /// An even-aligned register pair, or 16 aligned bytes of stack when no pair is left.
    mutating func nextLongDouble() throws -> (UInt64, UInt64) {
        ints.index = (ints.index + 1) & ~1
        return ints.registersLeft >= 2 ? (try ints.next(), try ints.next()) : try ints.nextPairFromStack()
    }
}

/// A guest LP64D `va_list`: a pointer walking 8-byte slots (`long double` 16-byte aligned).
struct RISCV64VaList: VariadicArguments {
    let memory: AddressSpace
    var cursor: UInt64

    mutating func nextInt() throws -> UInt64 {
        defer { cursor &+= 8 }
        return try memory.load(cursor, as: UInt64.self)
    }

    mutating func nextDouble() throws -> Double { Double(bitPattern: try nextInt()) }

    mutating func nextLongDouble() throws -> (UInt64, UInt64) {
        cursor = (cursor &+ 15) & ~15
        return (try nextInt(), try nextInt())
    }
}
