import CUnicorn
import CrossRunELF
import CrossRunLibc
import CrossRunLink
import CrossRunRuntime
#if canImport(Glibc)
import Glibc
#endif

/// One emulated program: a Unicorn engine, its address space, the loaded image, the host
/// C library state, and the trap dispatcher. Run it once with ``run()``.
public final class GuestProcess {
    /// How to run.
    public struct Options {
        public var entry = "main"
        /// `argv` (with `argv[0]`).
        public var arguments: [String]
        public var environment: [String: String]
        /// Name used in reports.
        public var programName: String
        /// Seconds before the run is stopped (0: no limit).
        public var timeout: UInt32 = 0
        /// Report unknown system calls on stderr.
        public var verbose = false
        public var layout = GuestLayout()
        /// Where the guest's file names lead: the host's view, or confined with
        /// ``GuestFileSystem/init(root:)``.
        public var fileSystem = GuestFileSystem()
        /// Extra host functions by import name, served before the C library's (fuzzing's
        /// comparison tracing).
        public var extraFunctions: [String: HostFunction] = [:]

        public init(arguments: [String], environment: [String: String], programName: String) {
            self.arguments = arguments
            self.environment = environment
            self.programName = programName
        }
    }

    /// How the run ended.
    public struct Outcome: Sendable, Equatable {
        /// Exit status (128+N for signal N, 124 for a timeout).
        public var status: Int32
        /// The one-line report for a crash or timeout.
        public var report: String?
    }

    let image: LinkImage
    let options: Options
    let arch: any GuestArch
    let uc: OpaquePointer
    let memory: AddressSpace
    var runtime: LibcRuntime!
    var layout: GuestLayout { options.layout }
    /// Host functions by trampoline index (index 0 is the return-to-host address), and their
    /// names (kept apart so the trap path copies no string).
    var functions: [HostFunction] = [{ _, _ in }]
    var functionNames: [String] = ["<return>"]
    /// Whether each host function is a libm function whose floating-point exceptions reach the
    /// guest's flags (see ``raiseHostExceptions()``).
    var raisesExceptions: [Bool] = [false]
    /// The guest's exception flag for each host one (the arch's ``FloatingPointABI``).
    var hostExceptionBits: [(host: Int32, guest: UInt32)] = []
    /// Host exception flags already passed to the guest's flags since `<fenv.h>` last set them.
    var flagsKnownSet: Int32 = 0
    var stopAddress: UInt64 { layout.trampolineBase }
    var trampolineEnd: UInt64 = 0
    /// Set by traps and hooks to end the current `uc_emu_start`.
    var termination: GuestTermination?
    var faultAddress: UInt64?
    var faultPC: UInt64?
    /// Guest calls made from inside traps so far (``callNested``).
    var nestedCalls = 0
    /// Stack tops of the nested guest calls in progress, innermost last.
    var nestedStackTops: [UInt64] = []
    /// A `longjmp` out of a nested guest call, travelling outwards (see ``NestedJump``).
    var pendingJump: PendingJump?
    var faultContext: String?
    var unknownSyscalls = Set<UInt64>()
    /// The host rounding mode library calls run under (the guest's, set through `<fenv.h>`).
    var hostRounding: Int32 = FE_TONEAREST
    /// Time limit of each top-level guest call in microseconds, overriding `options.timeout`.
    var callTimeoutMicros: UInt64?
    /// When the current top-level guest call times out (`CLOCK_MONOTONIC` ns), for the nested
    /// calls inside it: Unicorn's own timer gives up once any nested `uc_emu_start` ends.
    var callDeadline: UInt64?

    /// Creates the engine, maps the address space and loads `image`; throws listing any import
    /// the emulator cannot provide.
    public init(image: LinkImage, options: Options) throws {
        self.image = image
        self.options = options
        self.arch = try guestArch(for: image.machine)
        var engine: OpaquePointer?
        let err = uc_open(arch.ucArch, arch.ucMode, &engine)
        guard err == UC_ERR_OK, let engine else { throw EmulatorError.engine("opening the engine", err) }
        self.uc = engine
        self.memory = AddressSpace(engine: engine)
        try load()
    }

    deinit { uc_close(uc) }

    /// Guest address of the image.
    public var imageBase: UInt64 { layout.imageBase }

    /// A copy of guest memory (nil if any byte is unmapped), for inspection and tests.
    public func guestBytes(_ address: UInt64, _ count: Int) -> [UInt8]? {
        guard let view = try? memory.bytes(address, count) else { return nil }
        return Array(view)
    }

