import CDirtyPages
import CUnicorn
import CrossRunLibc
import CrossRunLink
#if canImport(Glibc)
import Glibc
#endif

/// The emulated side of `crossrun fuzz`: one guest process initialised once (initializers,
/// `LLVMFuzzerInitialize`), then `LLVMFuzzerTestOneInput` called for each input from that
/// same state. Between inputs every page the guest (or the host C library) wrote is put
/// back, the C library's host state (heap, streams, handlers…) is restored and so are the
/// registers, so no input sees another's effects and start-up never runs again.
///
/// Edge coverage comes from a `UC_HOOK_BLOCK` callback (C) into an AFL-style map. Writes are
/// tracked without any engine hook (which would put every guest store on the engine's slow
/// path): the writable regions' host memory is write-protected in the host, so an input's
/// first write to a page faults once in the host and the page is saved and opened; pages
/// written by almost every input stay open and are compared at each reset (``CDirtyPages``).
/// The input sits at the very end of a read-only mapping, so reading past it or writing to
/// it faults.
package final class FuzzSession {
    /// How one input ended.
    package enum Outcome: Equatable, Sendable {
        case ok
        /// A crash: a short kind (`SEGV`, `heap-buffer-overflow`, `abort`…), what happened
        /// (the fuzzer renders it as `crossrun: PROG: …`, ``FuzzReport``), the faulting PC
        /// and the backtrace (symbolized).
        case crash(kind: String, report: String, frames: [String])
        /// The input ran past the time limit: what happened, rendered the same way.
        case timeout(report: String)
    }

    /// Size of the edge map (a power of two).
    package static let mapSize = 1 << 16

    let process: GuestProcess
    /// The program's name in reports.
    package var programName: String { process.options.programName }
    let testOne: UInt64
    /// The edge counters of the last input.
    package let coverage: UnsafeMutableBufferPointer<UInt8>
    let edges: UnsafeMutablePointer<crossrun_edge_map>
    var trackers: [UnsafeMutablePointer<crossrun_dirty_pages>] = []
    let inputEnd: UInt64
    /// The longest input the session accepts.
    package let maxLength: Int
    let context: OpaquePointer
    var libc: LibcSnapshot?
    let timeoutMicros: UInt64
    let watchdog: UnsafeMutablePointer<crossrun_watchdog>

    /// Loads `image` and installs the instrumentation; ``initialize(arguments:)`` runs start-up.
    /// `timeoutMicros` limits each input; `heapCheck` enables ``HeapChecker``.
    package init(image: LinkImage, options: GuestProcess.Options, maxLength: Int, timeoutMicros: UInt64, heapCheck: Bool) throws {
        process = try GuestProcess(image: image, options: options)
        guard let entry = image.symbol(named: "LLVMFuzzerTestOneInput"), entry.kind != .object, entry.kind != .tls else {
            throw EmulatorError.noEntry("LLVMFuzzerTestOneInput")
        }
        testOne = process.imageBase + UInt64(entry.offset)
        self.maxLength = maxLength
        self.timeoutMicros = timeoutMicros
        process.callTimeoutMicros = 0   // the watchdog below limits each input
        process.runtime.afterForkInChild = nil   // a forked child would run the fuzzing loop too: fork is ENOSYS
        process.runtime.signalDispositionChanged = nil   // the fuzzer's own process keeps its host dispositions
        process.runtime.signalMaskChanged = nil   // and its host signal mask
        watchdog = .allocate(capacity: 1)
        watchdog.initialize(to: crossrun_watchdog())
        watchdog.pointee.uc = process.uc
        guard crossrun_watchdog_start(watchdog) == 0 else { throw EmulatorError.resources("cannot start the watchdog thread") }
        if heapCheck { process.runtime.heapChecker = HeapChecker() }

        coverage = .allocate(capacity: Self.mapSize)
        coverage.initialize(repeating: 0)
        edges = .allocate(capacity: 1)
        edges.initialize(to: crossrun_edge_map(map: coverage.baseAddress, mask: UInt64(Self.mapSize - 1), previous: 0))
        var ctx: OpaquePointer?
        guard uc_context_alloc(process.uc, &ctx) == UC_ERR_OK, let ctx else { throw EmulatorError.resources("cannot allocate a CPU context") }
        context = ctx

        // The input: the end of a read-only region with nothing mapped after it.
        let inputBase: UInt64 = 0x6000_0000_0000
        let inputSize = GuestLayout.pageUp(UInt64(max(maxLength, 1)))
        try process.memory.map("fuzz input", at: inputBase, size: inputSize, write: false, execute: false)
        inputEnd = inputBase + inputSize

        // Instrumentation goes in before any code is translated (hooks do not reach cached blocks).
        let uc = process.uc
        process.useTrappingStubs()   // the edge map stays the only block hook, called directly
        var hook: uc_hook = 0
        let block: @convention(c) (OpaquePointer?, UInt64, UInt32, UnsafeMutableRawPointer?) -> Void = { uc, address, size, user in
            crossrun_edge_hook(uc, address, size, user)
        }
        let imageEnd = process.imageBase + UInt64(image.size)
        let err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_BLOCK.rawValue), unsafeBitCast(block, to: UnsafeMutableRawPointer.self),
                                       UnsafeMutableRawPointer(edges), process.imageBase, imageEnd - 1)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the coverage hook", err) }
        // Write tracking for the regions that exist now (the image's data, heap, stack); the
        // guest cannot unmap or re-protect them. Armed once start-up has run.
        for region in process.memory.regions where region.writable && !region.guestMapping {
            let t = UnsafeMutablePointer<crossrun_dirty_pages>.allocate(capacity: 1)
            guard crossrun_dirty_init(t, region.start, region.size >> 12, region.host) == 0 else {
                t.deallocate()
                throw EmulatorError.resources("cannot reserve memory for fuzzing snapshots")
            }
            trackers.append(t)
            process.memory.setTracker(t, forRegionAt: region.start)
        }
    }

    deinit {
        crossrun_watchdog_stop(watchdog)
        watchdog.deallocate()
        for t in trackers {
            crossrun_dirty_free(t)
            t.deallocate()
        }
        for region in process.memory.regions { process.memory.setTracker(nil, forRegionAt: region.start) }
        uc_context_free(context)
        edges.deallocate()
        coverage.deallocate()
    }

    /// Runs the initializers and `LLVMFuzzerInitialize(&argc, &argv)` if the harness has one,
    /// then takes the snapshot every input starts from. Returns the outcome if start-up failed.
    package func initialize(arguments: [String]) -> Outcome? {
        let (argc, argv, envp) = process.setUpArguments()
        if !process.resolveIndirectFunctions() { return outcome() }
        for slot in process.image.initializers {
            guard let fn = try? process.memory.load(process.imageBase + UInt64(slot), as: UInt64.self), fn != 0, fn != UInt64.max else { continue }
            if process.call(fn, [argc, argv, envp]) == nil { return outcome() }
        }
        if let initialize = process.image.symbol(named: "LLVMFuzzerInitialize"), initialize.kind == .function {
            guard let cells = try? process.runtime.allocateZeroed(16) else { return .crash(kind: "oom", report: "no memory for LLVMFuzzerInitialize's arguments", frames: []) }
            try? process.memory.store(UInt32(truncatingIfNeeded: argc), at: cells)
            try? process.memory.store(argv, at: cells + 8)
            if process.call(process.imageBase + UInt64(initialize.offset), [cells, cells + 8]) == nil { return outcome() }
        }
        process.runtime.flushAll()
        // The state now is the snapshot: write-protect it.
        for t in trackers where crossrun_dirty_arm(t) != 0 {
            return .crash(kind: "resources", report: "cannot write-protect guest memory for fuzzing resets", frames: [])
        }
        libc = process.runtime.snapshot()
        uc_context_save(process.uc, context)
        return nil
    }

    /// Runs one input and puts everything back. `coverage` then holds its edge counts.
    package func run(_ input: [UInt8]) -> Outcome {
        let data = Array(input.prefix(maxLength))
        memset(coverage.baseAddress!, 0, Self.mapSize)
        edges.pointee.previous = 0
        let address = inputEnd - UInt64(data.count)
        if let dst = process.memory.loaderHost(address), !data.isEmpty {
            data.withUnsafeBytes { dst.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
        }
        var result: Outcome = .ok
        crossrun_watchdog_arm(watchdog, Int64(clamping: timeoutMicros))
        let returned = process.call(testOne, [address, UInt64(data.count)])
        crossrun_watchdog_disarm(watchdog)
        if returned == nil {
            result = outcome()
        } else if let checker = process.runtime.heapChecker {
            do {
                try checker.checkAll(process.runtime)
            } catch let e as HeapChecker.Error {
                result = .crash(kind: e.kind, report: "\(e.kind): \(e.detail) (found after the input ran)", frames: [])
            } catch {}
        }
        process.runtime.flushAll()
        reset()
        return result
    }

    /// Restores memory, the C library and the CPU to the snapshot.
    func reset() {
        for t in trackers { crossrun_dirty_restore(t) }
        if let libc { process.runtime.restore(libc) }
        uc_context_restore(process.uc, context)
        process.termination = nil
        process.fault = GuestProcess.FaultRecord()
        process.nested.pendingJump = nil
        process.nested.stackTops = []
        process.floatingPoint.flagsKnownSet = 0   // the restored CPU has the snapshot's exception flags
    }

    /// Classifies the way the last call ended.
    func outcome() -> Outcome {
        let frames = process.backtrace().map { process.describe($0) }
        switch process.termination {
        case .signal(0, _)?:
            let limit = Double(timeoutMicros) / 1e6
            return .timeout(report: "input timed out after \(limit) s at pc \(process.describe(process.arch.pc(process.uc)))")
        case .signal(let sig, let what)?:
            let report = (process.crashOutcome(signal: sig, what: what).report?.text ?? what)
            return .crash(kind: kind(signal: sig, what: what), report: report, frames: frames)
        case .exit(let status)?, .immediateExit(let status)?:
            return .crash(kind: "exit", report: "the fuzz target called exit(\(status))", frames: frames)
        case nil:
            return .crash(kind: "unknown", report: "the run stopped unexpectedly", frames: frames)
        }
    }

    func kind(signal: Int32, what: String) -> String {
        if let colon = what.firstIndex(of: ":"), what.hasPrefix("heap-") || what.hasPrefix("double-free") { return String(what[..<colon]) }
        switch signal {
        case SIGSEGV, SIGBUS:
            let bottom = process.layout.stackTop - process.layout.stackSize
            if let a = process.fault.address, a < bottom, a >= bottom &- (1 << 20) { return "stack-overflow" }
            if let a = process.fault.address, a >= inputEnd, a < inputEnd + 4096 { return "input-overflow" }
            return "SEGV"
        case SIGABRT: return "abort"
        case SIGILL: return "illegal-instruction"
        case SIGFPE: return "FPE"
        case SIGTRAP: return "trap"
        default: return "signal-\(signal)"
        }
    }
}
