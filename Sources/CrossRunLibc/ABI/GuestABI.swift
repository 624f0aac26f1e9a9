/// Every fact about a guest architecture's C ABI and Linux interface that the host library
/// and the system-call shims need: type formats, struct layouts, flag and command numbers,
/// system-call numbers, the machine `uname` reports. One value per guest architecture
/// (`GuestABI.x86_64`, `.aarch64`, `.riscv64`, each in its own file); what the LP64 Linux
/// targets share is in ``LinuxLP64``. The emulator's `GuestArch` hands its value to the
/// ``LibcRuntime``; nothing else infers ABI facts from other facts.
///
/// Adding an architecture: add `GuestABI+<Arch>.swift` with its value (start from
/// ``LinuxLP64`` and change what differs), and return it from the arch's `GuestArch.abi`.
public struct GuestABI: Sendable {
    /// Formats of C `long double`.
    public enum LongDoubleFormat: Sendable, Equatable {
        /// x87 80-bit extended precision in 16 bytes (x86-64).
        case x87
        /// IEEE binary128 (aarch64, riscv64).
        case binary128
    }

    /// Name of the architecture as CrossRun spells it (`x86-64`, `aarch64`, `riscv64`).
    public var name: String
    /// `utsname.machine` (what `uname -m` prints on such a Linux machine).
    public var unameMachine: String
    /// Format of `long double`.
    public var longDouble: LongDoubleFormat
    /// Whether plain `char` is unsigned (so `CHAR_MAX` is 255).
    public var charIsUnsigned: Bool
    /// `struct stat`.
    public var stat: StatLayout
    /// `open` flags whose guest numbers differ from the host's (x86-64): guest value →
    /// host value (0: no host equivalent, dropped), used both ways.
    public var openFlagTranslations: [(guest: Int32, host: Int32)]
    /// System-call numbers.
    public var syscalls: [UInt64: GuestSyscall]
    /// Bytes of glibc's `__jmp_buf` at the start of the guest's `jmp_buf`; the saved-mask
    /// flag (`int`) and the 128-byte signal mask follow, 8-byte aligned.
    public var jumpBufferRegisterBytes: Int
    /// Layouts and numbers every LP64 Linux target here shares (flock, termios, rlimit…).
    public var linux: LinuxLP64
    /// `struct epoll_event` is packed (12 bytes, data at 4) on x86-64 only; elsewhere 16 bytes
    /// with data at 8.
    public var epollEventPacked = false
    /// A struct argument larger than 16 bytes travels in the stack argument area (x86-64,
    /// taking no register); elsewhere (AAPCS64, RISC-V) the caller passes a pointer to a copy
    /// in the next integer register.
    public var largeStructArgumentsOnStack = false
    /// The kernel's `struct sigaction` (the raw `rt_sigaction` system call's) has an
    /// `sa_restorer` between `sa_flags` and `sa_mask` (x86-64, aarch64; not riscv64).
    public var kernelSigactionHasRestorer = true
    /// `struct utmp`/`utmpx` keep `ut_session` and `ut_tv` in 64-bit fields (400 bytes:
    /// glibc's `__WORDSIZE_TIME64_COMPAT32` is 0 on aarch64); else 32-bit ones (384 bytes,
    /// the x86-64 host's and riscv64's layout).
    public var utmpTime64 = false
    /// `MINSIGSTKSZ`: the smallest stack `sigaltstack` takes (aarch64's signal frame is larger).
    public var minSignalStackSize = 2048

    /// Whether `long double` is IEEE binary128.
    public var longDoubleIsBinary128: Bool { longDouble == .binary128 }

    /// The 8-byte words of a by-value struct argument larger than 16 bytes that would take
    /// integer register `firstRegister` (when nothing before it went to the stack).
    public func structArgument(_ f: any CallFrame, firstRegister: Int, words: Int, memory: any GuestMemory) throws -> [UInt64] {
        if largeStructArgumentsOnStack { return try (0..<words).map { try f.int(6 + $0) } }   // the first stack slots
        let address = try f.int(firstRegister)
        return try (0..<words).map { try memory.load(address &+ UInt64(8 * $0), as: UInt64.self) }
    }

