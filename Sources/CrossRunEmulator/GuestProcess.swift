import CNativeSupport
import CUnicorn
import CrossRunGDB
import CrossRunELF
import CrossRunLibc
import CrossRunLink
import CrossRunRuntime
#if canImport(Glibc)
import Glibc
#endif

/// One emulated program: a Unicorn engine, its address space, the loaded image, the host
/// C library state, and the trap dispatcher. Run it once with ``run()``.
///
/// `@unchecked Sendable`: a process is confined to the host thread that runs it (its guest
/// threads are scheduled cooperatively on that thread, ``GuestScheduler``); the host functions
/// it installs in its trampoline table capture it and are `@Sendable` only because the shared
/// static tables they join must be.
public final class GuestProcess: @unchecked Sendable {
    /// Where a thread control block keeps its thread's TLS block: the offset D from the
    /// thread pointer the loader stores in the image's tlsBlock slot (doc/ARCHITECTURE.md,
    /// "Threads"). Every guest thread's TCB has its TLS block there.
    public static let tcbTLSBlockOffset: UInt64 = 8
    /// How to run.
    public struct Options {
        public var entry = "main"
        /// `argv` (with `argv[0]`).
        public var arguments: [String]
        /// `argv` as bytes, when it must reach the program exactly (arguments that are not
        /// UTF-8, such as Latin-1 text, which a `String` would replace with U+FFFD); used
        /// instead of ``arguments`` when set.
        public var argumentBytes: [[UInt8]]?
        public var environment: [String: String]
        /// The environment's entries byte for byte, in the host's order (values that are not
        /// UTF-8, such as Latin-1 text, which a `String` would replace with U+FFFD); when set,
        /// the program's `envp` is exactly these, and ``environment`` is only the library's
        /// decoded copy (`setlocale("")`); nil: ``environment`` by name (`--deterministic`, fuzzing).
        public var environmentBytes: [[UInt8]]?
        /// Name used in reports.
        public var programName: String
        /// Seconds before the run is stopped (0: no limit).
        public var timeout: UInt32 = 0
        /// When the run does not stop a second after its deadline (host code that does not
        /// return), the watchdog prints `report` (a line), writes `record` to the outcome file
        /// and ends the process with status 124. `nil` (in-process runs): it keeps interrupting.
        public var watchdogExit: (report: String, record: String)?
        /// Report unknown system calls on stderr.
        public var verbose = false
        public var layout = GuestLayout()
        /// Where the guest's file names lead: the host's view, or confined with
        /// ``GuestFileSystem/init(root:)``.
        public var fileSystem = GuestFileSystem()
        /// Extra host functions by import name, served before the C library's (fuzzing's
        /// comparison tracing).
        public var extraFunctions: [String: HostFunction] = [:]
        /// `--deterministic`: fixed clocks, process ids and random bytes (GuestProcess+Deterministic).
        public var deterministic = false
        /// `--trace=syscall`: a line per system call (GuestProcess+Trace); nil: off.
        public var syscallTrace: SyscallTraceOptions?
        /// `--trace=libc`: a line per library call (GuestProcess+LibcTrace); nil: off.
        public var libcTrace: LibcTraceOptions?
        /// `--trace=signal`: where a line per delivered signal goes; nil: off.
        public var signalTrace: UnsafeMutablePointer<FILE>?
        /// A gdb client, already connected: the run stops at its first instruction and is
        /// debugged through it (GuestProcess+Debug.swift). nil: no debugging hooks at all.
        public var gdb: GDBServer?
        /// Seeds the thread scheduler's choices (`--schedule-seed`): the same seed, the same
        /// interleaving (for programs whose threads make library calls; see GuestScheduler).
        public var scheduleSeed: UInt64 = GuestProcess.defaultScheduleSeed
        /// Library-call stubs trap (`svc`/`ecall`/`syscall`) instead of being served by the
        /// trampolines' block hook, as under a debugger (GuestProcess+LibraryCall; for tests).
        public var trappingLibraryCalls = false
        /// The blocked and ignored signals the guest starts with, as `execve` passes them on
        /// (a command-line run: what CrossRun itself started with, ``InheritedSignals/atStart``).
        public var inheritedSignals = InheritedSignals()

