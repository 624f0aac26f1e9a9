import ArgumentParser
import CrossRunDriver
import CrossRunELF
import CrossRunEmulator
import CrossRunLink
import CrossRunNative
import CrossRunSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One target/backend pair a program runs on (`x64/native`, `rv64/emu`).
/// The target/backend selection and parallelism shared by `matrix` and `test`.
struct ConfigurationSelection: ParsableArguments {
    @Option(help: ArgumentHelp("Comma-separated targets (default: x64,aarch64,rv64).", valueName: "list"))
    var targets: String?

    @Option(help: ArgumentHelp("Comma-separated backends (default: native,emu; native runs only this host's target).", valueName: "list"))
    var backends: String?

    @Option(name: [.customShort("j", allowingJoined: true), .customLong("jobs")], help: "Runs at a time (default: the number of cores).")
    var jobs: Int?

    @Option(help: ArgumentHelp("Repeat each emulated run under K thread-scheduler seeds (1…K); any difference in stdout or exit status fails, naming the seed that reproduces it (crossrun run --schedule-seed N).", valueName: "K"))
    var schedules: Int = 1

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("-j needs a positive number") }
        if schedules < 1 { throw ValidationError("--schedules needs a positive number") }
    }

    func configurations() throws -> [Configuration] { try Configuration.selected(targets: targets, backends: backends) }
}

struct Configuration: Hashable, Sendable, CustomStringConvertible {
    var target: Target
    var backend: Backend

    var description: String { "\(target)/\(backend.rawValue)" }

    /// This host's target.
    static var host: Target { Target(machine: NativeImage.hostMachine) }

    /// Whether this pair can run here.
    var isRunnable: Bool {
        backend == .native ? target == Self.host : Emulator.supports(target.machine)
    }

    /// The runnable pairs among comma-separated `targets` and `backends` (`nil`: all), in the
    /// order x64, aarch64, rv64, native before emu.
    static func selected(targets: String?, backends: String?) throws -> [Configuration] {
        func list(_ text: String?) -> [String]? {
            text.map { $0.split(separator: ",").map { String($0).trimmingCharacters() }.filter { !$0.isEmpty } }
        }
        var wantedTargets = Set(Target.allCases)
        if let names = list(targets) {
            wantedTargets = Set(try names.map { name in
                guard let t = Target(name: name) else { throw DriverError.usage("unknown target '\(name)' in --targets (choose x64, aarch64, rv64)") }
                return t
            })
        }
        var wantedBackends = Set(Backend.allCases)
        if let names = list(backends) {
            wantedBackends = Set(try names.map { name in
                guard let b = Backend(rawValue: name) else { throw DriverError.usage("unknown backend '\(name)' in --backends (choose native, emu)") }
                return b
            })
        }
        let all = Target.allCases.flatMap { t in Backend.allCases.map { Configuration(target: t, backend: $0) } }
        let chosen = all.filter { wantedTargets.contains($0.target) && wantedBackends.contains($0.backend) && $0.isRunnable }
        guard !chosen.isEmpty else {
            throw DriverError.usage("no runnable target/backend pair selected (native runs only \(host) programs on this host)")
        }
        return chosen
    }
}

/// One program to run on every configuration.
struct MatrixProgram: Sendable {
    /// Inputs as the child `crossrun run` gets them.
    var inputs: [String]
    var options: CompileOptions
    var arguments: [String]
    /// File fed to the program's stdin (`nil`: empty).
    var standardInput: String?
    /// Run in a fresh scratch directory (else in this process's working directory).
    var isolated: Bool
}

