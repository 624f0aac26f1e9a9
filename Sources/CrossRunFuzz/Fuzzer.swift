import CNativeSupport
import CrossRunEmulator
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// What runs one input: the emulator's ``FuzzSession`` (or any other backend).
package protocol FuzzExecutor: AnyObject {
    /// The program's name in reports (`crossrun: PROG: …`).
    var programName: String { get }
    /// Runs `input` from the initial state and leaves its edge counts in ``coverage``.
    func run(_ input: [UInt8]) -> FuzzSession.Outcome
    var coverage: UnsafeMutableBufferPointer<UInt8> { get }
}

extension FuzzSession: FuzzExecutor {}

/// libFuzzer-style options (`-runs=N -max_total_time=S -seed=N -max_len=N -timeout=S
/// -dict=FILE -only_ascii=1 -artifact_prefix=P -print_final_stats=1 -merge=1 -jobs=N
/// -workers=M -fork=N -reload=S`).
package struct FuzzOptions: Sendable {
    /// Inputs to run (-1: no limit).
    package var runs = -1
    /// Seconds before stopping (0: no limit).
    package var maxTotalTime = 0
    package var seed: UInt64 = 0
    package var maxLength = 4096
    /// Seconds one input may run.
    package var timeout = 10.0
    package var dictionary: String?
    package var onlyASCII = false
    package var artifactPrefix = "./"
    /// libFuzzer's exit statuses for a crash and for a timeout.
    package var errorExitCode: Int32 = 77
    package var timeoutExitCode: Int32 = 70
    /// `-merge=1`: merge the other corpus directories into the first instead of fuzzing.
    package var merge = false
    /// `-jobs=N`: run N fuzzing processes (`-workers=M` at a time), each logging to `fuzz-K.log`.
    package var jobs = 0
    package var workers = 0
    /// `-fork=N`: fuzz in N child processes at once, stopping at the first crash.
    package var fork = 0
    /// `-print_final_stats=1`: libFuzzer's `stat::` lines at the end.
    package var printFinalStats = false
    /// Seconds between re-reads of the corpus directory for inputs other processes saved (0: never).
    package var reload = 1

    package init() {}

    /// Parses one `-name=value` flag; false if `text` is not one.
    package mutating func parse(_ text: String) throws -> Bool {
        guard text.hasPrefix("-"), !text.hasPrefix("--"), let eq = text.firstIndex(of: "=") else { return false }
        let name = String(text[text.index(after: text.startIndex)..<eq]), value = String(text[text.index(after: eq)...])
        func int() throws -> Int {
            guard let v = Int(value) else { throw FuzzError.badFlag("-\(name)=\(value): expected an integer") }
            return v
        }
        switch name {
        case "runs": runs = try int()
        case "max_total_time": maxTotalTime = try int()
        case "seed":
            guard let v = UInt64(value) else { throw FuzzError.badFlag("-seed=\(value): expected a non-negative integer") }
            seed = v
        case "max_len":
            let v = try int()
            guard v > 0 && v <= 1 << 24 else { throw FuzzError.badFlag("-max_len=\(value): expected 1…16777216") }
            maxLength = v
        case "timeout":
            guard let v = Double(value), v > 0 else { throw FuzzError.badFlag("-timeout=\(value): expected seconds > 0") }
            timeout = v
        case "dict": dictionary = value
        case "only_ascii": onlyASCII = try int() != 0
        case "artifact_prefix": artifactPrefix = value
        case "error_exitcode": errorExitCode = Int32(truncatingIfNeeded: try int())
        case "timeout_exitcode": timeoutExitCode = Int32(truncatingIfNeeded: try int())
        case "merge": merge = try int() != 0
        case "print_final_stats": printFinalStats = try int() != 0
        case "jobs", "workers", "fork", "reload":
            let v = try int()
            guard v >= 0 && v <= 4096 else { throw FuzzError.badFlag("-\(name)=\(value): expected 0…4096") }
            switch name {
            case "jobs": jobs = v
            case "workers": workers = v
            case "fork": fork = v
            default: reload = v
            }
        default:
            throw FuzzError.badFlag("-\(name): unknown fuzzing flag (known: -runs -max_total_time -seed -max_len -timeout -dict -only_ascii -artifact_prefix -error_exitcode -timeout_exitcode -merge -jobs -workers -fork -reload -print_final_stats)")
        }
        return true
    }
}