        public init(arguments: [String], environment: [String: String], programName: String) {
            self.arguments = arguments
            self.environment = environment
            self.programName = programName
        }
    }

    /// The first fault of a run: its address, the faulting instruction (or, for a fault in a
    /// library function, its caller), the library function it happened in and the words that
    /// place it (`in strlen called from 0x… (main+0x39)`).
    struct FaultRecord {
        var address: UInt64?
        var pc: UInt64?
        var function: String?
        var context: String?
        /// The signal of a CPU exception (``onException(signal:)``), which a guest handler may catch.
        var exception: Int32?
        /// The exception's `si_code` and `si_addr` when it has its own (a bus error past the end
        /// of a mapped file: `BUS_ADRERR` at ``address``); nil: the CPU exception's defaults.
        var code: Int32?
    }

    /// What a run's report says, as values: how it is shown (`crossrun: prog: …`,
    /// `crossrun: error: …`) is the command line's business.
    public enum Report: Sendable, Equatable {
        /// About the program: how it died or stopped, e.g. `SIGSEGV (invalid memory access) at
        /// pc 0x400010 (main+0x10)`; a deadlock's thread lines follow on further lines.
        case program(String)
        /// CrossRun could not run it (no entry point).
        case error(String)

        /// What the report says, without who says it.
        public var text: String {
            switch self {
            case .program(let text), .error(let text): return text
            }
        }
    }

    /// How the run ended.
    public struct Outcome: Sendable, Equatable {
        /// Exit status (128+N for signal N, 124 for a timeout).
        public var status: Int32
        /// The report for a crash, timeout, deadlock or error (nil: the program exited).
        public var report: Report?
        /// The signal the program died of (nil: it exited, or timed out).
        public var signal: Int32?
        /// The run was stopped by its deadline.
        public var timedOut = false
        /// Where: the guest PC (for a fault inside a library function, the caller's address).
        public var pc: UInt64?
        /// `main+0x1c` for ``pc`` in the image.
        public var symbol: String?
        /// The C library function a fault happened in (`strlen`), or a timed-out run waited in.
        public var function: String?
        /// The faulting address of a memory fault.
        public var faultAddress: UInt64?
        /// Every guest thread was blocked with none able to wake (status ``GuestProcess/deadlockStatus``).
        public var deadlocked = false
        /// The debugger ended the run (gdb's `kill`): CrossRun's own doing, reported as such.
        public var killedByDebugger = false

        public init(status: Int32, report: Report?) {
            self.status = status
            self.report = report
        }
    }

