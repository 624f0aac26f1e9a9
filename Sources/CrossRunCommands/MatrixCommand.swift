import ArgumentParser
import CrossRunDriver
import CrossRunSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `crossrun matrix`: one program on every target/backend, outputs compared.
struct MatrixCommand: InvocationCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Run one program on every target and backend and compare the results.",
        discussion: """
        Builds the program once per target, runs it on each selected target/backend
        in parallel (each run a separate process in the current directory, with the
        same arguments and stdin) and prints one row per run: exit status (or
        signal), a digest of stdout, the time. When the runs disagree (stdout or
        exit status) it shows a unified diff of the first differing output against
        the majority's.

        Exit status: 0 when every run gave the same stdout and exit status; 1 when
        they differ, a run timed out or the program does not build.

        Examples:
          crossrun matrix prog.c       x64/native, x64/emu, aarch64/emu, rv64/emu
          crossrun matrix -O2 -DN=10 prog.c -- in.txt
          crossrun matrix --targets aarch64,rv64 --stdin input.txt prog.c

        \(compileFlagsHelp)
        \(programArgumentsHelp)
        """
    )

    @Argument(help: ArgumentHelp("Inputs: .c sources, .o objects, .a archives.", valueName: "input"))
    var inputs: [String] = []

    @OptionGroup var selection: ConfigurationSelection

    @Flag(help: "Run every program with --deterministic (fixed clocks, pid, random sources, environment; see doc/CLI.md).")
    var deterministic = false

    @Option(help: "Seconds each run may take (0: no limit).")
    var timeout: UInt32 = 60

    @Option(help: ArgumentHelp("Feed this file to every run's stdin (default: empty stdin).", valueName: "file"))
    var stdin: String?

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give the program's sources (e.g. crossrun matrix prog.c)") }
        if inputs.contains("-") { throw ValidationError("matrix runs a program several times: give source files, not - (stdin)") }
    }

    func run(_ invocation: Invocation) throws {
        // Interrupted, the runs' scratch directories and records go with this process.
        TemporaryDirectories.removeOnInterrupt()
        let configurations = try selection.configurations()
        if let stdin, !FileIO.exists(stdin) || FileIO.isDirectory(stdin) {
            throw DriverError.badInput(file: stdin, message: "--stdin: no such file")
        }
        let program = MatrixProgram(inputs: inputs, options: invocation.compile, arguments: invocation.programArguments,
                                    standardInput: stdin, isolated: false)
        let matrix = try RunMatrix(programs: [program], configurations: configurations,
                                   jobs: selection.jobs ?? TestCommand.cores(), timeout: timeout, deterministic: deterministic, schedules: selection.schedules)
        let collected = Mutex<[Configuration: RunOutcome]>([:])
        matrix.run { _, configuration, outcome in collected.withLock { $0[configuration] = outcome } }
        let all = collected.withLock { $0 }
        let outcomes = configurations.map { all[$0] ?? .skipped }
        let status = Self.report(configurations, outcomes)
        fflush(StandardStreams.output)
        Glibc.exit(status)
    }

    /// What a run is compared by: build failure text, or exit status and stdout.
    static func signature(_ outcome: RunOutcome) -> String {
        switch outcome {
        case .compileError(let m): return "compile error\n" + m
        case .linkError(let m): return "link error\n" + m
        case .skipped: return "skipped"
        case .ran(let r): return "\(r.status)\n" + SHA256.hex(r.stdout)
        }
    }

    /// Prints the table, reports and (when runs disagree) the diff, then any run whose
    /// scheduler seeds disagreed (`--schedules K`); returns the exit status.
    static func report(_ configurations: [Configuration], _ outcomes: [RunOutcome]) -> Int32 {
        let status = compare(configurations, outcomes)
        var seedsDiffer = false
        for (c, outcome) in zip(configurations, outcomes) {
            if case .ran(let r) = outcome, let difference = r.scheduleDifference {
                print("\(c): " + difference)
                seedsDiffer = true
            }
        }
        return seedsDiffer ? 1 : status
    }

    /// The table, reports and (when runs disagree) the diff; returns the exit status.
    static func compare(_ configurations: [Configuration], _ outcomes: [RunOutcome]) -> Int32 {
        let signatures = outcomes.map(signature)
        var counts: [String: Int] = [:]
        for s in signatures { counts[s, default: 0] += 1 }
        // The largest group; ties go to the group seen first.
        let majority = signatures.max { a, b in
            (counts[a] ?? 0, -(signatures.firstIndex(of: a) ?? 0)) < (counts[b] ?? 0, -(signatures.firstIndex(of: b) ?? 0))
        } ?? ""
        var rows = [["target", "backend", "exit", "stdout", "time", ""]]
        for (c, outcome) in zip(configurations, outcomes) {
            var row = [c.target.rawValue, c.backend.rawValue]
            switch outcome {
            case .compileError: row += ["compile error", "-", "-"]
            case .linkError: row += ["link error", "-", "-"]
            case .skipped: row += ["skipped", "-", "-"]
            case .ran(let r):
                let lines = LineDiff.lines(r.stdout).count
                row += [exitText(r), String(SHA256.hex(r.stdout).prefix(8)) + " \(lines) line" + (lines == 1 ? "" : "s") + (r.stdoutTruncated ? " (cut)" : ""),
                        Verdict.formatSeconds(r.seconds)]
            }
            row.append(signature(outcome) == majority ? "" : "<- differs")
            rows.append(row)
        }
        print(TestReporter.table(rows, right: [4]))

        var shownBuildErrors = Set<String>()
        for (c, outcome) in zip(configurations, outcomes) {
            switch outcome {
            case .compileError(let m), .linkError(let m):
                if shownBuildErrors.insert(m).inserted { print("\(c.target): \(m)") }
            case .ran(let r):
                if let report = r.report { print("\(c): \(report)") }
            case .skipped: break
            }
        }
        let builds = outcomes.allSatisfy { if case .ran = $0 { return true } else { return false } }
        let timedOut = zip(configurations, outcomes).filter { _, outcome in
            if case .ran(let r) = outcome { return exitText(r).contains("timeout") } else { return false }
        }.map { "\($0.0)" }
        let cut = zip(configurations, outcomes).filter { _, outcome in
            if case .ran(let r) = outcome { return r.stdoutTruncated } else { return false }
        }.map { "\($0.0)" }
        guard let differing = signatures.firstIndex(where: { $0 != majority }) else {
            if !cut.isEmpty {
                // Agreement on a prefix is not agreement: say so, and do not claim it.
                print("stdout over the \(Subprocess.Options.defaultCaptureLimit >> 20) MiB capture limit on \(cut.joined(separator: ", ")): only the first \(Subprocess.Options.defaultCaptureLimit >> 20) MiB were compared")
                return 1
            }
            if !timedOut.isEmpty {
                print("timed out: \(timedOut.joined(separator: ", ")) (no result to compare)")
            } else if builds {
                print("all \(outcomes.count) runs agree")
            }
            return builds && timedOut.isEmpty ? 0 : 1
        }
        let agreeing = zip(configurations, signatures).filter { $0.1 == majority }.map { "\($0.0)" }
        let tie = counts.values.filter { $0 == counts[majority] }.count > 1
        print("results differ: \(configurations[differing]) vs " + (tie ? "the first group, no majority" : "the majority")
              + " (\(agreeing.joined(separator: ", ")))")
        if case .ran(let odd) = outcomes[differing], let base = zip(outcomes, signatures).first(where: { $0.1 == majority })?.0,
           case .ran(let usual) = base {
            if odd.status != usual.status {
                print("exit status: \(exitText(odd)) vs \(exitText(usual))")
                let tail = odd.stderrTail(5)
                if !tail.isEmpty { print("stderr of \(configurations[differing]):\n" + tail, terminator: tail.hasSuffix("\n") ? "" : "\n") }
            }
            if odd.stdout != usual.stdout {
                let diff = LineDiff.unified(usual.stdout, odd.stdout, oldName: agreeing.first ?? "majority",
                                            newName: configurations[differing].description)
                let lines = diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                print(lines.prefix(200).joined(separator: "\n"))
                if lines.count > 200 { print("... (\(lines.count - 200) more diff lines)") }
            }
        }
        return 1
    }

    /// `0`, `139 (SIGSEGV)`, `124 (timeout)`.
    static func exitText(_ r: ProgramRun) -> String {
        if r.killed { return "killed (timeout)" }
        if r.outcome.ending == .timeout { return "124 (timeout)" }
        if r.outcome.ending == .deadlock { return "\(r.status) (deadlock)" }
        if r.outcome.ending == .signal { return "\(r.status) (\(Verdict.signalName(r.outcome.signal ?? r.status - 128)))" }
        return "\(r.status)"
    }
}
