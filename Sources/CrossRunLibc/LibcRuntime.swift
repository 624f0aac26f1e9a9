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
public typealias HostFunction = @Sendable (LibcRuntime, any CallFrame) throws -> Void

/// The state of the guest's C library, kept on the host: heap, streams, errno, environment,
/// exit handlers. One per guest process; every ``HostFunction`` receives it.
public final class LibcRuntime {
    /// The guest's memory.
    public let memory: any GuestMemory
    /// Everything else the C library changes while the guest runs (the properties of the same
    /// names forward to it), restored as a whole by the fuzzer's reset. New mutable guest state
    /// goes there, not here: only configuration set once at start-up lives in this class.
    public var state: LibcState
    /// Guest address of the `errno` cell (`__errno_location()` returns it); the emulator's
    /// scheduler switches it with the running guest thread.
    public var errnoAddress: UInt64 = 0
    /// Short program name used in diagnostics such as failed assertions.
    public var programName = "program"
    /// CrossRun's own descriptors the guest must not close (a `--trace-file`): `close`,
    /// `closefrom` and `close_range` leave them open, as they leave 0–2.
    public var protectedDescriptors: Set<Int32> = []
    /// Where diagnostics (unknown syscalls with --verbose, bad frees) go.
    public var verbose = false
    /// The guest architecture's ABI facts (layouts, numbers, type formats).
    public let abi: GuestABI
    /// Whether the guest's `long double` is IEEE binary128 (aarch64, riscv64) rather than x87.
    public var longDoubleIsBinary128: Bool { abi.longDoubleIsBinary128 }
    /// Whether the guest's `char` is unsigned (aarch64, riscv64), so `CHAR_MAX` is 255.
    public var charIsUnsigned: Bool { abi.charIsUnsigned }