    let image: LinkImage
    let options: Options
    let arch: any GuestArch
    let uc: OpaquePointer
    let memory: AddressSpace
    @exclusivity(unchecked) var runtime: LibcRuntime!
    /// `runtime`, `runtime.posix` and ``hostFunctions`` for the trap path, used through
    /// `_withUnsafeGuaranteedRef` (the strong references keep them alive for the run): a
    /// retain/release pair of each per library call was measurable, and loading an
    /// `unowned(unsafe)` reference into a local still retains it.
    @exclusivity(unchecked) var trapRuntime: Unmanaged<LibcRuntime>?
    @exclusivity(unchecked) var trapPosix: Unmanaged<PosixLibState>?
    @exclusivity(unchecked) var trapFunctions: Unmanaged<HostFunctionTable>?
    /// The frame every library call reads its arguments through: it holds only the engine and
    /// the address space, so one value serves the whole run (made per call, it cost an
    /// existential's set-up and destruction and a witness call each time).
    let trapFrame: any CallFrame
    /// ``TrapTable/functions`` as the trap path calls them, built once the imports are bound (a table of
    /// concrete entries: one reabstraction thunk fewer per call than an array of closures).
    private(set) var hostFunctions = HostFunctionTable([])
    /// The number of trampolines (``hostFunctions``' entries), stored for the block hook's check.
    @exclusivity(unchecked) var libraryCount = 0
    /// ``HostFunctionTable/registerBodies`` of ``hostFunctions``, the engine's integer register
    /// file (nil when not found: no register-only calls) and the arch's argument and result
    /// places in it, for the block hook's register-only calls (GuestProcess+LibraryCall).
    @exclusivity(unchecked) var registerBodies: UnsafeMutablePointer<RegisterFunction?>?
    let callRegisters: UnsafeMutablePointer<UInt64>?
    let callSlots: RegisterFileCallSlots
    /// `arch.trapPCOffset`, read once instead of through the existential on every trap.
    @exclusivity(unchecked) var trapPCOffset: UInt64 = 0
    /// `arch.stubReturnOffset` and `arch.programCounterRegister`, likewise.
    @exclusivity(unchecked) var stubReturnOffset: UInt64 = 0
    @exclusivity(unchecked) var programCounterRegister: Int32 = 0
    /// `layout.trampolineBase`, stored.
    let trampolineBase: UInt64
    /// Whether the stubs trap (with a debugger, or once another block hook exists) rather than
    /// being served by the trampolines' block hook (GuestProcess+LibraryCall).
    var libraryCallsTrap: Bool
    /// The trampolines' block hook, while the stubs are served by it.
    var libraryCallHook: uc_hook?
    /// The threaded programs' combined block hook's state (``installDispatchHook(flag:)``).
    var blockDispatch: UnsafeMutablePointer<crossrun_block_dispatch>?
    /// The stub of the library call in progress (the innermost), 0 outside calls.
    @exclusivity(unchecked) var trapSite: UInt64 = 0
    /// Inside a call served by the block hook: the stub's `ret`, where the call resumes when it
    /// stops the engine or runs guest code; 0 otherwise.
    @exclusivity(unchecked) var hookResumePC: UInt64 = 0
    /// ``stopEngine()`` was called during the current block-hook library call.
    @exclusivity(unchecked) var engineStopRequested = false
    var layout: GuestLayout { options.layout }
    /// The trampolines' host functions, names and FP-exception flags (``TrapTable``).
    /// `@exclusivity(unchecked)`, as every property the trap path reads on each library call:
    /// only the one thread running the engine touches them, and the dynamic checks were ~6% of
    /// a call.
    @exclusivity(unchecked) var trapTable = TrapTable()
    /// The floating-point environment library calls run under (``FloatingPointState``).
    @exclusivity(unchecked) var floatingPoint = FloatingPointState()
    var stopAddress: UInt64 { layout.trampolineBase }
    @exclusivity(unchecked) var trampolineEnd: UInt64 = 0
    /// Set by traps and hooks to end the current `uc_emu_start`.
    var termination: GuestTermination?
    /// Where and how the run faulted (the first fault; reset per fuzzing input).
    var fault = FaultRecord()
    /// Guest code called from inside library calls (``NestedCallState``).
    @exclusivity(unchecked) var nested = NestedCallState()
    /// Signals (bit sig-1) recorded on the host and delivered right before the current library
    /// call: to the guest they came while it ran, so a waiting call (`pause`, `read`) treats
    /// them as having interrupted it (``signalSafeWait(_:_:_:_:)``).
    @exclusivity(unchecked) var signalsDeliveredAtEntry: UInt64 = 0
    /// The image's `.debug_line`, read at the first report that names an address.
    lazy var lineTable = LineTable(image)
    var unknownSyscalls = Set<UInt64>()
    /// Time limit of each top-level guest call in microseconds, overriding `options.timeout`.
    var callTimeoutMicros: UInt64?
    /// The run's deadline watchdog (`crossrun_deadline *`; see GuestProcess+Deadline).
    @exclusivity(unchecked) var deadline: OpaquePointer?
    /// The attached debugger (only with ``Options/gdb``).
    var debugSession: DebugSession?
    /// The guest threads, from the program's first spawn on (nil: single-threaded).
    @exclusivity(unchecked) var threads: GuestScheduler?
    /// The deadlock report, when the run ended in one.
    var deadlockReport: String?
    /// The argument and environment strings as Linux lays them out at the top of the stack
    /// (`setUpArguments`): argv's strings then the environment's, ascending and contiguous,
    /// and the lowest address the vectors below them use (0 before they are written).
    var argumentStrings = ArgumentStrings()
    /// The engine's TLB growth state (`crossrun_uc_adaptive_tlb`), freed after the engine.
    let tlbPolicy: UnsafeMutablePointer<crossrun_tlb_policy> = {
        let p = UnsafeMutablePointer<crossrun_tlb_policy>.allocate(capacity: 1)
        p.initialize(to: crossrun_tlb_policy())
        return p
    }()

