#if canImport(Glibc)
import Glibc
#endif

/// A guest function to call at `exit`: `atexit`'s take no argument, `on_exit`'s take the
/// exit status and the argument it registered.
public struct ExitHandler: Sendable, Equatable {
    public var function: UInt64
    /// `on_exit`'s argument; nil for `atexit`.
    public var argument: UInt64?

    /// The arguments of the call at exit with `status`.
    public func arguments(status: Int32) -> [UInt64] {
        argument.map { [UInt64(bitPattern: Int64(status)), $0] } ?? []
    }
}

/// Everything the guest's C library changes while the program runs, in one value.
///
/// ``LibcRuntime`` keeps no other mutable guest state: its properties of the same names
/// forward here. So the fuzzer's reset (``LibcRuntime/restore(_:)``) puts back *all* of it by
/// assigning one value — a field added here is reset with the rest, by construction — and only
/// the host resources behind it (streams, directory streams) need closing by hand.
public struct LibcState {
    /// The guest heap (`malloc` & co.).
    public var heap: GuestHeap
    /// Guest functions registered with `atexit` or `on_exit`, in registration order.
    public var atexitHandlers: [ExitHandler] = []
    /// Guest functions registered with `at_quick_exit`, in registration order.
    public var quickExitHandlers: [UInt64] = []
    /// Open streams by guest `FILE*` value.
    public var streams: [UInt64: HostStream] = [:]
    /// Open directory streams by guest `DIR*` value: the host stream and the guest `struct
    /// dirent` that `readdir` returns.
    var directories: [UInt64: (host: OpaquePointer, entry: UInt64)] = [:]
    /// Guest addresses of data imports (`stdout`, `stdin`, …) by name.
    var dataSymbols: [String: UInt64] = [:]
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
    /// Guest signal dispositions set with `signal`/`sigaction` (guest handler addresses; 0 default, 1 ignore).
    public var signalHandlers: [Int32: UInt64] = [:]
    /// `sa_mask` and `sa_flags` of each `sigaction`.
    var signalActions: [Int32: (mask: UInt64, flags: Int32)] = [:]
    /// The process signal mask: bit N-1 blocks signal N.
    var signalMask: UInt64 = 0
    /// Signals raised while blocked, delivered when unblocked.
    var pendingSignals: UInt64 = 0
    /// Pending instances of real-time signals (32–64), oldest first, with their `si_code`
    /// and `sigqueue` value: they queue rather than merge (Linux's RLIMIT_SIGPENDING-like
    /// bound: ``LibcSignal/realtimeQueueLimit`` in all).
    var realtimeQueue: [Int32: [(code: Int32, value: UInt64?)]] = [:]
    /// The sender (`si_pid`, `si_uid`) of a signal another process sent, from when it arrives
    /// until a handler or a `sigwaitinfo` takes it, whichever thread that is (Linux keeps the
    /// `siginfo_t` with the pending signal). No entry: the process itself sent it.
    var signalSenders: [Int32: (pid: Int32, uid: UInt32)] = [:]
    /// The alternate signal stack (`sigaltstack`), and whether a handler runs on it now.
    var alternateStack: Range<UInt64>?
    var onAlternateStack = false
    /// `malloc` blocks served by a fresh guest mapping once the heap was full (address → size
    /// asked; the mapping is that rounded up to pages), as glibc's `mmap`-backed chunks.
    var mappedBlocks: [UInt64: Int] = [:]
    /// The fuzzing heap checker (red zones, poisoned frees), or nil for plain `malloc`.
    package var heapChecker: HeapChecker?
    /// Where guest file names lead on the host, and the guest's current directory.
    public var fileSystem = GuestFileSystem()
    /// Static guest objects the library hands out (`localeconv`, `gmtime`'s `struct tm`…).
    var staticObjects: [String: UInt64] = [:]
    /// The guest's file-mode creation mask (`umask`), applied around the host calls that
    /// create files; CrossRun's own mask never changes. Starts as the host's.
    var fileModeMask: mode_t
    /// Host children behind `popen` streams, by guest `FILE*` (`pclose` waits for them).
    var popenChildren: [UInt64: pid_t] = [:]
    /// `posix_spawn` file actions and attributes, by the guest object's address.
    var spawnFileActions: [UInt64: [LibcSpawn.FileAction]] = [:]
    var spawnAttributes: [UInt64: LibcSpawn.Attributes] = [:]