/// Runs programs on target/backend pairs: each (program, target) is built once as by a child
/// `crossrun inspect --build-only` (filling the compile cache and turning build errors into
/// outcomes), then each backend runs it as by a child `crossrun run` process, `jobs` at a time.
/// Both are served by run workers (``RunWorkerPool``: one `crossrun run-worker` per job slot,
/// which builds in itself and forks each run), or, where a worker cannot serve a command line
/// (``RunWorker/Job``) or none can be started, by those child processes themselves.
/// Nothing of a program is built or run in this process, so no input, however malformed, can
/// take the orchestrator and the other programs' results down with it.
final class RunMatrix: Sendable {
    let programs: [MatrixProgram]
    let configurations: [Configuration]
    let jobs: Int
    /// Per-run limit in seconds (0: none).
    let timeout: UInt32
    /// Discovered up front, so a missing clang or include/ is one error rather than one per
    /// program (the builds themselves run in child processes).
    let toolchain: Toolchain
    /// The crossrun executable the children run.
    let executable: String
    /// Every run with `--deterministic`.
    let deterministic: Bool
    /// Scheduler seeds each emulated run is repeated under (1…schedules).
    let schedules: Int
    /// The run workers (`nil`: every build and run is a `crossrun` child process, as with
    /// `CROSSRUN_RUN_WORKERS=0`).
    let workers: RunWorkerPool?
    private let state = Mutex(State())

    private struct State {
        var stopped = false
        var cache = (hits: 0, misses: 0)
    }

    /// `executable` replaces this crossrun as the children's program (tests); `useWorkers`
    /// chooses run workers or child processes (default: workers unless `CROSSRUN_RUN_WORKERS=0`).
    init(programs: [MatrixProgram], configurations: [Configuration], jobs: Int, timeout: UInt32, executable: String? = nil,
         deterministic: Bool = false, schedules: Int = 1, useWorkers: Bool? = nil) throws {
        self.deterministic = deterministic
        self.programs = programs
        self.schedules = max(1, schedules)
        self.configurations = configurations
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.toolchain = try Toolchain.discover()
        self.executable = executable ?? FileIO.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
        let enabled = useWorkers ?? (getenv("CROSSRUN_RUN_WORKERS").map { String(cString: $0) != "0" } ?? true)
        workers = enabled ? RunWorkerPool(executable: self.executable) : nil
    }

    deinit { workers?.shutdown() }

    /// Stops scheduling: runs not started yet are reported as skipped.
    func stop() { state.withLock { $0.stopped = true } }

    var isStopped: Bool { state.withLock { $0.stopped } }

    /// The compile-cache counts of every build so far (the builds run in child processes).
    var cacheStatistics: (hits: Int, misses: Int) { state.withLock { $0.cache } }

    /// Runs everything, calling `report` once per (program index, configuration), one call at
    /// a time, from worker threads. Programs are started in order; a program's runs are
    /// scheduled as soon as it is built, ahead of later programs' builds.
    func run(report: @escaping @Sendable (Int, Configuration, RunOutcome) -> Void) {
        let queue = WorkQueue()
        let reportLock = Mutex(())
        let deliver: @Sendable (Int, Configuration, RunOutcome) -> Void = { index, configuration, outcome in
            reportLock.withLock { _ in report(index, configuration, outcome) }
        }
        let targets = configurations.map(\.target).uniqued()
        for index in programs.indices {
            for target in targets {
                let backends = configurations.filter { $0.target == target }
                queue.add { [self] in
                    if isStopped { return backends.forEach { deliver(index, $0, .skipped) } }
                    if let failure = build(programs[index], target, index: index) {
                        return backends.forEach { deliver(index, $0, failure) }
                    }
                    for configuration in backends {
                        queue.add(urgent: true) { [self] in
                            deliver(index, configuration, isStopped ? .skipped : outcome(index, configuration))
                        }
                    }
                }
            }
        }
        queue.run(workers: jobs)
        workers?.shutdown()
    }

    /// How a run of program `index` on `configuration` went: its run, or an internal error when
    /// the run worker serving it died (the other programs go on, on a new worker).
    func outcome(_ index: Int, _ configuration: Configuration) -> RunOutcome {
        do {
            return .ran(try run(programs[index], configuration, index: index))
        } catch {
            let stderr = String(decoding: error.stderr, as: UTF8.self).trimmingCharacters()
            return .linkError("internal error: \(error) while running on \(configuration) (a CrossRun bug: please report it with the inputs)"
                              + (stderr.isEmpty ? "" : "\n" + stderr))
        }
    }