    /// Creates the engine, maps the address space and loads `image`; throws listing any import
    /// the emulator cannot provide.
    public init(image: LinkImage, options: Options) throws {
        self.image = image
        self.options = options
        self.trampolineBase = options.layout.trampolineBase
        self.libraryCallsTrap = options.gdb != nil || options.trappingLibraryCalls
        self.arch = try guestArch(for: image.machine)
        var engine: OpaquePointer?
        let err = uc_open(arch.ucArch, arch.ucMode, &engine)
        guard err == UC_ERR_OK, let engine else { throw EmulatorError.engine("opening the engine", err) }
        let thp = crossrun_thp_suspend()   // the engine initialises in these calls (shim.h)
        let model = crossrun_uc_set_cpu_model(engine, arch.cpuModel)
        guard model == UC_ERR_OK else { crossrun_thp_resume(thp); uc_close(engine); throw EmulatorError.engine("choosing the CPU model", model) }
        let tlb = crossrun_uc_adaptive_tlb(engine, tlbPolicy)
        crossrun_thp_resume(thp)
        guard tlb == UC_ERR_OK else { uc_close(engine); throw EmulatorError.engine("choosing the TLB mode", tlb) }
        self.uc = engine
        self.memory = AddressSpace(engine: engine)
        let registers = crossrun_uc_integer_registers(engine, Int32(bitPattern: arch.ucArch.rawValue))
        self.trapFrame = arch.frame(engine, memory: memory, registers: registers)
        self.callRegisters = registers
        self.callSlots = arch.registerFileCallSlots
        try load()
    }

    deinit {
        stopTicker()
        cancelDeadline()
        if options.watchdogExit == nil { restoreHostDispositions() }   // in-process runs: the host goes on
        uc_close(uc)
        tlbPolicy.deallocate()
        blockDispatch?.deallocate()
    }

    /// Guest address of the image.
    public var imageBase: UInt64 { layout.imageBase }

    /// A copy of guest memory (nil if any byte is unmapped), for inspection and tests.
    public func guestBytes(_ address: UInt64, _ count: Int) -> [UInt8]? {
        guard let view = try? memory.bytes(address, count) else { return nil }
        return Array(view)
    }

    /// Drops the CPU to the privilege Linux runs programs in (``GuestArch/userModeSwitch``),
    /// running the switch from the 16 bytes after the last trampoline (`scratch`), then filled
    /// with the stubs' trapping padding.
    private func enterUserMode(scratch: UnsafeMutableRawPointer, filler: [UInt8]) throws {
        let code = arch.userModeSwitch
        try arch.prepareUserMode(uc, landing: stopAddress)
        func place(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { if let base = $0.baseAddress { scratch.copyMemory(from: base, byteCount: min($0.count, 16)) } }
        }
        defer { place(filler + filler) }
        if !code.isEmpty {
            place(code)
            let err = uc_emu_start(uc, trampolineEnd, stopAddress, 0, 0)
            guard err == UC_ERR_OK, arch.pc(uc) == stopAddress else { throw EmulatorError.engine("entering user mode", err) }
        }
        // No interrupt hook yet: a privileged instruction now ends uc_emu_start with an error.
        let probe = arch.userModeProbe
        guard !probe.isEmpty else { return }
        place(probe)
        let err = uc_emu_start(uc, trampolineEnd, trampolineEnd + UInt64(probe.count), 0, 0)
        guard err != UC_ERR_OK else { throw EmulatorError.engine("entering user mode (a privileged instruction ran)", UC_ERR_EXCEPTION) }
    }