    /// The guest's `open` flags for host `flags` (what `fcntl(F_GETFL)` reports).
    public func guestOpenFlags(_ flags: Int32) -> Int32 {
        if openFlagTranslations.isEmpty { return flags }
        var guest = flags & ~openFlagTranslations.reduce(0) { $0 | $1.host }
        for (g, host) in openFlagTranslations where host != 0 && flags & host != 0 { guest |= g }
        return guest
    }

    /// The host `open` flags for guest `flags`.
    public func hostOpenFlags(_ flags: Int32) -> Int32 {
        if openFlagTranslations.isEmpty { return flags }
        var host = flags & ~openFlagTranslations.reduce(0) { $0 | $1.guest }
        for (guest, native) in openFlagTranslations where flags & guest != 0 { host |= native }
        return host
    }
}

/// One member of a C struct: byte offset and size (1, 2, 4 or 8).
public struct Field: Sendable, Equatable {
    public var offset: Int
    public var size: Int
    public init(_ offset: Int, _ size: Int) { self.offset = offset; self.size = size }
}

/// `struct stat`.
public struct StatLayout: Sendable {
    public var size: Int
    public var dev, ino, mode, nlink, uid, gid, rdev, fileSize, blksize, blocks: Field
    /// Each a `struct timespec` (seconds at the offset, nanoseconds 8 bytes on).
    public var atime, mtime, ctime: Field
}

/// Writes a C struct into guest memory: zeroed first, then field by field (little-endian,
/// truncated to each field's size).
public struct GuestStructWriter {
    let memory: any GuestMemory
    let address: UInt64

    /// Zeroes `size` bytes at `address` (checked) and returns a writer for them.
    public init(_ memory: any GuestMemory, at address: UInt64, size: Int) throws {
        let p = try memory.mutableBytes(address, size)
        p.initializeMemory(as: UInt8.self, repeating: 0)
        self.memory = memory
        self.address = address
    }

    /// Stores `value` (two's complement for negatives) into `field`.
    public func set(_ field: Field, _ value: Int64) throws { try set(field, UInt64(bitPattern: value)) }

    /// Stores `value` into `field`, truncated to its size.
    public func set(_ field: Field, _ value: UInt64) throws {
        let a = address + UInt64(field.offset)
        switch field.size {
        case 1: try memory.store(UInt8(truncatingIfNeeded: value), at: a)
        case 2: try memory.store(UInt16(truncatingIfNeeded: value), at: a)
        case 4: try memory.store(UInt32(truncatingIfNeeded: value), at: a)
        default: try memory.store(value, at: a)
        }
    }

    /// Stores a `struct timespec` at `field`.
    public func setTime(_ field: Field, seconds: Int64, nanoseconds: Int64) throws {
        try set(Field(field.offset, 8), seconds)
        try set(Field(field.offset + 8, 8), nanoseconds)
    }

    /// Stores a NUL-terminated string of at most `field.size - 1` bytes.
    public func setString(_ field: Field, _ bytes: some Collection<UInt8>) throws {
        try memory.write(Array(bytes.prefix(field.size - 1)), at: address + UInt64(field.offset))
    }
}

/// Reads a C struct from guest memory.
public struct GuestStructReader {
    let memory: any GuestMemory
    let address: UInt64

    /// Checks that `size` bytes at `address` are readable.
    public init(_ memory: any GuestMemory, at address: UInt64, size: Int) throws {
        _ = try memory.bytes(address, size)
        self.memory = memory
        self.address = address
    }

    /// The field's value, sign-extended from its size.
    public func signed(_ field: Field) throws -> Int64 {
        let a = address + UInt64(field.offset)
        switch field.size {
        case 1: return Int64(try memory.load(a, as: Int8.self))
        case 2: return Int64(try memory.load(a, as: Int16.self))
        case 4: return Int64(try memory.load(a, as: Int32.self))
        default: return try memory.load(a, as: Int64.self)
        }
    }

    /// The field's value, zero-extended from its size.
    public func unsigned(_ field: Field) throws -> UInt64 {
        let a = address + UInt64(field.offset)
        switch field.size {
        case 1: return UInt64(try memory.load(a, as: UInt8.self))
        case 2: return UInt64(try memory.load(a, as: UInt16.self))
        case 4: return UInt64(try memory.load(a, as: UInt32.self))
        default: return try memory.load(a, as: UInt64.self)
        }
    }
}
