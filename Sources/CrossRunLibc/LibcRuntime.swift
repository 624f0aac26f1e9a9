#if canImport(Glibc)
import Glibc
#endif

/// How a guest run ends when a libc function ends it.
public enum GuestTermination: Error, Sendable, Equatable {
    /// `exit(status)`: run atexit handlers and finalizers, flush streams.
    case exit(Int32)
    /// `_Exit(status)`: end now.
    case immediateExit(Int32)
    /// Killed by a signal (`abort` → SIGABRT), with a description for the report.
    case signal(Int32, String)
}

/// A host implementation of one libc function.
public typealias HostFunction = (LibcRuntime, any CallFrame) throws -> Void

/// The state of the guest's C library, kept on the host: heap, streams, errno, environment,
/// exit handlers. One per guest process; every ``HostFunction`` receives it.
public final class LibcRuntime {
    /// The guest's memory.
    public let memory: any GuestMemory
    /// The guest heap (`malloc` & co.).
    public var heap: GuestHeap
    /// Guest address of the `errno` cell (`__errno_location()` returns it).
    public private(set) var errnoAddress: UInt64 = 0
    /// Guest functions registered with `atexit`, in registration order.
    public var atexitHandlers: [UInt64] = []
    /// Guest functions registered with `at_quick_exit`, in registration order.
    public var quickExitHandlers: [UInt64] = []
    /// Open streams by guest `FILE*` value.
    public var streams: [UInt64: HostStream] = [:]
    /// Open directory streams by guest `DIR*` value: the host stream and the guest `struct
    /// dirent` that `readdir` returns.
    var directories: [UInt64: (host: OpaquePointer, entry: UInt64)] = [:]
    /// Guest addresses of data imports (`stdout`, `stdin`, …) by name.
    public internal(set) var dataSymbols: [String: UInt64] = [:]
    /// The program's environment (`getenv`).
    public var environment: [String: String]
    /// Guest copies of environment values handed out by `getenv` (stable addresses).
    var environmentCopies: [String: UInt64] = [:]
    /// Interned guest strings (e.g. `strerror` texts), by content.
    var internedStrings: [String: UInt64] = [:]
    /// `getopt`'s scanning state.
    var getopt = GetoptState()
    /// State of `strtok`.
    var strtokNext: UInt64 = 0
    /// State of `rand`.
    var randState = RandomState(seed: 1)
    /// Short program name used in diagnostics such as failed assertions.
    public var programName = "program"
    /// Where diagnostics (unknown syscalls with --verbose, bad frees) go.
    public var verbose = false
    /// Whether the guest's `long double` is IEEE binary128 (aarch64, riscv64) rather than x87.
    public let longDoubleIsBinary128: Bool
    /// Whether the guest uses x86-64's `struct stat` (else the asm-generic one).
    public var x86StatLayout: Bool { !longDoubleIsBinary128 }
    /// Whether the guest's `char` is unsigned (aarch64, riscv64), so `CHAR_MAX` is 255.
    public var charIsUnsigned: Bool { longDoubleIsBinary128 }
    /// Whether the guest numbers `O_DIRECTORY`/`O_NOFOLLOW`/`O_DIRECT`/`O_LARGEFILE` the
    /// aarch64 way (the other `open` flags agree across the three targets).
    public var aarch64OpenFlags = false

    /// The host `open` flags for guest `flags`.
    public func hostOpenFlags(_ flags: Int32) -> Int32 {
        guard aarch64OpenFlags else { return flags }
        // aarch64: DIRECTORY 0o40000, NOFOLLOW 0o100000, DIRECT 0o200000, LARGEFILE 0o400000.
        let moved: [(Int32, Int32)] = [(0o40000, O_DIRECTORY), (0o100000, O_NOFOLLOW), (0o200000, 0o40000 /* x86-64 O_DIRECT */), (0o400000, 0)]
        var host = flags & ~moved.reduce(0) { $0 | $1.0 }
        for (guest, native) in moved where flags & guest != 0 { host |= native }
        return host
    }
    /// Guest signal dispositions set with `signal`/`sigaction` (guest handler addresses; 0 default, 1 ignore).
    public var signalHandlers: [Int32: UInt64] = [:]
    /// `sa_mask` and `sa_flags` of each `sigaction`.
    var signalActions: [Int32: (mask: UInt64, flags: Int32)] = [:]
    /// The process signal mask: bit N-1 blocks signal N.
    public internal(set) var signalMask: UInt64 = 0
    /// Signals raised while blocked, delivered when unblocked.
    var pendingSignals: UInt64 = 0
    /// Calls a guest function from host code (set by the emulator; used for signal handlers).
    public var callGuest: ((UInt64, [UInt64]) throws -> UInt64)?
    /// The fuzzing heap checker (red zones, poisoned frees), or nil for plain `malloc`.
    public var heapChecker: HeapChecker?
    /// Where guest file names lead on the host (confined to a directory by `--root`).
    public var fileSystem = GuestFileSystem()
    /// Static guest objects the library hands out (`localeconv`, `gmtime`'s `struct tm`…).
    var staticObjects: [String: UInt64] = [:]
    /// State of the POSIX library additions (locale, wide conversions, regex, `drand48`…).
    public let posix = PosixLibState()

