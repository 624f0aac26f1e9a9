import ArgumentParser
import CrossRunDriver
import CrossRunEmulator
import CrossRunFuzz
import CrossRunLibc
import CrossRunNative
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer-style `-name=value` flags, taken off the command line before compile options are
/// scanned (`-max_len=…` would otherwise look like a clang `-m` flag).
enum FuzzFlags {
    static let names = ["runs", "max_total_time", "seed", "max_len", "timeout", "dict", "only_ascii", "artifact_prefix",
                        "error_exitcode", "timeout_exitcode", "use_cmp", "heap_check",
                        "merge", "jobs", "workers", "fork", "print_final_stats", "reload"]

    /// Removes the fuzzing flags from `args` when the command is `fuzz`, and returns them.
    static func extract(_ args: inout [String]) -> [String] {
        guard args.first == "fuzz" else { return [] }
        var given: [String] = []
        args.removeAll { a in
            let isFlag = names.contains { a.hasPrefix("-\($0)=") }
            if isFlag { given.append(a) }
            return isFlag
        }
        return given
    }
}

struct Fuzz: InvocationCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fuzz a libFuzzer-style harness (LLVMFuzzerTestOneInput) on any target.",
        discussion: """
        The harness defines int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) and
        optionally int LLVMFuzzerInitialize(int *argc, char ***argv). Directories among the inputs
        are corpus directories: their files seed the run and new interesting inputs go to the
        first one. The same harness fuzzes on x64, aarch64 and rv64: emulated (edge coverage from
        block hooks, memory and C-library state reset between inputs, heap checker) or, for this
        host's architecture, natively (trace-pc-guard coverage, a forked worker per crash).

        libFuzzer flags: -runs=N -max_total_time=S -seed=N -max_len=N (default 4096)
          -timeout=S (per input, default 10) -dict=FILE -only_ascii=1 -artifact_prefix=P
          -error_exitcode=N (77) -timeout_exitcode=N (70) -use_cmp=0 (no comparison tracing)
          -heap_check=0 (no red zones / poisoned frees) -print_final_stats=1 (stat:: lines)
          -reload=S (re-read the corpus directory for others' inputs every S s, default 1)
        Corpus and processes (doc/FUZZING.md):
          -merge=1 OUT IN...   copy into OUT the inputs of IN that add coverage, smallest first
          -jobs=N -workers=M   N fuzzing processes, M at a time, sharing the first corpus
                               directory, each logging to fuzz-K.log
          -fork=N              N fuzzing processes at once; the first crash stops them all
        A crash or timeout stops the run: the input is saved as crash-<sha1> / timeout-<sha1>
        (with a .txt report: kind, target, faulting function+offset, backtrace).

        Examples:
          crossrun fuzz --target rv64 harness.c corpus/ -runs=100000 -seed=1
          crossrun fuzz --replay crash-3f2a… harness.c
          crossrun fuzz --minimize crash-3f2a… harness.c

        \(compileFlagsHelp)
        """
    )

    @OptionGroup var build: BuildOptions

    @Option(help: "Execution backend: native (default for this host's architecture: in-process speed, crashes isolated in a worker) or emu.")
    var backend: Backend?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Run these inputs once each and report (reproduce a crash).", valueName: "file"))
    var replay: [String] = []

    @Option(help: ArgumentHelp("Shrink this crashing input while it still crashes the same way.", valueName: "file"))
    var minimize: String?

    func run(_ invocation: Invocation) throws {
        var options = FuzzOptions()
        var useComparisons = true, heapCheck = true
        var seedGiven = false
        for flag in invocation.fuzzFlags {
            if flag.hasPrefix("-use_cmp=") { useComparisons = flag.hasSuffix("=1"); continue }
            if flag.hasPrefix("-heap_check=") { heapCheck = flag.hasSuffix("=1"); continue }
            if flag.hasPrefix("-seed=") { seedGiven = true }
            _ = try options.parse(flag)
        }
        if !seedGiven {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            options.seed = UInt64(ts.tv_nsec) ^ UInt64(getpid())
        }
        let target = try build.resolvedTarget()
        let host = Target(machine: NativeImage.hostMachine)
        let chosen = backend ?? (target == host ? .native : .emu)
        if chosen == .native && target != host {
            throw DriverError.usage("--backend native cannot run \(target) code on this \(host) host; use --backend emu")
        }
        // Directories, and paths that do not exist yet and are not sources, are corpus directories.
        func isCorpus(_ path: String) -> Bool {
            FileIO.isDirectory(path) || (!FileIO.exists(path) && !(Pipeline.sourceExtensions + [".o", ".a"]).contains { path.hasSuffix($0) })
        }
        let sources = build.inputs.filter { !isCorpus($0) }
        let corpora = build.inputs.filter(isCorpus)
        guard !sources.isEmpty else { throw DriverError.usage("no harness given (a .c file defining LLVMFuzzerTestOneInput)") }
        if options.merge {
            guard corpora.count >= 2 else { throw DriverError.usage("-merge=1 needs the output corpus directory and at least one input directory: crossrun fuzz HARNESS.c -merge=1 OUT IN...") }
            for dir in corpora.dropFirst() where !FileIO.exists(dir) {
                throw DriverError.badInput(file: dir, message: "-merge=1: no such input directory")
            }
        } else if options.jobs > 0 || options.fork > 0 {
            if !replay.isEmpty || minimize != nil { throw DriverError.usage("-jobs and -fork fuzz; they do not combine with --replay or --minimize") }
            // Created once here, not raced by the jobs.
            for dir in corpora.prefix(1) where !FileIO.isDirectory(dir) && mkdir(dir, 0o755) != 0 {
                throw DriverError.badInput(file: dir, message: "cannot create the corpus directory: " + String(cString: strerror(errno)))
            }
            let count = options.fork > 0 ? options.fork : options.jobs
            var jobs = FuzzJobs(arguments: CommandLine.arguments, jobs: count,
                                workers: options.fork > 0 ? count : options.workers > 0 ? options.workers : FuzzJobs.defaultWorkers(jobs: count))
            jobs.stopAtFirstFailure = options.fork > 0
            Glibc.exit(try jobs.run())
        }

        var compile = invocation.compile
        compile.entry = "LLVMFuzzerTestOneInput"
        let comparisons = ComparisonTable()
        var extra = Set(ComparisonTable.guardSymbols)
        if chosen == .native {
            compile.clangFlags += useComparisons ? NativeFuzzExecutor.compileFlags : ["-fsanitize-coverage=trace-pc-guard", "-fno-omit-frame-pointer"]
            extra.formUnion(ComparisonTable.tracingSymbols)
        } else if useComparisons {
            compile.clangFlags += ComparisonTable.emulatedCompileFlags
            extra.formUnion(ComparisonTable.tracingSymbols)
        } else {
            compile.clangFlags.append("-fno-omit-frame-pointer")
        }
        let pipeline = Pipeline(toolchain: try Toolchain.discover())
        let built = try pipeline.build(inputs: sources, target: target, options: compile, extraImports: extra, native: chosen == .native)
        let arguments = [built.programName] + invocation.programArguments
        let targetName = "\(target)/\(chosen.rawValue)"

        let executor: FuzzExecutor
        if chosen == .native {
            executor = try NativeFuzzExecutor(image: built.image, programName: built.programName, arguments: arguments,
                                              maxLength: options.maxLength, timeout: options.timeout,
                                              comparisons: useComparisons ? comparisons : nil, heapCheck: heapCheck)
        } else {
            var guestOptions = GuestProcess.Options(arguments: arguments, environment: Run.environment(), programName: built.programName)
            guestOptions.extraFunctions = comparisons.hostFunctions(library: HostLibc.functions)
            let session = try FuzzSession(image: built.image, options: guestOptions, maxLength: options.maxLength,
                                          timeoutMicros: UInt64(options.timeout * 1e6), heapCheck: heapCheck)
            if let failure = session.initialize(arguments: arguments) {
                throw FuzzError.startupFailed(describe(failure, program: built.programName))
            }
            executor = session
        }

        if !replay.isEmpty { Glibc.exit(try replayFiles(executor, options: options, target: targetName)) }
        if options.merge {
            let output = corpora[0]
            if !FileIO.isDirectory(output) && mkdir(output, 0o755) != 0 {
                throw DriverError.badInput(file: output, message: "-merge=1: cannot create the output directory: " + String(cString: strerror(errno)))
            }
            do {
                _ = try CorpusMerge.merge(executor, into: output, from: Array(corpora.dropFirst()), maxLength: options.maxLength)
            } catch let error as FuzzError {
                throw DriverError.badInput(file: output, message: "-merge=1: \(Self.reason(error))")
            }
            Glibc.exit(0)
        }
        // Where crash inputs and new corpus inputs go must take files, before anything is found.
        do throws(FuzzError) {
            try FuzzFiles.checkWritable(prefix: options.artifactPrefix)
        } catch {
            throw DriverError.badInput(file: options.artifactPrefix, message: "-artifact_prefix: cannot create files there (\(Self.reason(error))), so a crash input could not be saved")
        }
        if let minimize { Glibc.exit(try shrink(minimize, executor, options: options, target: targetName)) }

        for dir in corpora.prefix(1) where !FileIO.isDirectory(dir) {
            guard mkdir(dir, 0o755) == 0 else { throw DriverError.badInput(file: dir, message: "cannot create the corpus directory: " + String(cString: strerror(errno))) }
        }
        for dir in corpora.prefix(1) {
            do throws(FuzzError) {
                try FuzzFiles.checkWritable(prefix: dir + "/")
            } catch {
                throw DriverError.badInput(file: dir, message: "new inputs are saved in the first corpus directory, and it is not writable (\(Self.reason(error))); give a writable directory first (read-only seed directories may follow)")
            }
        }
        let seeds = try corpora.flatMap { try FuzzFiles.files(in: $0).map(FileIO.read) }
        fputs("INFO: Seed: \(options.seed)\nINFO: fuzzing \(built.programName) on \(targetName), \(seeds.count) seed input(s), -max_len=\(options.maxLength)\n", StandardStreams.error)
        let result: Fuzzer.Result
        if let native = executor as? NativeFuzzExecutor {
            result = try native.fuzz(options: options, corpusDirectory: corpora.first, seeds: seeds, targetName: targetName)
        } else {
            let fuzzer = try Fuzzer(executor: executor, options: options, comparisons: useComparisons ? comparisons : nil,
                                    corpusDirectory: corpora.first, targetName: targetName)
            result = fuzzer.run(seeds: seeds)
        }
        switch result {
        case .finished: Glibc.exit(0)
        case .found(let kind, _, _, _): Glibc.exit(kind == "timeout" ? options.timeoutExitCode : options.errorExitCode)
        }
    }

    /// The system's reason in a write failure.
    static func reason(_ error: FuzzError) -> String {
        if case .unwritable(_, let reason) = error { return reason }
        return error.description
    }

    func describe(_ outcome: FuzzSession.Outcome, program: String) -> String {
        switch outcome {
        case .ok: return "no failure"
        case .crash(let kind, let report, let frames): return Fuzzer.report(kind: kind, target: "", program: program, report: report, frames: frames)
        case .timeout(let report): return FuzzReport.line(report, program: program)
        }
    }

    /// `--replay`: each file once; the first crash's report, with libFuzzer's exit status.
    func replayFiles(_ session: FuzzExecutor, options: FuzzOptions, target: String) throws -> Int32 {
        for file in replay {
            let input = try FileIO.read(file)
            fputs("Running: \(file) (\(input.count) bytes)\n", StandardStreams.error)
            switch session.run(input) {
            case .ok:
                fputs("Executed \(file): no crash\n", StandardStreams.error)
            case .crash(let kind, let report, let frames):
                fputs(Fuzzer.report(kind: kind, target: target, program: session.programName, report: report, frames: frames), StandardStreams.error)
                return options.errorExitCode
            case .timeout(let report):
                fputs(Fuzzer.report(kind: "timeout", target: target, program: session.programName, report: report, frames: []), StandardStreams.error)
                return options.timeoutExitCode
            }
        }
        return 0
    }

    /// `--minimize`: removes ever smaller chunks while the input still fails with the same kind.
    func shrink(_ file: String, _ session: FuzzExecutor, options: FuzzOptions, target: String) throws -> Int32 {
        let original = try FileIO.read(file)
        func kind(_ input: [UInt8]) -> String? {
            switch session.run(input) {
            case .ok: return nil
            case .crash(let k, _, _): return k
            case .timeout: return "timeout"
            }
        }
        guard let wanted = kind(original) else {
            throw DriverError.badInput(file: file, message: "does not crash on \(target); nothing to minimize")
        }
        var best = original, runs = 0
        var chunk = max(best.count / 2, 1)
        while chunk >= 1 {
            var i = 0
            while i < best.count {
                if options.runs >= 0 && runs >= options.runs { break }
                var candidate = best
                candidate.removeSubrange(i..<min(i + chunk, best.count))
                runs += 1
                if kind(candidate) == wanted { best = candidate } else { i += chunk }
            }
            if chunk == 1 { break }
            chunk /= 2
        }
        let out = options.artifactPrefix + "minimized-from-" + SHA1.hex(original)
        try FuzzFiles.write(best, to: out)
        fputs("CRASH_MIN: \(wanted) kept; \(original.count) -> \(best.count) bytes in \(runs) runs; saved to \(out)\n", StandardStreams.error)
        return 0
    }
}