    init(heap: GuestHeap, environment: [String: String]) {
        self.heap = heap
        self.environment = environment
        fileModeMask = Glibc.umask(0)
        Glibc.umask(fileModeMask)
    }
}

// The runtime's names for its state (in place: `_modify` yields the stored value, so a
// `malloc` does not copy the heap's tables).
extension LibcRuntime {
    /// The guest heap (`malloc` & co.).
    public var heap: GuestHeap { get { state.heap } _modify { yield &state.heap } }
    /// Guest functions registered with `atexit` or `on_exit`, in registration order.
    public var atexitHandlers: [ExitHandler] { get { state.atexitHandlers } _modify { yield &state.atexitHandlers } }
    /// Guest functions registered with `at_quick_exit`, in registration order.
    public var quickExitHandlers: [UInt64] { get { state.quickExitHandlers } _modify { yield &state.quickExitHandlers } }
    /// Open streams by guest `FILE*` value.
    public var streams: [UInt64: HostStream] { get { state.streams } _modify { yield &state.streams } }
    var directories: [UInt64: (host: OpaquePointer, entry: UInt64)] { get { state.directories } _modify { yield &state.directories } }
    /// Guest addresses of data imports (`stdout`, `stdin`, …) by name.
    public internal(set) var dataSymbols: [String: UInt64] { get { state.dataSymbols } _modify { yield &state.dataSymbols } }
    /// The program's environment (`getenv`).
    public var environment: [String: String] { get { state.environment } _modify { yield &state.environment } }
    var environmentCopies: [String: UInt64] { get { state.environmentCopies } _modify { yield &state.environmentCopies } }
    var internedStrings: [String: UInt64] { get { state.internedStrings } _modify { yield &state.internedStrings } }
    var getopt: GetoptState { get { state.getopt } _modify { yield &state.getopt } }
    var strtokNext: UInt64 { get { state.strtokNext } _modify { yield &state.strtokNext } }
    var randState: RandomState { get { state.randState } _modify { yield &state.randState } }
    /// Guest signal dispositions set with `signal`/`sigaction` (guest handler addresses; 0 default, 1 ignore).
    public var signalHandlers: [Int32: UInt64] { get { state.signalHandlers } _modify { yield &state.signalHandlers } }
    package var signalActions: [Int32: (mask: UInt64, flags: Int32)] { get { state.signalActions } _modify { yield &state.signalActions } }
    /// The process signal mask: bit N-1 blocks signal N.
    public var signalMask: UInt64 { get { state.signalMask } _modify { yield &state.signalMask } }
    var pendingSignals: UInt64 { get { state.pendingSignals } _modify { yield &state.pendingSignals } }
    /// The fuzzing heap checker (red zones, poisoned frees), or nil for plain `malloc`.
    package var heapChecker: HeapChecker? { get { state.heapChecker } _modify { yield &state.heapChecker } }
    /// Where guest file names lead on the host (confined to a directory by `--root`), and the
    /// guest's current directory.
    public var fileSystem: GuestFileSystem { get { state.fileSystem } _modify { yield &state.fileSystem } }
    var staticObjects: [String: UInt64] { get { state.staticObjects } _modify { yield &state.staticObjects } }

    /// Runs a host call that may create a file under the guest's `umask`.
    public func creatingFiles<R>(_ body: () throws -> R) rethrows -> R {
        let saved = Glibc.umask(state.fileModeMask)
        defer { Glibc.umask(saved) }
        return try body()
    }
}

extension LibcRuntime {
    /// Runs `body` on the heap checker (nil without one). The checker works on the heap, which
    /// lives in the same ``state``: it is moved out meanwhile (no copy, no overlapping access).
    func withHeapChecker<R>(_ body: (inout HeapChecker) throws -> R) rethrows -> R? {
        guard var checker = state.heapChecker.take() else { return nil }
        defer { state.heapChecker = checker }
        return try body(&checker)
    }
}