    /// Loads the image into the engine, in passes: the C library's state, the imports bound
    /// to trampolines (unimplemented ones reported before anything runs), the trampolines and
    /// user mode, the segments, the main thread's TLS and control block, the fixups, the
    /// stack, the hooks.
    private func load() throws {
        try prepareRuntime()
        let importAddresses = try bindImports()
        hostFunctions = HostFunctionTable(trapTable.functions)
        trapFunctions = Unmanaged.passUnretained(hostFunctions)
        registerBodies = hostFunctions.registerBodies
        libraryCount = hostFunctions.entries.count
        try mapTrampolines()
        try mapSegments()
        let tlsBlock = try setUpMainThread()
        try applyFixups(importAddresses, tlsBlock: tlsBlock)
        try memory.map("stack", at: layout.stackTop - layout.stackSize, size: layout.stackSize, write: true, execute: false)
        try installHooks()
    }

    /// The CPU's set-up, the guest heap and the C library's state for this run.
    private func prepareRuntime() throws {
        try arch.prepare(uc)
        floatingPoint.exceptionBits = arch.floatingPointABI.hostExceptions
        let heapBase = GuestLayout.pageUp(imageBase + UInt64(image.size)) + 0x10_0000
        try memory.map("heap", at: heapBase, size: layout.heapSize, write: true, execute: false)
        runtime = try LibcRuntime(memory: memory, heapBase: heapBase, heapSize: layout.heapSize,
                                  environment: options.environment, abi: arch.abi)
        runtime.verbose = options.verbose
        trapRuntime = Unmanaged.passUnretained(runtime)
        trapPosix = Unmanaged.passUnretained(runtime.posix)
        trapPCOffset = arch.trapPCOffset
        stubReturnOffset = arch.stubReturnOffset
        programCounterRegister = arch.programCounterRegister
        memory.mappingArea = layout.mappingArea
        memory.mappableRange = layout.mappableRange
        runtime.mapper = memory
        runtime.fileSystem = options.fileSystem
        if options.deterministic { prepareDeterministicRun() }
        if let output = options.signalTrace { runtime.signalObserver = { Self.traceSignal($0, to: output) } }
        // A trace's descriptor survives the guest's close, also stderr's (closing 0-2 is real
        // otherwise: a traced program that closes 2 keeps its trace, not its number 2).
        for output in [options.syscallTrace?.output, options.libcTrace?.output, options.signalTrace] {
            if let output, fileno(output) >= 0 { runtime.protectedDescriptors.insert(fileno(output)) }
        }
        runtime.callGuest = { [unowned self] function, args in try self.callNested(function, args) }
        runtime.callGuestOnStack = { [unowned self] function, args, stack in try self.callNested(function, args, alternateStack: stack) }
        runtime.preservingInterruptedContext = { [unowned self] call in try self.preservingContext(call) }
        runtime.afterForkInChild = { [unowned self] in self.deadlineAfterFork(); self.threadsAfterFork() }
        runtime.signalDispositionChanged = { Self.forwardDisposition($0, handler: $1, flags: $2) }
        runtime.takeRecordedSignals = { crossrun_take_host_signals() }
        runtime.signalMaskChanged = { [unowned self] mask in crossrun_mirror_guest_mask(self.hostMirrorMask(mask)) }
        runtime.takeHostPendingSignals = { crossrun_take_mirrored_pending() }
        runtime.takeThreadSignals = { [unowned self] mask in self.takeThreadSignals(unblockedBy: mask) }
        runtime.takeThreadSignalOrigin = { [unowned self] sig in self.takeThreadSignalOrigin(sig) }
        runtime.redirectProcessSignal = { [unowned self] sig, code, value in self.redirectProcessSignal(sig, code: code, value: value) }
        runtime.interruptedContext = { [unowned self] in self.interruptedContext() }
        runtime.recordedSignalSender = { sig in
            var uid: UInt32 = 0
            let pid = crossrun_host_signal_sender(sig, &uid)
            return pid < 0 ? nil : (pid, uid)
        }
        runtime.recordedSignalOrigin = { sig in
            var value: UInt64 = 0
            let code = crossrun_host_signal_origin(sig, &value)
            return (code, value)
        }
        runtime.programName = String(options.programName.split(separator: "/").last ?? "program")
        describeCPU()
        describeMappings()
        describeArguments()
        runtime.posix.programPath = options.programName
        runtime.inherit(options.inheritedSignals)
    }