    /// Creates the runtime over `memory`, with a heap at `[heapBase, heapBase + heapSize)`.
    public init(memory: any GuestMemory, heapBase: UInt64, heapSize: UInt64,
                environment: [String: String], longDoubleIsBinary128: Bool) throws {
        self.memory = memory
        self.heap = GuestHeap(base: heapBase, size: heapSize)
        self.environment = environment
        self.longDoubleIsBinary128 = longDoubleIsBinary128
        errnoAddress = try allocateZeroed(16)
        for (name, fd) in [("stdin", Int32(0)), ("stdout", 1), ("stderr", 2)] {
            let handle = try allocateZeroed(32)
            streams[handle] = HostStream.standard(fd)
            let cell = try allocateZeroed(8)
            try memory.store(handle, at: cell)
            dataSymbols[name] = cell
        }
    }

    /// Sets the guest's `errno`.
    public func setErrno(_ value: Int32) {
        try? memory.store(value, at: errnoAddress)
    }

    /// Allocates zeroed guest memory for the runtime's own use.
    public func allocateZeroed(_ size: Int) throws -> UInt64 {
        guard let (address, fresh) = heap.allocate(size) else { throw GuestFault(address: heap.limit, size: size, access: .write) }
        if !fresh && size > 0 { memset(try memory.host(address, size, write: true), 0, size) }
        return address
    }

    /// A guest copy of `text` (NUL-terminated) that lives for the rest of the run.
    public func internedString(_ text: String) throws -> UInt64 {
        if let a = internedStrings[text] { return a }
        let bytes = Array(text.utf8) + [0]
        let a = try allocateZeroed(bytes.count)
        try memory.write(bytes, at: a)
        internedStrings[text] = a
        return a
    }

    /// Registers a data object for an import (`optind`, …) of `size` bytes, initialised with `value`.
    public func defineData(_ name: String, size: Int, value: UInt64 = 0) throws -> UInt64 {
        if let a = dataSymbols[name] { return a }
        let a = try allocateZeroed(size)
        if size >= 8 { try memory.store(value, at: a) } else if size >= 4 { try memory.store(UInt32(truncatingIfNeeded: value), at: a) }
        dataSymbols[name] = a
        return a
    }

    /// A zeroed static guest object of `size` bytes, created once per name.
    func staticObject(_ name: String, size: Int) throws -> UInt64 {
        if let a = staticObjects[name] { return a }
        let a = try allocateZeroed(size)
        staticObjects[name] = a
        return a
    }

    /// Registers a host stream and returns its new guest `FILE*`.
    func register(_ stream: HostStream) throws -> UInt64 {
        let handle = try allocateZeroed(32)
        streams[handle] = stream
        return handle
    }

    /// Writes a host `struct stat` in the guest's layout.
    public func writeStat(_ st: stat, to address: UInt64) throws {
        if x86StatLayout {
            var copy = st
            try withUnsafeBytes(of: &copy) { try memory.write(Array($0), at: address) }
            return
        }
        // asm-generic struct stat (aarch64, riscv64): 128 bytes.
        let fields: [(Int, UInt64, Int)] = [
            (0, UInt64(st.st_dev), 8), (8, UInt64(st.st_ino), 8), (16, UInt64(st.st_mode), 4), (20, UInt64(st.st_nlink), 4),
            (24, UInt64(st.st_uid), 4), (28, UInt64(st.st_gid), 4), (32, UInt64(st.st_rdev), 8),
            (48, UInt64(bitPattern: Int64(st.st_size)), 8), (56, UInt64(st.st_blksize), 4),
            (64, UInt64(bitPattern: Int64(st.st_blocks)), 8),
            (72, UInt64(st.st_atim.tv_sec), 8), (80, UInt64(st.st_atim.tv_nsec), 8),
            (88, UInt64(st.st_mtim.tv_sec), 8), (96, UInt64(st.st_mtim.tv_nsec), 8),
            (104, UInt64(st.st_ctim.tv_sec), 8), (112, UInt64(st.st_ctim.tv_nsec), 8),
        ]
        memset(try memory.host(address, 128, write: true), 0, 128)
        for (off, v, size) in fields {
            if size == 8 { try memory.store(v, at: address + UInt64(off)) } else { try memory.store(UInt32(truncatingIfNeeded: v), at: address + UInt64(off)) }
        }
    }

    /// The stream for a guest `FILE*`, or nil (caller reports EBADF).
    public func stream(_ handle: UInt64) -> HostStream? { streams[handle] }

    /// Flushes every open stream (at exit).
    public func flushAll() {
        for s in streams.values { s.flush() }
    }

    /// Drops every stream's unwritten output (a death by signal, `_Exit`: nothing is flushed).
    public func discardAll() {
        for s in streams.values { s.discard() }
    }
}

/// glibc's `random_r` TYPE_3 generator, so `rand()` gives glibc's exact sequence.
struct RandomState {
    var r: [Int32] = []
    var index = 0

    init(seed: UInt32) { reseed(seed) }

    mutating func reseed(_ seedIn: UInt32) {
        var r = [Int32](repeating: 0, count: 34)
        let seed = seedIn == 0 ? 1 : seedIn
        r[0] = Int32(bitPattern: seed)
        for i in 1..<31 {
            let hi = Int64(r[i - 1]) / 127773
            let lo = Int64(r[i - 1]) % 127773
            var word = 16807 * lo - 2836 * hi
            if word < 0 { word += 2147483647 }
            r[i] = Int32(truncatingIfNeeded: word)
        }
        for i in 31..<34 { r[i] = r[i - 31] }
        self.r = r
        index = 34
        for _ in 0..<310 { _ = next() }
    }

    mutating func next() -> Int32 {
        let i = index
        let v = UInt32(bitPattern: r[(i - 31) % 34]) &+ UInt32(bitPattern: r[(i - 3) % 34])
        r[i % 34] = Int32(bitPattern: v)
        index += 1
        return Int32(bitPattern: v >> 1)
    }
}
