import ArgumentParser
import CrossRunDriver
import CrossRunSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `crossrun test`: discovers test programs, runs each on every target/backend, judges them.
struct TestCommand: InvocationCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a suite of C test programs on every target and backend and check their results.",
        discussion: """
        A test is NAME.c, or a directory NAME/ holding main.c (all its .c files are
        compiled, with -I NAME/). Directories are searched recursively. Beside each
        test (BASE = NAME; for NAME.c also NAME.c):
          BASE.expected         exact stdout; without it the test is self-checking
                                (only the exit status counts)
          BASE.TARGET.expected  stdout on TARGET (x64, aarch64, rv64) where it differs
          BASE.exitcode         expected exit status (default 0)
          BASE.args             program arguments, one per line
          BASE.stdin            bytes fed to stdin (default: empty)
        Each run is a separate process in a fresh scratch directory. Each source is
        compiled once per target, and cached: an unchanged suite compiles nothing.

        Verdicts: pass, wrong output (with a diff), wrong exit status, crash (signal
        and where), timeout, compile error, link error, skipped. Every test runs
        even after failures; with -x (or --maxfail N) nothing new starts after the
        first (Nth) failure, and runs not started are skipped. The last line is
        "N passed, N failed" (", N skipped" when some were). Exit status: 0 when
        nothing failed, else 1.

        Sharding: --shard I/N runs the I-th of N parts of the suite (1-based). A
        test's part depends only on its name (a hash), so adding a test moves no
        other; N CI jobs with --shard 1/N ... N/N and --junit together run every
        test exactly once.

        Examples:
          crossrun test tests/         every test on x64/native, x64/emu,
                                       aarch64/emu and rv64/emu
          crossrun test -O2 --targets rv64 tests/
          crossrun test --junit report.xml tests/
          crossrun test --shard 2/4 --junit shard2.xml tests/
          crossrun test -x tests/      stop at the first failure
          crossrun test --update tests/new.c   write new.expected from x64/native

        \(compileFlagsHelp)
        """
    )

    @Argument(help: ArgumentHelp("Test files (.c) and directories to search.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var selection: ConfigurationSelection

    @Flag(help: "Run every program with --deterministic (fixed clocks, pid, random sources, environment; see doc/CLI.md).")
    var deterministic = false

    @Option(help: "Seconds each run may take before it counts as a timeout (0: no limit).")
    var timeout: UInt32 = 60

    @Option(help: ArgumentHelp("Only tests whose name (path below the searched directory, without .c) matches this regular expression.", valueName: "regex"))
    var filter: String?

    @Flag(help: "Write the expected files from a reference run (x64/native when selected, else the first configuration): BASE.expected, BASE.exitcode when not 0, BASE.TARGET.expected only for targets whose output differs.")
    var update = false

    @Flag(name: [.customShort("x"), .customLong("exitfirst")], help: "Start nothing new after the first failure (default: run everything).")
    var exitFirst = false

    @Option(help: ArgumentHelp("Start nothing new after N failures (default: run everything).", valueName: "N"))
    var maxfail: Int?

    @Flag(name: [.customShort("k"), .customLong("keep-going")], help: ArgumentHelp("Run everything even after failures (the default; kept for scripts that pass it).", visibility: .hidden))
    var keepGoing = false

    @Option(help: ArgumentHelp("Run only part I of N (1-based) of the discovered tests, chosen by a hash of each test's name.", valueName: "I/N"))
    var shard: Shard?

    @Option(help: ArgumentHelp("Write a JUnit XML report to this file.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a JSON report (an array of {name, target, backend, verdict, status, time, detail}).", valueName: "file"))
    var json: String?

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give test files or directories (e.g. crossrun test tests/)") }
        if let maxfail, maxfail < 1 { throw ValidationError("--maxfail must be at least 1") }
        if exitFirst && maxfail != nil { throw ValidationError("give -x or --maxfail, not both") }
        if keepGoing && (exitFirst || maxfail != nil) { throw ValidationError("--keep-going contradicts -x/--maxfail") }
    }

    func run(_ invocation: Invocation) throws {
        if !invocation.programArguments.isEmpty {
            throw DriverError.usage("crossrun test takes no program arguments after --; put them in NAME.args files")
        }
        // Interrupted, the runs' scratch directories and records go with this process.
        TemporaryDirectories.removeOnInterrupt()
        let configurations = try selection.configurations()
        var tests = try TestDiscovery.discover(paths)
        if let filter {
            let regex: Regex<AnyRegexOutput>
            do { regex = try Regex(filter) } catch { throw DriverError.usage("--filter: bad regular expression '\(filter)': \(error)") }
            tests = tests.filter { $0.name.contains(regex) }
        }
        if let shard { tests = tests.filter { shard.contains($0.name) } }
        if tests.isEmpty { fputs("crossrun: warning: no tests found\n", StandardStreams.error) }
        let base = invocation.compile.resolvingPaths(against: FileIO.currentDirectory())
        let programs = tests.map { test in
            var options = base
            options.clangFlags += test.flags
            return MatrixProgram(inputs: test.sources, options: options, arguments: test.arguments,
                                 standardInput: test.standardInput, isolated: true)
        }
        let matrix = try RunMatrix(programs: programs, configurations: configurations,
                                   jobs: selection.jobs ?? Self.cores(), timeout: timeout, deterministic: deterministic, schedules: selection.schedules)
        let reporter = TestReporter(total: tests.count * configurations.count, interactive: isatty(1) != 0)
        let collected = Mutex<[Int: [Configuration: RunOutcome]]>([:])
        let judged = Mutex<[(index: Int, result: TestResult)]>([])
        let (suite, update) = (tests, update)
        let failureLimit = exitFirst ? 1 : maxfail
        let failures = Mutex(0)
        let started = Subprocess.monotonicSeconds()
        matrix.run { index, configuration, outcome in
            if update {
                collected.withLock { $0[index, default: [:]][configuration] = outcome }
                return reporter.record(nil)
            }
            let test = suite[index]
            let verdict = Verdict.judge(outcome, of: test, on: configuration.target)
            let result = TestResult(name: test.name, configuration: configuration, verdict: verdict, outcome: outcome)
            judged.withLock { $0.append((index, result)) }
            reporter.record(result)
            if verdict.isFailure, let failureLimit, failures.withLock({ $0 += 1; return $0 }) >= failureLimit {
                matrix.stop()
            }
        }
        if update {
            reporter.endProgress()
            let outcomes = collected.withLock { $0 }
            for (index, test) in tests.enumerated() {
                let mine = outcomes[index] ?? [:]
                let updated = try Self.update(test, outcomes: mine, configurations: configurations)
                for configuration in configurations {
                    let outcome = mine[configuration] ?? .skipped
                    let verdict = Verdict.judge(outcome, of: updated, on: configuration.target)
                    let result = TestResult(name: test.name, configuration: configuration, verdict: verdict, outcome: outcome)
                    judged.withLock { $0.append((index, result)) }
                    reporter.show(result)
                }
            }
        }
        // Report in suite order whatever order the runs finished in.
        let results = judged.withLock { $0 }.sorted {
            ($0.index, configurations.firstIndex(of: $0.result.configuration) ?? 0)
                < ($1.index, configurations.firstIndex(of: $1.result.configuration) ?? 0)
        }.map(\.result)
        let stats = CompileCache.shared.map { _ in matrix.cacheStatistics }
        var extra = ["\(plural(tests.count, "test")) on \(plural(configurations.count, "configuration")) in \(Verdict.formatSeconds(Subprocess.monotonicSeconds() - started))"]
        if let stats {
            extra[0] += "; compile cache: \(stats.hits) reused, \(stats.misses) compiled"
        }
        if let junit { try FileIO.write(Array(TestReportFiles.junit(results, configurations: configurations).utf8), to: junit) }
        if let json { try FileIO.write(Array(TestReportFiles.json(results).utf8), to: json) }
        let failed = reporter.finish(results, configurations: configurations, extra: extra)
        Glibc.exit(failed > 0 ? 1 : 0)
    }

    func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)" + (n == 1 ? "" : "s") }

    /// Online processors.
    static func cores() -> Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Writes `test`'s expected files from the reference run and returns the test as now on
    /// disk. The reference is x64/native when selected, else the first configuration; a
    /// target's own `.TARGET.expected` is written only where its output differs (and removed
    /// where it no longer does). Runs that crashed (unless the test expects that exit status),
    /// timed out or printed more than the capture limit change nothing. A side file that is a
    /// symbolic link is never written through (it may lead outside the suite): it is reported
    /// and left as it is. Files are replaced atomically (written beside, then renamed).
    static func update(_ test: TestCase, outcomes: [Configuration: RunOutcome], configurations: [Configuration]) throws -> TestCase {
        let reference = configurations.first { $0.target == .x64 && $0.backend == .native } ?? configurations[0]
        func normal(_ outcome: RunOutcome?) -> ProgramRun? {
            guard case .ran(let run)? = outcome, !run.killed, !run.stdoutTruncated,
                  run.report == nil || run.status == test.exitStatus else { return nil }
            return run
        }
        if case .ran(let run)? = outcomes[reference], run.stdoutTruncated {
            print("not updated: \(test.name) (the reference run's stdout on \(reference) is over the \(Subprocess.Options.defaultCaptureLimit >> 20) MiB capture limit)")
            return test
        }
        guard let ref = normal(outcomes[reference]) else {
            print("not updated: \(test.name) (the reference run on \(reference) did not finish normally)")
            return test
        }
        var changed: [String] = []
        func write(_ bytes: [UInt8], _ ext: String) throws {
            let path = test.sideFile(ext)
            var st = stat()
            if lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK {
                print("not updated: \(path) is a symbolic link (crossrun test --update does not write through links; update its target or replace the link with a file)")
                return
            }
            if (try? FileIO.read(path)) != bytes {
                let temporary = path + ".crossrun-update-\(getpid())"
                do { try FileIO.write(bytes, to: temporary) } catch { unlink(temporary); throw error }
                guard rename(temporary, path) == 0 else {
                    let reason = String(cString: strerror(errno))
                    unlink(temporary)
                    throw DriverError.environment("cannot write \(path): \(reason)")
                }
                changed.append(TestDiscovery.lastComponent(path))
            }
        }
        func remove(_ ext: String) {
            let path = test.sideFile(ext)
            var st = stat()
            if lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK {
                print("not updated: \(path) is a symbolic link (crossrun test --update leaves links alone; remove it yourself if it is stale)")
                return
            }
            if FileIO.exists(path), unlink(path) == 0 { changed.append("-" + TestDiscovery.lastComponent(path)) }
        }
        try write(ref.stdout, ".expected")
        if ref.status != 0 || FileIO.exists(test.sideFile(".exitcode")) { try write(Array("\(ref.status)\n".utf8), ".exitcode") }
        for target in configurations.map(\.target).uniqued() {
            let ext = ".\(target.rawValue).expected"
            if target == reference.target { remove(ext); continue }
            let runs = configurations.filter { $0.target == target }.compactMap { normal(outcomes[$0]) }
            guard let run = runs.first(where: { $0.status == ref.status }) else { continue }
            if run.stdout == ref.stdout { remove(ext) } else { try write(run.stdout, ext) }
        }
        if !changed.isEmpty { print("updated \(test.name): " + changed.joined(separator: ", ")) }
        return try TestDiscovery.reload(test)
    }
}

/// `--shard I/N`: part I (1-based) of a suite split N ways by a hash of each test's name, so a
/// test's part never depends on which other tests exist.
struct Shard: ExpressibleByArgument, Equatable {
    let index: Int
    let count: Int

    init?(argument: String) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else { return nil }
        index = i
        count = n
    }

    static var defaultValueDescription: String { "I/N" }

    /// Whether the test called `name` belongs to this part (FNV-1a of the name's UTF-8, mod N).
    func contains(_ name: String) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(count)) == index - 1
    }
}
