import CUnicorn
import CrossRunLibc

/// What a CPU interrupt means for the guest process.
enum InterruptMeaning {
    /// A trampoline or system-call trap (`svc`, `ecall`): the PC is already past it.
    case trap
    /// A fault that ends the run with this signal.
    case signal(Int32)
}

/// The half of `GuestArch` shared by RISC-style guests whose calls return through a link
/// register (aarch64 `x30`, riscv64 `ra`), whose first eight integer arguments and system-call
/// arguments travel in registers, and whose traps arrive through `UC_HOOK_INTR`. A conforming
/// type names its registers and what each interrupt number means; the rest comes from here.
protocol LinkRegisterGuest: GuestArch {
    static var stackPointer: Int32 { get }
    static var programCounter: Int32 { get }
    static var linkRegister: Int32 { get }
    /// The eight integer argument registers; the first also holds the result.
    static var integerArguments: [Int32] { get }
    /// Where the system-call number is (aarch64 `x8`, riscv64 `a7`).
    static var syscallNumber: Int32 { get }
    /// What interrupt `intno` means on this architecture.
    static func meaning(ofInterrupt intno: UInt32) -> InterruptMeaning
}

extension LinkRegisterGuest {
    var trapPCOffset: UInt64 { 4 }
    var stubReturnOffset: UInt64 { 4 }
    var programCounterRegister: Int32 { Self.programCounter }
    var nestedCallRegisters: [Int32] { [Self.stackPointer, Self.programCounter, Self.linkRegister] }

    func installTrapHooks(_ uc: OpaquePointer, _ context: UnsafeMutableRawPointer) throws {
        var hook: uc_hook = 0
        let interrupt: @convention(c) (OpaquePointer?, UInt32, UnsafeMutableRawPointer?) -> Void = { _, intno, user in
            guard let user else { return }
            Unmanaged<GuestProcess>.fromOpaque(user).takeUnretainedValue().onInterrupt(intno)
        }
        let err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_INTR.rawValue), unsafeBitCast(interrupt, to: UnsafeMutableRawPointer.self), context, 1, 0)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the interrupt hook", err) }
    }

    func interruptMeaning(_ intno: UInt32) -> InterruptMeaning { Self.meaning(ofInterrupt: intno) }
    func pc(_ uc: OpaquePointer) -> UInt64 { read(uc, Self.programCounter) }
    func setPC(_ uc: OpaquePointer, _ value: UInt64) { write(uc, Self.programCounter, value) }
    func sp(_ uc: OpaquePointer) -> UInt64 { read(uc, Self.stackPointer) }
    func result(_ uc: OpaquePointer) -> UInt64 { read(uc, Self.integerArguments[0]) }
    /// `ret` jumps through the link register and leaves the stack pointer as the call found it.
    func returnedNormally(_ uc: OpaquePointer, entryStackPointer: UInt64, returnAddress: UInt64) -> Bool {
        sp(uc) == entryStackPointer && read(uc, Self.linkRegister) == returnAddress
    }

    func prepareCall(_ uc: OpaquePointer, memory: AddressSpace, function: UInt64, args: [UInt64],
                     returnAddress: UInt64, stackTop: UInt64) throws {
        write(uc, Self.stackPointer, stackTop & ~15)
        for (register, value) in zip(Self.integerArguments, args) { write(uc, register, value) }
        write(uc, Self.linkRegister, returnAddress)
        write(uc, Self.programCounter, function)
    }

    /// Import stubs jump without linking (`br x16`, `jalr t1, t3`), so at a trampoline the link
    /// register still holds the guest caller.
    func callerAddress(_ uc: OpaquePointer, memory: AddressSpace) -> UInt64? { read(uc, Self.linkRegister) }

    /// The stub's `ret` goes through the link register.
    func redirectStubReturn(_ uc: OpaquePointer, memory: AddressSpace, to address: UInt64) throws {
        write(uc, Self.linkRegister, address)
    }

    func syscallArguments(_ uc: OpaquePointer) -> (number: UInt64, args: [UInt64]) {
        (read(uc, Self.syscallNumber), Self.integerArguments.prefix(6).map { read(uc, $0) })
    }

    func setSyscallResult(_ uc: OpaquePointer, _ value: UInt64) { write(uc, Self.integerArguments[0], value) }

    /// The integer argument registers' values, for variadic cursors.
    func integerArgumentValues(_ uc: OpaquePointer) -> [UInt64] { Self.integerArguments.map { read(uc, $0) } }
}

extension GuestProcess {
    /// A CPU interrupt: a trap or a fault, as the architecture says.
    func onInterrupt(_ intno: UInt32) {
        switch arch.interruptMeaning(intno) {
        case .trap: onTrap()
        case .signal(let signal):
            if arch.emulateFaultingInstruction(uc, memory: memory, interrupt: intno) { return }
            onException(signal: signal)
        }
    }
}

/// Integer-register variadic arguments shared by AAPCS64 and LP64D: the next of the eight
/// argument registers, then 8-byte stack slots.
struct IntegerArgumentCursor {
    let registers: [UInt64]
    var index: Int
    var stack: UInt64
    let memory: AddressSpace

    var registersLeft: Int { registers.count - index }

    mutating func next() throws -> UInt64 {
        if index < registers.count { index += 1; return registers[index - 1] }
        defer { stack &+= 8 }
        return try memory.load(stack, as: UInt64.self)
    }

    /// Two slots for a 16-byte value, 16-byte aligned on the stack.
    mutating func nextPairFromStack() throws -> (UInt64, UInt64) {
        index = registers.count
        stack = (stack &+ 15) & ~15
        return (try next(), try next())
    }
}
