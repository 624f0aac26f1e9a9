import CNativeSupport
import CrossRunEmulator
import CrossRunLink
import CrossRunNative
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// Native fuzzing on an x86-64 host: the harness, built with
/// `-fsanitize-coverage=trace-pc-guard,trace-cmp`, runs at full speed in a forked worker
/// process that executes inputs in a loop (a fork server in persistent mode). Coverage and
/// comparison operands land in memory shared with this process; a crash or a hang kills only
/// the worker, whose crash report is read back, and the next input starts a fresh one.
package final class NativeFuzzExecutor: FuzzExecutor {
    /// Compile flags for a native fuzz target.
    package static let compileFlags = ["-fsanitize-coverage=trace-pc-guard,trace-cmp", "-fno-omit-frame-pointer"]

    /// The symbols the native image binds to CrossRun's own callbacks and wrappers.
    package static var overrides: [String: UInt64] {
        func address<T>(_ f: T) -> UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(f, to: UnsafeRawPointer.self))) }
        let cmp1: @convention(c) (UInt8, UInt8) -> Void = __sanitizer_cov_trace_cmp1
        let cmp2: @convention(c) (UInt16, UInt16) -> Void = __sanitizer_cov_trace_cmp2
        let cmp4: @convention(c) (UInt32, UInt32) -> Void = __sanitizer_cov_trace_cmp4
        let cmp8: @convention(c) (UInt64, UInt64) -> Void = __sanitizer_cov_trace_cmp8
        let const1: @convention(c) (UInt8, UInt8) -> Void = __sanitizer_cov_trace_const_cmp1
        let const2: @convention(c) (UInt16, UInt16) -> Void = __sanitizer_cov_trace_const_cmp2
        let const4: @convention(c) (UInt32, UInt32) -> Void = __sanitizer_cov_trace_const_cmp4
        let const8: @convention(c) (UInt64, UInt64) -> Void = __sanitizer_cov_trace_const_cmp8
        let sw: @convention(c) (UInt64, UnsafeMutablePointer<UInt64>?) -> Void = __sanitizer_cov_trace_switch
        let guardInit: @convention(c) (UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<UInt32>?) -> Void = __sanitizer_cov_trace_pc_guard_init
        let guardHit: @convention(c) (UnsafeMutablePointer<UInt32>?) -> Void = __sanitizer_cov_trace_pc_guard
        let memcmp: @convention(c) (UnsafeRawPointer?, UnsafeRawPointer?, Int) -> Int32 = crossrun_fuzz_memcmp
        let bcmp: @convention(c) (UnsafeRawPointer?, UnsafeRawPointer?, Int) -> Int32 = crossrun_fuzz_bcmp
        let strcmp: @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32 = crossrun_fuzz_strcmp
        let strncmp: @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int) -> Int32 = crossrun_fuzz_strncmp
        let strcasecmp: @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32 = crossrun_fuzz_strcasecmp
        let strstr: @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? = crossrun_fuzz_strstr
        return ["__sanitizer_cov_trace_cmp1": address(cmp1), "__sanitizer_cov_trace_cmp2": address(cmp2),
                "__sanitizer_cov_trace_cmp4": address(cmp4), "__sanitizer_cov_trace_cmp8": address(cmp8),
                "__sanitizer_cov_trace_const_cmp1": address(const1), "__sanitizer_cov_trace_const_cmp2": address(const2),
                "__sanitizer_cov_trace_const_cmp4": address(const4), "__sanitizer_cov_trace_const_cmp8": address(const8),
                "__sanitizer_cov_trace_switch": address(sw), "__sanitizer_cov_trace_pc_guard_init": address(guardInit),
                "__sanitizer_cov_trace_pc_guard": address(guardHit), "memcmp": address(memcmp), "bcmp": address(bcmp),
                "strcmp": address(strcmp), "strncmp": address(strncmp), "strcasecmp": address(strcasecmp), "strstr": address(strstr)]
    }

    /// malloc & co. bound to the native heap checker.
    package static var heapCheckerOverrides: [String: UInt64] {
        func address<T>(_ f: T) -> UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(f, to: UnsafeRawPointer.self))) }
        let malloc: @convention(c) (Int) -> UnsafeMutableRawPointer? = crossrun_fuzz_malloc
        let calloc: @convention(c) (Int, Int) -> UnsafeMutableRawPointer? = crossrun_fuzz_calloc
        let realloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = crossrun_fuzz_realloc
        let free: @convention(c) (UnsafeMutableRawPointer?) -> Void = crossrun_fuzz_free
        return ["malloc": address(malloc), "calloc": address(calloc), "realloc": address(realloc), "free": address(free)]
    }

    let loaded: NativeImage
    package let programName: String
    let arguments: [String]
    let maxLength: Int
    let timeout: Double
    let comparisons: ComparisonTable?
    let heapCheck: Bool
    let shared: UnsafeMutablePointer<crossrun_fuzz_shared>
    let sharedSize: Int
    package let coverage: UnsafeMutableBufferPointer<UInt8>
    /// The worker's stderr: an unlinked file read back after each input.
    let errorFile: Int32
    var worker: pid_t = 0
    var commandFd: Int32 = -1, replyFd: Int32 = -1
    var comparisonsSeen: UInt64 = 0
    /// The harness's copy of each input goes at the end of this mapping (in the child).
    var inputWindow: UnsafeMutableRawPointer!
    var inputWindowSize = 0

    package init(image: LinkImage, programName: String, arguments: [String], maxLength: Int, timeout: Double,
                comparisons: ComparisonTable?, heapCheck: Bool) throws {
        loaded = try NativeImage(image, overrides: heapCheck ? Self.overrides.merging(Self.heapCheckerOverrides) { a, _ in a } : Self.overrides)
        self.heapCheck = heapCheck
        guard loaded.address(of: "LLVMFuzzerTestOneInput") != nil else { throw FuzzError.startupFailed("no LLVMFuzzerTestOneInput in the program") }
        self.programName = programName
        self.arguments = arguments
        self.maxLength = maxLength
        self.timeout = timeout
        self.comparisons = comparisons
        sharedSize = max(MemoryLayout<crossrun_fuzz_shared>.stride, crossrun_fuzz_input_offset()) + maxLength
        guard let m = mmap(nil, sharedSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0), m != MAP_FAILED else {
            throw FuzzError.startupFailed("cannot map \(sharedSize) bytes of shared memory")
        }
        shared = m.bindMemory(to: crossrun_fuzz_shared.self, capacity: 1)
        coverage = UnsafeMutableBufferPointer(start: m.assumingMemoryBound(to: UInt8.self), count: Int(CROSSRUN_FUZZ_MAP_SIZE))
        var template = Array("/tmp/crossrun-fuzz-XXXXXX".utf8CString)
        errorFile = mkstemp(&template)
        guard errorFile >= 0 else { throw FuzzError.startupFailed("cannot create a temporary file for the worker's output") }
        unlink(template)
        signal(SIGPIPE, SIG_IGN)   // a dead worker must not kill the fuzzer through its pipe
    }

    deinit {
        stopWorker()
        close(errorFile)
        munmap(shared, sharedSize)
    }

    func stopWorker() {
        guard worker > 0 else { return }
        close(commandFd)
        kill(worker, SIGKILL)
        var status: Int32 = 0
        waitpid(worker, &status, 0)
        close(replyFd)
        worker = 0
    }

    /// In a forked child: the crash reporter, coverage and comparison callbacks, the heap
    /// checker, the initializers and `LLVMFuzzerInitialize`; returns the harness entry.
    func startHarness() -> crossrun_fuzz_test_one {
        NativeRunner.installCrashReporter(loaded, programName: programName)
        crossrun_native_set_backtrace(1)
        crossrun_fuzz_attach(shared)
        if heapCheck { crossrun_fuzz_enable_heap_checker() }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        inputWindowSize = max((maxLength + page - 1) / page * page, page)
        guard let window = mmap(nil, inputWindowSize + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), window != MAP_FAILED else { _exit(111) }
        mprotect(window.advanced(by: inputWindowSize), page, PROT_NONE)
        inputWindow = window
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: arguments.count + 1)
        for (i, a) in arguments.enumerated() { argv[i] = strdup(a) }
        argv[arguments.count] = nil
        loaded.resolveIndirectFunctions()
        typealias Initializer = @convention(c) (Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Void
        for slot in loaded.image.initializers {
            let raw = loaded.base.advanced(by: slot).load(as: UInt.self)
            guard raw != 0, raw != UInt.max, let p = UnsafeRawPointer(bitPattern: raw) else { continue }
            unsafeBitCast(p, to: Initializer.self)(Int32(arguments.count), argv, environ)
        }
        if let initialize = loaded.address(of: "LLVMFuzzerInitialize") {
            typealias Initialize = @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32
            var argc = Int32(arguments.count)
            var argvp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
            _ = unsafeBitCast(initialize, to: Initialize.self)(&argc, &argvp)
        }
        guard let testOne = loaded.address(of: "LLVMFuzzerTestOneInput") else { _exit(111) }
        return unsafeBitCast(testOne, to: crossrun_fuzz_test_one.self)
    }

    /// Forks the worker for ``run(_:)``: the harness started, then the input loop.
    func spawn() throws {
        var command: [Int32] = [0, 0], reply: [Int32] = [0, 0]
        guard pipe(&command) == 0, pipe(&reply) == 0 else { throw FuzzError.startupFailed("cannot create pipes") }
        fflush(nil)
        let pid = fork()
        guard pid >= 0 else { throw FuzzError.startupFailed("cannot fork the worker") }
        if pid == 0 {
            close(command[1]); close(reply[0])
            dup2(errorFile, 2)
            let testOne = startHarness()
            crossrun_fuzz_worker(command[0], reply[1], testOne, maxLength, inputWindow.assumingMemoryBound(to: UInt8.self), inputWindowSize)
        }
        close(command[0]); close(reply[1])
        worker = pid
        commandFd = command[1]
        replyFd = reply[0]
    }

    package func run(_ input: [UInt8]) -> FuzzSession.Outcome {
        if worker == 0 {
            do { try spawn() } catch { return .crash(kind: "startup", report: "\(error)", frames: []) }
        }
        let data = Array(input.prefix(maxLength))
        let inputArea = UnsafeMutableRawPointer(shared).advanced(by: crossrun_fuzz_input_offset())
        data.withUnsafeBytes { if let b = $0.baseAddress { inputArea.copyMemory(from: b, byteCount: data.count) } }
        memset(coverage.baseAddress!, 0, coverage.count)
        var size = UInt32(data.count)
        var outcome: FuzzSession.Outcome = .ok
        if write(commandFd, &size, 4) != 4 {
            outcome = workerDied()
        } else {
            var poller = pollfd(fd: replyFd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: Int(timeout * 1000)))
            var done: UInt8 = 0
            if ready == 0 {
                stopWorker()
                outcome = .timeout(report: "input timed out after \(timeout) s")
            } else if read(replyFd, &done, 1) != 1 {
                outcome = workerDied()
            }
        }
        harvestComparisons()
        forwardWorkerOutput(keepReport: false)
        return outcome
    }

    /// The worker is gone: its exit status and crash report say how.
    func workerDied() -> FuzzSession.Outcome {
        var status: Int32 = 0
        close(commandFd)
        waitpid(worker, &status, 0)
        close(replyFd)
        worker = 0
        let output = forwardWorkerOutput(keepReport: true)
        let lines = output.split(separator: "\n")
        let (kind, text) = classify(status: status, report: lines.last { $0.hasPrefix("crossrun: ") }.map(String.init),
                                    heapLine: lines.last { $0.hasPrefix("crossrun fuzz heap: ") }.map(String.init))
        return .crash(kind: kind, report: text, frames: Self.frames(in: lines))
    }

    /// The backtrace lines (`    #N 0x… (symbol+0x…)`) of a crash report, without their numbers.
    static func frames<S: StringProtocol>(in lines: [S]) -> [String] {
        lines.filter { $0.hasPrefix("    #") }.map { line in
            let body = line.drop { $0 == " " || $0 == "#" }.drop { $0.isNumber }
            return String(body.drop { $0 == " " })
        }
    }

    /// The kind and report of a worker that ended with wait status `status`.
    func classify(status: Int32, report: String?, heapLine: String?) -> (String, String) {
        for k in ["heap-buffer-overflow", "heap-use-after-free", "double-free"] {
            if heapLine?.contains(k + ":") == true || report?.contains("[\(k)]") == true {
                // The in-process runner's report may be the heap line itself: print it once.
                let lines = [report.map { FuzzReport.detail($0, program: programName) }, heapLine == report ? nil : heapLine]
                return (k, lines.compactMap { $0 }.joined(separator: "\n"))
            }
        }
        let exitCode = (status >> 8) & 0xff, signalNumber = status & 0x7f
        let code = signalNumber != 0 ? 128 + signalNumber : exitCode
        let kind: String
        switch code - 128 {
        case SIGSEGV, SIGBUS: kind = "SEGV"
        case SIGABRT: kind = "abort"
        case SIGILL: kind = "illegal-instruction"
        case SIGFPE: kind = "FPE"
        case SIGTRAP: kind = "trap"
        case SIGKILL: kind = "killed"
        default: kind = code < 128 ? "exit" : "signal-\(code - 128)"
        }
        let text = report.map { FuzzReport.detail($0, program: programName) }
            ?? (kind == "exit" ? "the fuzz target called exit(\(exitCode))" : "the fuzzing process ended with status \(code)")
        return (kind, text)
    }

    /// Copies what the worker wrote to stderr to ours (minus a crash report when `keepReport`
    /// is set, which the caller prints) and empties the file.
    @discardableResult
    func forwardWorkerOutput(keepReport: Bool) -> String {
        let size = lseek(errorFile, 0, SEEK_END)
        guard size > 0 else { return "" }
        var bytes = [UInt8](repeating: 0, count: Int(min(size, 1 << 20)))
        let n = pread(errorFile, &bytes, bytes.count, 0)
        ftruncate(errorFile, 0)
        lseek(errorFile, 0, SEEK_SET)
        let text = String(decoding: bytes.prefix(max(n, 0)), as: UTF8.self)
        let shown = keepReport ? text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("crossrun: ") && !$0.hasPrefix("crossrun fuzz heap: ") && !$0.hasPrefix("    #") }.joined(separator: "\n") : text
        if !shown.isEmpty { fputs(shown, StandardStreams.error) }
        return text
    }

    /// Moves the comparisons the worker recorded into the table.
    func harvestComparisons() {
        guard let comparisons else { return }
        let count = shared.pointee.cmp_count
        let slots = UInt64(CROSSRUN_FUZZ_CMP_SLOTS)
        let first = max(comparisonsSeen, count > slots ? count - slots : 0)
        guard first < count else { comparisonsSeen = count; return }
        withUnsafeMutablePointer(to: &shared.pointee.cmps) { tuple in
            tuple.withMemoryRebound(to: crossrun_fuzz_comparison.self, capacity: Int(slots)) { cmps in
                for i in first..<count {
                    let c = cmps[Int(i % slots)]
                    if c.width > 0 {
                        comparisons.recordInteger(c.a, c.b, width: Int(c.width))
                    } else {
                        let n = Int(c.length)
                        let a = withUnsafeBytes(of: c.bytes_a) { Array($0.prefix(n)) }
                        let b = withUnsafeBytes(of: c.bytes_b) { Array($0.prefix(n)) }
                        comparisons.record(a, b)
                    }
                }
            }
        }
        comparisonsSeen = count
    }
}