    /// The host `open` flags for guest `flags`.
    public func hostOpenFlags(_ flags: Int32) -> Int32 { abi.hostOpenFlags(flags) }
    /// Calls a guest function from host code (set by the emulator; used for signal handlers).
    public var callGuest: ((UInt64, [UInt64]) throws -> UInt64)?
    /// Calls a guest function on another stack (a signal handler on its `sigaltstack`; set by
    /// the emulator), else nil: handlers then run on the interrupted stack.
    public var callGuestOnStack: ((UInt64, [UInt64], Range<UInt64>) throws -> UInt64)?
    /// Runs a signal handler's call (the closure given) as Linux runs a handler from its signal
    /// frame: the interrupted guest's whole CPU context is saved around it and put back when it
    /// returns, so the registers of the code it interrupted are intact (set by the emulator;
    /// nil runs the call as is).
    public var preservingInterruptedContext: ((() throws -> Void) throws -> Void)?
    /// Why a guest call made from a host C callback (an `fopencookie` function, called from
    /// inside the host's stdio) did not return: C frames cannot pass a Swift error on, so it
    /// waits here and the trap rethrows it once the library call has returned. Read after every
    /// library call: no dynamic exclusivity check (one thread runs the engine).
    @exclusivity(unchecked) public var pendingCallbackError: (any Error)?
    /// Takes ``pendingCallbackError`` (the emulator, after every library call; the attribute
    /// above is honoured only for accesses inside this module).
    public func takePendingCallbackError() -> (any Error)? {
        guard let error = pendingCallbackError else { return nil }
        pendingCallbackError = nil
        return error
    }
    /// Set while the fuzzer's reset closes the input's streams: host callbacks then call no
    /// guest code (a cookie stream's functions are not run between inputs).
    var guestCallbacksSuspended = false
    /// Run in the child right after an emulated `fork` (set by the emulator: restarts what
    /// threads did, such as the deadline watchdog); nil means the guest cannot fork (ENOSYS).
    public var afterForkInChild: (() -> Void)?
    /// Told when the guest changes a signal's disposition (signal number, handler, `sa_flags`),
    /// so signals from other processes meet the guest's choice (set by the emulator for
    /// runs; nil leaves the host's dispositions alone, as fuzzing does).
    public var signalDispositionChanged: ((Int32, UInt64, Int32) -> Void)?
    /// Told when the running guest thread's blocked set changes (bit N-1: signal N), so the
    /// host blocks the same signals from outside (set by the emulator; nil, as for fuzzing,
    /// leaves the host's mask alone). Signals it made deliverable are then recorded ones.
    public var signalMaskChanged: ((UInt64) -> Void)?
    /// Takes the blocked signals from outside that are pending on the host (set by the emulator),
    /// so `sigpending` sees them.
    public var takeHostPendingSignals: (() -> UInt64)?
    /// Takes the running thread's own pending signals (`pthread_kill`) that `mask` lets
    /// through, for delivery when the thread unblocks them (set by the emulator).
    public var takeThreadSignals: ((UInt64) -> UInt64)?
    /// Takes the `si_code` and value a signal pending for the running thread alone carries
    /// (set by the emulator; nil: a `pthread_kill`, `SI_TKILL`).
    public var takeThreadSignalOrigin: ((Int32) -> (code: Int32, value: UInt64?)?)?
    /// Hands a process-directed signal (`kill` to this process, one from outside) that the
    /// running thread blocks to another thread that does not block it, as Linux delivers it
    /// (set by the emulator); false when none takes it (it stays pending for the process).
    public var redirectProcessSignal: ((_ sig: Int32, _ code: Int32, _ value: UInt64?) -> Bool)?
    /// Signal frames being set up on top of one another (``LibcSignal/maxSignalFrames``).
    var signalFrameDepth = 0
    /// Signal handlers run so far (`sigsuspend` returns once one has run).
    public internal(set) var signalHandlersRun: UInt64 = 0
    /// Told of each signal as it is delivered to a handler or ends the program (`--trace=signal`).
    public var signalObserver: ((Int32) -> Void)?
    /// Takes the signals from outside that the host recorded for the guest and has not yet
    /// delivered (bit N-1: signal N; set by the emulator), for calls that wait for signals.
    public var takeRecordedSignals: (() -> UInt64)?
    /// The `si_code` and `si_value` of the last recorded host instance of a signal (set by the
    /// emulator), so a POSIX timer's signal reaches an `SA_SIGINFO` handler as `SI_TIMER`.
    public var recordedSignalOrigin: ((Int32) -> (code: Int32, value: UInt64))?
    /// The sender (`si_pid`, `si_uid`) of the last recorded host instance of a signal another
    /// process sent (set by the emulator), or nil (the kernel's, a timer's).
    public var recordedSignalSender: ((Int32) -> (pid: Int32, uid: UInt32)?)?
    /// The interrupted guest's machine context for an `SA_SIGINFO` handler's `ucontext_t`
    /// (set by the emulator from the registers at the library call), or nil: no context.
    public var interruptedContext: (() -> SignalContextImage)?
    /// The guest address space for `mmap` & co. (set by the emulator), or nil.
    public weak var mapper: (any GuestMapper)?
    /// State of the POSIX library additions (locale, wide conversions, regex, `drand48`…).
    public let posix = PosixLibState()

    /// Creates the runtime over `memory`, with a heap at `[heapBase, heapBase + heapSize)`.
    public init(memory: any GuestMemory, heapBase: UInt64, heapSize: UInt64,
                environment: [String: String], abi: GuestABI) throws {
        self.memory = memory
        self.state = LibcState(heap: GuestHeap(base: heapBase, size: heapSize), environment: environment)
        self.abi = abi
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
    package func staticObject(_ name: String, size: Int) throws -> UInt64 {
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
        let l = abi.stat
        let w = try GuestStructWriter(memory, at: address, size: l.size)
        try w.set(l.dev, UInt64(st.st_dev)); try w.set(l.ino, UInt64(st.st_ino))
        try w.set(l.mode, UInt64(st.st_mode)); try w.set(l.nlink, UInt64(st.st_nlink))
        try w.set(l.uid, UInt64(st.st_uid)); try w.set(l.gid, UInt64(st.st_gid)); try w.set(l.rdev, UInt64(st.st_rdev))
        try w.set(l.fileSize, Int64(st.st_size)); try w.set(l.blksize, Int64(st.st_blksize)); try w.set(l.blocks, Int64(st.st_blocks))
        try w.setTime(l.atime, seconds: Int64(st.st_atim.tv_sec), nanoseconds: Int64(st.st_atim.tv_nsec))
        try w.setTime(l.mtime, seconds: Int64(st.st_mtim.tv_sec), nanoseconds: Int64(st.st_mtim.tv_nsec))
        try w.setTime(l.ctime, seconds: Int64(st.st_ctim.tv_sec), nanoseconds: Int64(st.st_ctim.tv_nsec))
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