    private func load() throws {
        try arch.prepare(uc)
        hostExceptionBits = arch.floatingPointABI.hostExceptions
        // Bind imports first, so unimplemented ones are reported before anything runs.
        var missing: [String] = []
        var importAddress: [UInt64] = []
        var stubIndex: [String: Int] = [:]
        let heapBase = GuestLayout.pageUp(imageBase + UInt64(image.size)) + 0x10_0000
        try memory.map("heap", at: heapBase, size: layout.heapSize, write: true, execute: false)
        runtime = try LibcRuntime(memory: memory, heapBase: heapBase, heapSize: layout.heapSize,
                                  environment: options.environment, longDoubleIsBinary128: arch.longDoubleIsBinary128)
        runtime.verbose = options.verbose
        runtime.fileSystem = options.fileSystem
        runtime.aarch64OpenFlags = image.machine == .aarch64
        runtime.callGuest = { [unowned self] function, args in try self.callNested(function, args) }
        runtime.programName = String(options.programName.split(separator: "/").last ?? "program")
        for imp in image.imports {
            switch imp.kind {
            case .function:
                if let body = options.extraFunctions[imp.name] ?? processFunction(imp.name) ?? HostLibc.functions[imp.name] {
                    if stubIndex[imp.name] == nil {
                        stubIndex[imp.name] = functions.count
                        functions.append(body)
                        functionNames.append(imp.name)
                        raisesExceptions.append(RuntimeSymbols.all[imp.name]?.library == .libm
                                                && !Self.floatingPointFunctionNames.contains(imp.name))
                    }
                    importAddress.append(layout.trampolineBase + UInt64(stubIndex[imp.name]!) * 16)
                } else {
                    missing.append(imp.name)
                    importAddress.append(0)
                }
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

        // Trampolines.
        let stubs = arch.trapStub
        let trampolineSize = GuestLayout.pageUp(UInt64(functions.count * 16))
        let tramp = try memory.map("trampolines", at: layout.trampolineBase, size: trampolineSize, write: false, execute: true)
        for i in 0..<functions.count {
            stubs.withUnsafeBytes { tramp.host.advanced(by: i * 16).copyMemory(from: $0.baseAddress!, byteCount: 16) }
        }
        trampolineEnd = layout.trampolineBase + UInt64(functions.count * 16)

        // The image, one region per segment with its permissions; the bytes are the LinkImage's.
        for segment in image.segments {
            let p = segment.permissions
            try memory.map("image \(segment.name)", at: imageBase + UInt64(segment.offset), size: UInt64(segment.memorySize),
                           write: p == .readWrite, execute: p == .readExecute)
        }
        for segment in image.segments {
            let end = min(segment.offset + segment.memorySize, image.bytes.count)
            guard end > segment.offset, let dst = memory.loaderHost(imageBase + UInt64(segment.offset)) else { continue }
            image.bytes[segment.offset..<end].withUnsafeBytes { dst.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }

        // TLS block and thread control block (fs:0 self pointer, a stack-protector canary).
        var tlsBlock: UInt64 = 0
        if let t = image.tls {
            tlsBlock = try runtime.allocateZeroed(t.size + t.alignment)
            tlsBlock = (tlsBlock + UInt64(t.alignment) - 1) & ~(UInt64(t.alignment) - 1)
        }
        let tcb = try runtime.allocateZeroed(256)
        try memory.store(tcb, at: tcb)
        try memory.store(UInt64(0x2f8d_3a1c_5b7e_9100), at: tcb + 0x28)
        arch.setThreadPointer(uc, tcb)

        // Fixups (same as the native loader, with the guest base); then the TLS template,
        // which may itself hold relocated pointers, is copied into the block.
        for fixup in image.fixups {
            func slot(_ off: Int) -> UnsafeMutableRawPointer? { memory.loaderHost(imageBase + UInt64(off)) }
            switch fixup {
            case .rebase(let off):
                if let p = slot(off) { p.storeBytes(of: p.loadUnaligned(as: UInt64.self) &+ imageBase, as: UInt64.self) }
            case .importSlot(let off, let i):
                slot(off)?.storeBytes(of: importAddress[i], as: UInt64.self)
            case .importValue(let off, let i, let addend):
                slot(off)?.storeBytes(of: importAddress[i] &+ UInt64(bitPattern: addend), as: UInt64.self)
            case .tlsBlock(let off):
                slot(off)?.storeBytes(of: tlsBlock, as: UInt64.self)
            }
        }
        if let t = image.tls, t.initializedSize > 0, let src = memory.loaderHost(imageBase + UInt64(t.imageOffset)) {
            try memory.host(tlsBlock, t.initializedSize, write: true).copyMemory(from: src, byteCount: t.initializedSize)
        }

        // Stack.
        try memory.map("stack", at: layout.stackTop - layout.stackSize, size: layout.stackSize, write: true, execute: false)

        try installHooks()
    }
}