    /// Each import's guest address: a function's trampoline (one per distinct name, its host
    /// body in ``TrapTable/functions``) or a data object's address. Throws naming every import that has
    /// no implementation.
    private func bindImports() throws -> [UInt64] {
        var missing: [String] = []
        var importAddress: [UInt64] = []
        var stubIndex: [String: Int] = [:]
        for imp in image.imports {
            switch imp.kind {
            case .function:
                guard let body = hostFunction(imp.name, lookup: HostLibc.function(named:)) else {
                    missing.append(imp.name)
                    importAddress.append(0)
                    continue
                }
                let index: Int
                if let known = stubIndex[imp.name] {
                    index = known
                } else {
                    index = trapTable.functions.count
                    stubIndex[imp.name] = index
                    let raises = RuntimeSymbols.lookup(imp.name)?.library == .libm && !Self.floatingPointFunctionNames.contains(imp.name)
                    trapTable.functions.append(HostFunctionEntry(body: body, raisesExceptions: raises,
                                                                 registerBody: registerFunction(imp.name)))
                    trapTable.names.append(imp.name)
                }
                importAddress.append(layout.trampolineBase + UInt64(index) * 16)
            case .data:
                if let address = try HostLibc.dataAddress(imp.name, runtime) {
                    importAddress.append(address)
                } else {
                    missing.append(imp.name)
                    importAddress.append(0)
                }
            }
        }
        if !missing.isEmpty { throw EmulatorError.unimplementedImports(missing) }
        if image.imports.contains(where: { $0.name == "dlsym" }) { bindWholeTable(known: stubIndex) }
        return importAddress
    }

    /// The host function serving import `name` (with `--trace=libc`, wrapped to trace it):
    /// fuzzing's extra functions first, then `--deterministic`'s, the process's own, and
    /// `lookup`'s (the C library). Plain `if`s, not `??`: the operator is generic, so each use
    /// passed the closure through its generic representation and wrapped it in two more
    /// reabstraction thunks, an indirect call each on every library call.
    private func hostFunction(_ name: String, lookup: (String) -> HostFunction?) -> HostFunction? {
        let found: HostFunction
        if let extra = options.extraFunctions[name] {
            found = extra
        } else if options.deterministic, let deterministic = Self.deterministicFunctions[name] {
            found = deterministic
        } else if let own = processFunction(name) {
            found = own
        } else if let library = lookup(name) {
            found = library
        } else {
            return nil
        }
        guard let trace = options.libcTrace else { return found }
        return tracedFunction(name, found, trace)
    }

    /// For an image that imports `dlsym`: a trampoline for every other function of the
    /// runtime's import table, so code the program generates at run time can look up any
    /// library function (TinyCC's `-run` resolves `strcat`, `sin`, … with `dlsym`).
    private func bindWholeTable(known: [String: Int]) {
        for (name, symbol) in RuntimeSymbols.all.sorted(by: { $0.key < $1.key })
        where symbol.kind == .function && known[name] == nil {
            guard let body = hostFunction(name, lookup: { HostLibc.functions[$0] }) else { continue }
            trapTable.functions.append(HostFunctionEntry(body: body,
                                                         raisesExceptions: symbol.library == .libm && !Self.floatingPointFunctionNames.contains(name),
                                                         registerBody: registerFunction(name)))
            trapTable.names.append(name)
        }
    }

