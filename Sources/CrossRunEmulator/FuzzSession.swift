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
/// Edge coverage comes from a `UC_HOOK_BLOCK` callback into an AFL-style map; writes are
/// tracked by a `UC_HOOK_MEM_WRITE` callback per writable region (both in C). The input sits
/// at the very end of a read-only mapping, so reading past it or writing to it faults.
public final class FuzzSession {
    /// How one input ended.
    public enum Outcome: Equatable, Sendable {
        case ok
        /// A crash: a short kind (`SEGV`, `heap-buffer-overflow`, `abort`…), the one-line
        /// report, the faulting PC and the backtrace (symbolized).
        case crash(kind: String, report: String, frames: [String])
        case timeout(report: String)
    }

    /// Size of the edge map (a power of two).
    public static let mapSize = 1 << 16

    let process: GuestProcess
    let testOne: UInt64
    /// The edge counters of the last input.
    public let coverage: UnsafeMutableBufferPointer<UInt8>
    let edges: UnsafeMutablePointer<crossrun_edge_map>
    var trackers: [UnsafeMutablePointer<crossrun_dirty_pages>] = []
    let inputEnd: UInt64
    /// The longest input the session accepts.
    public let maxLength: Int
    let context: OpaquePointer
    var libc: LibcSnapshot?
    let timeoutMicros: UInt64
    let watchdog: UnsafeMutablePointer<crossrun_watchdog>

    /// Loads `image` and installs the instrumentation; ``initialize(arguments:)`` runs start-up.
    /// `timeoutMicros` limits each input; `heapCheck` enables ``HeapChecker``.
    public init(image: LinkImage, options: GuestProcess.Options, maxLength: Int, timeoutMicros: UInt64, heapCheck: Bool) throws {
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
        var hook: uc_hook = 0
        let block: @convention(c) (OpaquePointer?, UInt64, UInt32, UnsafeMutableRawPointer?) -> Void = { uc, address, size, user in
            crossrun_edge_hook(uc, address, size, user)
        }
        let imageEnd = process.imageBase + UInt64(image.size)
        var err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_BLOCK.rawValue), unsafeBitCast(block, to: UnsafeMutableRawPointer.self),
                                       UnsafeMutableRawPointer(edges), process.imageBase, imageEnd - 1)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the coverage hook", err) }
        let write: @convention(c) (OpaquePointer?, uc_mem_type, UInt64, Int32, Int64, UnsafeMutableRawPointer?) -> Bool = { uc, type, address, size, value, user in
            crossrun_dirty_hook(uc, type, address, size, value, user)
        }
        for region in process.memory.regions where region.writable {
            let pages = region.size >> 12
            guard let saved = mmap(nil, Int(region.size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
                  saved != MAP_FAILED else { throw EmulatorError.resources("cannot reserve memory for fuzzing snapshots") }
            let dirty = UnsafeMutablePointer<UInt8>.allocate(capacity: Int(pages))
            dirty.initialize(repeating: 0, count: Int(pages))
            let list = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(pages))
            let t = UnsafeMutablePointer<crossrun_dirty_pages>.allocate(capacity: 1)
            t.initialize(to: crossrun_dirty_pages(base: region.start, pages: pages, host: region.host.assumingMemoryBound(to: UInt8.self),
                                                  saved: saved.assumingMemoryBound(to: UInt8.self), dirty: dirty, list: list, count: 0))
            trackers.append(t)
            process.memory.setTracker(t, forRegionAt: region.start)
            err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_MEM_WRITE.rawValue), unsafeBitCast(write, to: UnsafeMutableRawPointer.self),
                                       UnsafeMutableRawPointer(t), region.start, region.start + region.size - 1)
            guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the write-tracking hook", err) }
        }
    }

    deinit {
        crossrun_watchdog_stop(watchdog)
        watchdog.deallocate()
        for t in trackers {
            munmap(t.pointee.saved, Int(t.pointee.pages << 12))
            t.pointee.dirty.deallocate()
            t.pointee.list.deallocate()
            t.deallocate()
        }
        for region in process.memory.regions { process.memory.setTracker(nil, forRegionAt: region.start) }
        uc_context_free(context)
        edges.deallocate()
        coverage.deallocate()
    }

    /// Runs the initializers and `LLVMFuzzerInitialize(&argc, &argv)` if the harness has one,
    /// then takes the snapshot every input starts from. Returns the outcome if start-up failed.
    public func initialize(arguments: [String]) -> Outcome? {
        let (argc, argv, envp) = process.setUpArguments()
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
        // The state now is the snapshot: forget what start-up wrote.
        for t in trackers {
            for i in 0..<Int(t.pointee.count) { t.pointee.dirty[Int(t.pointee.list[i])] = 0 }
            t.pointee.count = 0
        }
        libc = process.runtime.snapshot()
        uc_context_save(process.uc, context)
        return nil
    }

    /// Runs one input and puts everything back. `coverage` then holds its edge counts.
    public func run(_ input: [UInt8]) -> Outcome {
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
                result = .crash(kind: e.kind, report: "crossrun: \(process.options.programName): \(e.kind): \(e.detail) (found after the input ran)", frames: [])
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
        process.faultAddress = nil
        process.faultPC = nil
        process.faultContext = nil
        process.faultFunction = nil
        process.pendingJump = nil
        process.nestedStackTops = []
        process.flagsKnownSet = 0   // the restored CPU has the snapshot's exception flags
    }

    /// Classifies the way the last call ended.
    func outcome() -> Outcome {
        let frames = process.backtrace().map { process.describe($0) }
        switch process.termination {
        case .signal(0, _)?:
            let limit = Double(timeoutMicros) / 1e6
            return .timeout(report: "crossrun: \(process.options.programName): input timed out after \(limit) s at pc \(process.describe(process.arch.pc(process.uc)))")
        case .signal(let sig, let what)?:
            let report = process.crashOutcome(signal: sig, what: what).report ?? what
            return .crash(kind: kind(signal: sig, what: what), report: report, frames: frames)
        case .exit(let status)?, .immediateExit(let status)?:
            return .crash(kind: "exit", report: "crossrun: \(process.options.programName): the fuzz target called exit(\(status))", frames: frames)
        case nil:
            return .crash(kind: "unknown", report: "crossrun: \(process.options.programName): the run stopped unexpectedly", frames: frames)
        }
    }

    func kind(signal: Int32, what: String) -> String {
        if let colon = what.firstIndex(of: ":"), what.hasPrefix("heap-") || what.hasPrefix("double-free") { return String(what[..<colon]) }
        switch signal {
        case SIGSEGV, SIGBUS:
            let bottom = process.layout.stackTop - process.layout.stackSize
            if let a = process.faultAddress, a < bottom, a >= bottom &- (1 << 20) { return "stack-overflow" }
            if let a = process.faultAddress, a >= inputEnd, a < inputEnd + 4096 { return "input-overflow" }
            return "SEGV"
        case SIGABRT: return "abort"
        case SIGILL: return "illegal-instruction"
        case SIGFPE: return "FPE"
        case SIGTRAP: return "trap"
        default: return "signal-\(signal)"
        }
    }
}
