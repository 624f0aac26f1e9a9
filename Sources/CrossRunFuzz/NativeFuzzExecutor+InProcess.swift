import CNativeSupport
import CrossRunEmulator
import CrossRunNative
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs inputs by calling the harness directly, in the forked fuzzing process.
final class InProcessRunner: FuzzExecutor {
    let owner: NativeFuzzExecutor
    let testOne: crossrun_fuzz_test_one
    let inputArea: UnsafeMutableRawPointer
    var coverage: UnsafeMutableBufferPointer<UInt8> { owner.coverage }
    var programName: String { owner.programName }

    init(owner: NativeFuzzExecutor, testOne: crossrun_fuzz_test_one) {
        self.owner = owner
        self.testOne = testOne
        inputArea = UnsafeMutableRawPointer(owner.shared).advanced(by: crossrun_fuzz_input_offset())
    }

    func run(_ input: [UInt8]) -> FuzzSession.Outcome {
        let size = min(input.count, owner.maxLength)
        input.withUnsafeBytes { if let b = $0.baseAddress { inputArea.copyMemory(from: b, byteCount: size) } }
        memset(coverage.baseAddress!, 0, coverage.count)
        owner.shared.pointee.current_size = UInt64(size)
        owner.shared.pointee.executions += 1
        let started = crossrun_fuzz_now_ns()
        owner.shared.pointee.started_ns = started
        // The harness gets its own copy, at the end of a mapping before a guard page.
        let data = owner.inputWindow.advanced(by: owner.inputWindowSize - size)
        data.copyMemory(from: inputArea, byteCount: size)
        _ = testOne(data.assumingMemoryBound(to: UInt8.self), size)
        owner.shared.pointee.started_ns = 0
        owner.shared.pointee.slowest_ns = max(owner.shared.pointee.slowest_ns, crossrun_fuzz_now_ns() - started)
        owner.harvestComparisons()
        return .ok
    }
}

extension NativeFuzzExecutor {
    /// The whole fuzzing loop natively, as libFuzzer runs it: in a forked process that calls
    /// the harness directly (no round trip per input). This process watches it: when it dies
    /// the input it was running is in shared memory and becomes the artifact; when an input
    /// runs past the time limit it is killed.
    package func fuzz(options: FuzzOptions, corpusDirectory: String?, seeds: [[UInt8]], targetName: String) throws -> Fuzzer.Result {
        shared.pointee.finished = 0
        shared.pointee.started_ns = 0
        shared.pointee.executions = 0
        shared.pointee.new_units = 0
        shared.pointee.slowest_ns = 0
        let began = Fuzzer.now()
        fflush(nil)
        let pid = fork()
        guard pid >= 0 else { throw FuzzError.startupFailed("cannot fork the fuzzing process") }
        if pid == 0 {
            let testOne = startHarness()
            withUnsafeMutablePointer(to: &shared.pointee.report) {
                crossrun_native_set_report_copy(UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            let runner = InProcessRunner(owner: self, testOne: testOne)
            do {
                let fuzzer = try Fuzzer(executor: runner, options: options, comparisons: comparisons,
                                        corpusDirectory: corpusDirectory, targetName: targetName)
                let shared = self.shared
                fuzzer.onNewUnit = { shared.pointee.new_units += 1 }
                _ = fuzzer.run(seeds: seeds)
                fflush(nil)
                shared.pointee.finished = 1
                _exit(0)
            } catch {
                fputs("crossrun: error: \(error)\n", StandardStreams.error)
                _exit(1)
            }
        }
        var status: Int32 = 0
        var timedOut = false
        while true {
            if waitpid(pid, &status, WNOHANG) == pid { break }
            let started = shared.pointee.started_ns
            if started != 0 && Double(crossrun_fuzz_now_ns() - started) / 1e9 > timeout {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                timedOut = true
                break
            }
            usleep(10_000)
        }
        if shared.pointee.finished == 1 { return .finished }
        // The fuzzing process died: its counters are in shared memory.
        if options.printFinalStats {
            Fuzzer.printFinalStats(executions: Int(shared.pointee.executions), seconds: Fuzzer.now() - began,
                                   newUnits: Int(shared.pointee.new_units), slowest: Double(shared.pointee.slowest_ns) / 1e9)
        }
        let input = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(shared).advanced(by: crossrun_fuzz_input_offset()),
                                                 count: Int(min(shared.pointee.current_size, UInt64(maxLength)))))
        if timedOut {
            return Fuzzer.saveArtifact(kind: "timeout", prefix: "timeout-", input: input,
                                       report: "input timed out after \(timeout) s", frames: [], program: programName,
                                       artifactPrefix: options.artifactPrefix, target: targetName, executions: "\(shared.pointee.executions)")
        }
        let copy = withUnsafeBytes(of: shared.pointee.report) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let lines = copy.split(separator: "\n")
        let report = lines.first.map(String.init) ?? ""
        let (kind, text) = classify(status: status, report: report.isEmpty ? nil : report, heapLine: report.hasPrefix("crossrun fuzz heap: ") ? report : nil)
        return Fuzzer.saveArtifact(kind: kind, prefix: "crash-", input: input, report: text, frames: Self.frames(in: lines), program: programName,
                                   artifactPrefix: options.artifactPrefix, target: targetName, executions: "\(shared.pointee.executions)")
    }
}