    /// One stub per bound function (GuestProcess+LibraryCall), then the switch to user
    /// privilege (run from the scratch slot after the last stub).
    private func mapTrampolines() throws {
        let stubs = libraryCallsTrap ? arch.trapStub : arch.callStub
        let trampolineSize = GuestLayout.pageUp(UInt64((trapTable.functions.count + 1) * 16))
        let tramp = try memory.map("trampolines", at: layout.trampolineBase, size: trampolineSize, write: false, execute: true)
        stubs.withUnsafeBytes { stub in
            guard let source = stub.baseAddress else { return }
            for i in 0..<trapTable.functions.count {
                tramp.host.advanced(by: i * 16).copyMemory(from: source, byteCount: min(stub.count, 16))
            }
        }
        trampolineEnd = layout.trampolineBase + UInt64(trapTable.functions.count * 16)
        try enterUserMode(scratch: tramp.host.advanced(by: trapTable.functions.count * 16), filler: Array(stubs[8..<16]))
    }

    /// The image, one region per segment with its permissions; the bytes are the LinkImage's.
    private func mapSegments() throws {
        for segment in image.segments {
            let p = segment.permissions
            try memory.map("image \(segment.name)", at: imageBase + UInt64(segment.offset), size: UInt64(segment.memorySize),
                           write: p == .readWrite, execute: p == .readExecute)
        }
        for segment in image.segments {
            let end = min(segment.offset + segment.memorySize, image.bytes.count)
            guard end > segment.offset, let dst = memory.loaderHost(imageBase + UInt64(segment.offset)) else { continue }
            image.bytes[segment.offset..<end].withUnsafeBytes { bytes in
                if let source = bytes.baseAddress { dst.copyMemory(from: source, byteCount: bytes.count) }
            }
        }
    }

    /// The main thread's TLS block and control block: tcb+0 the self pointer (x86-64's fs:0),
    /// tcb+8 the thread's TLS block (the image's resolver reads the word at thread pointer + D,
    /// D = `tcbTLSBlockOffset` stored in the tlsBlock slot), tcb+0x28 the stack-protector
    /// canary. Returns the TLS block's address (0 without TLS).
    private func setUpMainThread() throws -> UInt64 {
        var tlsBlock: UInt64 = 0
        if let t = image.tls {
            // The linker bounds t.size by LinkImage.maximumSize; the guest heap is smaller.
            guard let block = try? runtime.allocateZeroed(t.size + t.alignment) else {
                throw EmulatorError.resources("the program's thread-local storage (\(t.size) bytes) does not fit in the guest heap (\(layout.heapSize) bytes)")
            }
            tlsBlock = (block + UInt64(t.alignment) - 1) & ~(UInt64(t.alignment) - 1)
        }
        let tcb = try runtime.allocateZeroed(256)
        try memory.store(tcb, at: tcb)
        try memory.store(tlsBlock, at: tcb + Self.tcbTLSBlockOffset)
        try memory.store(HostLibc.stackGuard, at: tcb + 0x28)
        arch.setThreadPointer(uc, tcb)
        return tlsBlock
    }

    /// The fixups (the native loader's pass, with the guest base); then the TLS template, which
    /// may itself hold relocated pointers, is copied into the main thread's block.
    private func applyFixups(_ importAddresses: [UInt64], tlsBlock: UInt64) throws {
        image.applyFixups(base: imageBase, importAddresses: importAddresses, tlsBlockOffset: Self.tcbTLSBlockOffset) {
            memory.loaderHost(imageBase + UInt64($0))
        }
        if let t = image.tls, t.initializedSize > 0, let src = memory.loaderHost(imageBase + UInt64(t.imageOffset)) {
            try memory.host(tlsBlock, t.initializedSize, write: true).copyMemory(from: src, byteCount: t.initializedSize)
        }
    }
}