/// The fuzzing loop: corpus, coverage features, mutation, status lines and artifacts.
package final class Fuzzer {
    package let executor: FuzzExecutor
    package var options: FuzzOptions
    package let comparisons: ComparisonTable?
    /// Where new inputs are saved (the first corpus directory), if any.
    package let corpusDirectory: String?
    /// Describes the target in reports, e.g. `rv64/emu`.
    package let targetName: String

    package private(set) var corpus: [[UInt8]] = []
    var seenFeatures = [UInt64](repeating: 0, count: FuzzSession.mapSize * 8 / 64)
    var seenEdges = [UInt64](repeating: 0, count: FuzzSession.mapSize / 64)
    package private(set) var edgeCount = 0
    package private(set) var featureCount = 0
    package private(set) var executions = 0
    var random: FuzzRandom
    var mutator: Mutator
    let start = Fuzzer.now()
    var nextPulse = 1
    /// New corpus inputs the corpus directory refused.
    package private(set) var unsavedInputs = 0
    /// Inputs added to the corpus after start-up, and the longest run of one input (seconds).
    package private(set) var newUnits = 0
    package private(set) var slowestUnit = 0.0
    /// Called for each input added after start-up (the native loop counts them in shared memory).
    package var onNewUnit: (() -> Void)?
    /// Names of the corpus directory's files already run or written (see ``reloadCorpus()``).
    var knownFiles = Set<String>()
    var lastReload = Fuzzer.now()
    /// Scratch for the coverage scan: indices of the map's non-zero words.
    let nonzeroWords = UnsafeMutablePointer<UInt32>.allocate(capacity: FuzzSession.mapSize / 8)

    /// The end of a fuzzing session.
    package enum Result: Equatable {
        case finished
        /// A crash or timeout, with the artifact written.
        case found(kind: String, artifact: String, input: [UInt8], report: String)
    }

    package init(executor: FuzzExecutor, options: FuzzOptions, comparisons: ComparisonTable?, corpusDirectory: String?, targetName: String) throws {
        self.executor = executor
        self.options = options
        self.comparisons = comparisons
        self.corpusDirectory = corpusDirectory
        self.targetName = targetName
        random = FuzzRandom(seed: options.seed)
        mutator = Mutator(maxLength: options.maxLength)
        mutator.onlyASCII = options.onlyASCII
        if let dict = options.dictionary {
            mutator.dictionary = try Mutator.parseDictionary(try FileIO.read(dict), file: dict)
        }
        // Its files at the start are among the seeds.
        if let dir = corpusDirectory { knownFiles = Set(FuzzFiles.files(in: dir).map { String($0.split(separator: "/").last ?? "") }) }
    }

    deinit { nonzeroWords.deallocate() }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Adds the coverage of the last run to the totals; true if it showed anything new.
    /// (Scans the 64 KiB map a word at a time through raw pointers: this runs once per input.)
    func absorbCoverage() -> Bool {
        var new = false
        var features = featureCount, edges = edgeCount
        let map = UnsafeRawBufferPointer(executor.coverage)
        seenFeatures.withUnsafeMutableBufferPointer { seenF in
            seenEdges.withUnsafeMutableBufferPointer { seenE in
                let found = crossrun_fuzz_nonzero_words(map.baseAddress!.assumingMemoryBound(to: UInt64.self), map.count / 8, nonzeroWords)
                for k in 0..<found {
                    let w = Int(nonzeroWords[k])
                    let word = map.loadUnaligned(fromByteOffset: w * 8, as: UInt64.self)
                    for b in 0..<8 {
                        let count = UInt8(truncatingIfNeeded: word >> UInt64(8 * b))
                        if count == 0 { continue }
                        let i = w * 8 + b
                        let bucket: Int = count == 1 ? 0 : count == 2 ? 1 : count == 3 ? 2 : count < 8 ? 3 : count < 16 ? 4 : count < 32 ? 5 : count < 128 ? 6 : 7
                        let feature = i * 8 + bucket
                        let fBit = UInt64(1) << UInt64(feature & 63)
                        if seenF[feature >> 6] & fBit == 0 {
                            seenF[feature >> 6] |= fBit
                            features += 1
                            new = true
                        }
                        let eBit = UInt64(1) << UInt64(i & 63)
                        if seenE[i >> 6] & eBit == 0 {
                            seenE[i >> 6] |= eBit
                            edges += 1
                        }
                    }
                }
            }
        }
        featureCount = features
        edgeCount = edges
        return new
    }

    /// Runs one input and handles its outcome; returns a result when fuzzing must stop.
    func execute(_ input: [UInt8], event: String?) -> Result? {
        executions += 1
        let began = Fuzzer.now()
        let outcome = executor.run(input)
        slowestUnit = max(slowestUnit, Fuzzer.now() - began)
        switch outcome {
        case .ok:
            if absorbCoverage() {
                corpus.append(input)
                saveToCorpus(input)
                if let event {
                    newUnits += 1
                    onNewUnit?()
                    status(event)
                }
            } else if executions >= nextPulse {
                status("pulse ")
            }
            if executions >= nextPulse { nextPulse *= 2 }
            return nil
        case .crash(let kind, let report, let frames):
            return found(kind: kind, prefix: "crash-", input: input, report: report, frames: frames)
        case .timeout(let report):
            return found(kind: "timeout", prefix: "timeout-", input: input, report: report, frames: [])
        }
    }

    /// Saves a new interesting input in the corpus directory; the first failure is reported
    /// (the input stays in this run's in-memory corpus), later ones are counted at the end.
    func saveToCorpus(_ input: [UInt8]) {
        guard let dir = corpusDirectory else { return }
        let name = SHA1.hex(input)
        guard knownFiles.insert(name).inserted else { return }   // another process saved it already
        do {
            try FuzzFiles.write(input, to: dir + "/" + name)
        } catch {
            if unsavedInputs == 0 {
                fputs("==crossrun fuzz== warning: cannot save new inputs in the corpus directory: \(error); they are kept in memory for this run only\n", StandardStreams.error)
            }
            unsavedInputs += 1
        }
    }

    func found(kind: String, prefix: String, input: [UInt8], report: String, frames: [String]) -> Result {
        if options.printFinalStats { printFinalStats() }
        return Fuzzer.saveArtifact(kind: kind, prefix: prefix, input: input, report: report, frames: frames,
                            program: executor.programName, artifactPrefix: options.artifactPrefix, target: targetName, executions: "\(executions)")
    }

    /// Writes `prefix<sha1>` and its `.txt` report, prints the report. The input is never lost
    /// silently: when the artifact prefix cannot take it, it goes to `$TMPDIR` (or `/tmp`) and
    /// the message says where; when nothing can be written, it is printed in hex.
    static func saveArtifact(kind: String, prefix: String, input: [UInt8], report: String, frames: [String],
                             program: String, artifactPrefix: String, target: String, executions: String) -> Result {
        let text = Fuzzer.report(kind: kind, target: target, program: program, report: report, frames: frames)
        fputs(text, StandardStreams.error)
        guard let artifact = FuzzFiles.saveArtifact(input, name: prefix + SHA1.hex(input), artifactPrefix: artifactPrefix) else {
            let hex = Hex.string(input)
            fputs("==crossrun fuzz== \(kind) after \(executions) executions; the input could not be saved; its \(input.count) bytes in hex:\n\(hex)\n", StandardStreams.error)
            return .found(kind: kind, artifact: "", input: input, report: text)
        }
        try? FuzzFiles.write(Array((text + "artifact: \(artifact) (\(input.count) bytes)\n").utf8), to: artifact + ".txt")
        fputs("==crossrun fuzz== \(kind) after \(executions) executions; input saved to \(artifact) (\(input.count) bytes)\n", StandardStreams.error)
        return .found(kind: kind, artifact: artifact, input: input, report: text)
    }

    /// The report for a crash: kind and target, what happened (``FuzzReport/line(_:program:)``),
    /// the backtrace.
    package static func report(kind: String, target: String, program: String, report: String, frames: [String]) -> String {
        var text = "==crossrun fuzz== \(kind) on \(target)\n\(FuzzReport.line(report, program: program))\n"
        var i = 0
        while i < frames.count {
            var j = i + 1
            while j < frames.count && frames[j] == frames[i] { j += 1 }
            text += "    #\(i) \(frames[i])" + (j - i > 1 ? " (\(j - i) frames)" : "") + "\n"
            i = j
        }
        return text
    }

    func status(_ event: String) {
        let elapsed = max(Fuzzer.now() - start, 1e-6)
        let bytes = corpus.reduce(0) { $0 + $1.count }
        fputs("#\(executions)\t\(event) cov: \(edgeCount) ft: \(featureCount) corp: \(corpus.count)/\(bytes)b exec/s: \(Int(Double(executions) / elapsed)) rss: \(FuzzFiles.residentMegabytes())Mb\n", StandardStreams.error)
    }

    /// Runs the seed inputs, then mutates until a crash, `-runs` or `-max_total_time`.
    package func run(seeds: [[UInt8]]) -> Result {
        for seed in seeds.isEmpty ? [[]] : seeds {
            if let r = execute(Array(seed.prefix(options.maxLength)), event: nil) { return r }
        }
        if corpus.isEmpty { corpus.append([]) }
        status("INITED")
        while options.runs < 0 || executions < options.runs {
            if options.maxTotalTime > 0 && Fuzzer.now() - start >= Double(options.maxTotalTime) { break }
            let parent = corpus[random.below(corpus.count)]
            let other = corpus.count > 1 ? corpus[random.below(corpus.count)] : nil
            let (mutant, _) = mutator.mutate(parent, other: other, comparisons: comparisons, random: &random)
            if let r = execute(mutant, event: "NEW   ") { return r }
            if options.reload > 0 && executions & 255 == 0 && Fuzzer.now() - lastReload >= Double(options.reload) {
                if let r = reloadCorpus() { return r }
            }
        }
        status("DONE  ")
        fputs("Done \(executions) runs in \(Int(Fuzzer.now() - start)) second(s)\n", StandardStreams.error)
        if options.printFinalStats { printFinalStats() }
        if unsavedInputs > 0 { fputs("==crossrun fuzz== warning: \(unsavedInputs) new input(s) could not be saved in the corpus directory\n", StandardStreams.error) }
        return .finished
    }

    /// Runs the inputs other processes (`-jobs`, another machine on shared storage) saved in
    /// the corpus directory since the last look, keeping those that add coverage here too.
    func reloadCorpus() -> Result? {
        lastReload = Fuzzer.now()
        guard let dir = corpusDirectory else { return nil }
        var loaded = 0
        for path in FuzzFiles.files(in: dir) {
            let name = String(path.split(separator: "/").last ?? "")
            guard knownFiles.insert(name).inserted, let input = try? FileIO.read(path) else { continue }
            loaded += 1
            if let r = execute(Array(input.prefix(options.maxLength)), event: nil) { return r }
        }
        if loaded > 0 { status("RELOAD") }
        return nil
    }

    /// libFuzzer's `-print_final_stats=1` lines.
    package func printFinalStats() {
        Fuzzer.printFinalStats(executions: executions, seconds: Fuzzer.now() - start, newUnits: newUnits, slowest: slowestUnit)
    }

    /// The `stat::` lines for a run of `executions` inputs in `seconds`.
    package static func printFinalStats(executions: Int, seconds: Double, newUnits: Int, slowest: Double) {
        fputs("""
            stat::number_of_executed_units: \(executions)
            stat::average_exec_per_sec:     \(Int(Double(executions) / max(seconds, 1e-6)))
            stat::new_units_added:          \(newUnits)
            stat::slowest_unit_time_sec:    \(Int(slowest))
            stat::peak_rss_mb:              \(FuzzFiles.residentMegabytes())

            """, StandardStreams.error)
    }
}