    /// How a child `crossrun` with `arguments` and `options` ended: served by a run worker when
    /// one can (``RunWorker/Job``), else started as a process. `index` is the program's (a
    /// worker that served it before is preferred: it may keep its image).
    func launch(_ arguments: [String], options: Subprocess.Options, index: Int) throws -> Subprocess.Result {
        if let workers, RunWorker.Job(arguments) != nil {
            switch workers.run(arguments, options: options, program: index) {
            case .finished(let result): return result
            case .died(let death): throw death
            case .unavailable: break
            }
        }
        return try Subprocess.run(executable, arguments, options: options)
    }

    /// Builds `program` for `target` as a child `crossrun inspect --build-only` would (in a run
    /// worker, else in that child); `nil` when it built. A child or worker that dies (a signal,
    /// or any status but the three it uses) is an internal error reported as this program's
    /// link error: the suite goes on.
    func build(_ program: MatrixProgram, _ target: Target, index: Int = -1) -> RunOutcome? {
        let args = ["inspect", "--build-only", "--target", target.rawValue] + Self.commandLine(program.options) + program.inputs
        var options = Subprocess.Options()
        options.captureOutput = true
        options.captureError = true
        let result: Subprocess.Result
        do {
            result = try launch(args, options: options, index: index)
        } catch let death as RunWorkerPool.Death {
            let stderr = String(decoding: death.stderr, as: UTF8.self).trimmingCharacters()
            return .linkError("internal error: \(death) while building for \(target) (a CrossRun bug: please report it with the inputs)"
                              + (stderr.isEmpty ? "" : "\n" + stderr))
        } catch {
            return .linkError("internal error: cannot start crossrun to build for \(target): \(error)")
        }
        // stdout: "HITS MISSES" of the child's compile cache.
        let counts = String(decoding: result.output, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        if counts.count == 2 { state.withLock { $0.cache.hits += counts[0]; $0.cache.misses += counts[1] } }
        let stderr = String(decoding: result.error, as: UTF8.self).trimmingCharacters()
        switch result.status {
        case 0:
            return nil
        case Inspect.compileFailedStatus:
            return .compileError(stderr.isEmpty ? "compilation failed" : stderr)
        case 1:
            // The error lines, without clang's warnings echoed before them.
            let prefix = "crossrun: error: "
            let errors = stderr.split(separator: "\n").filter { $0.hasPrefix(prefix) }.map { $0.dropFirst(prefix.count) }
            return .linkError(errors.isEmpty ? stderr : errors.joined(separator: "\n"))
        default:
            let how = result.status > 128 ? "was killed by signal \(result.status - 128)" : "exited with status \(result.status)"
            return .linkError("internal error: crossrun \(how) while building for \(target) (a CrossRun bug: please report it with the inputs)" + (stderr.isEmpty ? "" : "\n" + stderr))
        }
    }

    /// Runs `program` on `configuration`; an emulated run under each scheduler seed 1…``schedules``,
    /// stopping at the first seed whose stdout or exit status differs from seed 1's (the result
    /// is seed 1's run carrying ``ProgramRun/scheduleDifference``).
    func run(_ program: MatrixProgram, _ configuration: Configuration, index: Int = -1) throws(RunWorkerPool.Death) -> ProgramRun {
        guard configuration.backend == .emu, schedules > 1 else { return try run(program, configuration, seed: nil, index: index) }
        var first = try run(program, configuration, seed: 1, index: index)
        for seed in 2...schedules where !isStopped {
            let other = try run(program, configuration, seed: UInt64(seed), index: index)
            if let difference = Self.scheduleDifference(first, other, seed: seed) {
                first.scheduleDifference = difference
                break
            }
        }
        return first
    }

    /// How the run under `seed` differs from seed 1's (`nil`: same stdout and exit status).
    static func scheduleDifference(_ first: ProgramRun, _ other: ProgramRun, seed: Int) -> String? {
        guard other.status != first.status || other.stdout != first.stdout || other.killed != first.killed else { return nil }
        var text = "schedule seed \(seed) differs from seed 1 (replay: crossrun run --schedule-seed \(seed) ...)"
        if other.status != first.status || other.killed != first.killed {
            text += "\nexit status: \(MatrixCommand.exitText(other)) with seed \(seed), \(MatrixCommand.exitText(first)) with seed 1"
            if let report = other.report { text += "\n" + report }
        }
        if other.stdout != first.stdout {
            text += "\n" + Verdict.shortDiff(first.stdout, other.stdout, expectedLabel: "seed 1", label: "seed \(seed)")
        }
        return text
    }

    /// Runs `program` on `configuration` as a child process (emulated under scheduler `seed`).
    func run(_ program: MatrixProgram, _ configuration: Configuration, seed: UInt64?, index: Int = -1) throws(RunWorkerPool.Death) -> ProgramRun {
        // The child writes how the run ended (exit, signal with its PC and fault address,
        // timeout) into a directory of its own: the verdict reads that, not stderr.
        let recordDirectory = try? FileIO.makeTemporaryDirectory()
        defer { if let recordDirectory { FileIO.removeTree(recordDirectory) } }
        let recordPath = recordDirectory.map { $0 + "/outcome.json" }
        var args = ["run", "--target", configuration.target.rawValue, "--backend", configuration.backend.rawValue]
        if timeout > 0 { args += ["--timeout", String(timeout)] }
        if let seed { args += ["--schedule-seed", String(seed)] }
        if let recordPath { args += ["--outcome-file", recordPath] }
        if deterministic { args.append("--deterministic") }
        args.append("--exit-with-parent")   // its own process group: a Ctrl-C here does not reach it
        args += Self.commandLine(program.options) + program.inputs + ["--"] + program.arguments
        var options = Subprocess.Options()
        options.standardInput = program.standardInput
        options.captureOutput = true
        options.captureError = true
        // The child enforces the limit itself and reports where the program was (its watchdog
        // ends it a second after the deadline at the latest); killing its process group is the
        // backstop for a child that cannot, and takes whatever the program started with it.
        options.timeout = timeout > 0 ? Double(timeout) + 5 : nil
        options.processGroup = true
        var scratch: String?
        if program.isolated {
            scratch = try? FileIO.makeTemporaryDirectory()
            options.workingDirectory = scratch
        }
        defer { if let scratch { FileIO.removeTree(scratch) } }
        let started = Subprocess.monotonicSeconds()
        do {
            let r = try launch(args, options: options, index: index)
            let record = recordPath.flatMap { try? FileIO.read($0) }.flatMap { OutcomeRecord(json: String(decoding: $0, as: UTF8.self)) }
            var run = ProgramRun(status: r.status, stdout: r.output, stderr: r.error, killed: r.timedOut,
                                 seconds: Subprocess.monotonicSeconds() - started, outcome: record, signal: r.signal)
            run.stdoutTruncated = r.outputTruncated
            return run
        } catch let death as RunWorkerPool.Death {
            throw death
        } catch {
            return ProgramRun(status: 1, stdout: [], stderr: Array("crossrun: error: \(error)\n".utf8), killed: false, seconds: 0)
        }
    }

    /// `options` as `crossrun` command-line flags that scan back to the same options (every
    /// clang flag through `-Xcc`, so the child's clang arguments, and cache keys, are identical).
    static func commandLine(_ options: CompileOptions) -> [String] {
        var out: [String] = []
        for flag in options.clangFlags { out += ["-Xcc", flag] }
        for dir in options.libraryPaths { out += ["-L", dir] }
        for lib in options.libraries { out += ["-l", lib] }
        if options.entry != "main" { out += ["-e", options.entry] }
        return out
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

extension String {
    /// Without leading and trailing whitespace (spaces, tabs, newlines).
    func trimmingCharacters() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
