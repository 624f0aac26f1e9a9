import CrossRunSupport
/// What one run of a program produced (a child `crossrun run` process, or its build).
public enum RunOutcome: Sendable {
    /// clang rejected a source: its diagnostics.
    case compileError(String)
    /// The linker (or the driver, for a bad input) refused: its message.
    case linkError(String)
    /// The program ran.
    case ran(ProgramRun)
    /// Not run (an earlier failure stopped the suite).
    case skipped
}

/// A finished program run.
public struct ProgramRun: Sendable {
    /// Exit status (128+N for signal N, 124 for a timeout).
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// The run outlived its time limit and was killed from outside.
    public var killed: Bool
    /// Wall time in seconds.
    public var seconds: Double
    /// How the run ended, as the child wrote it (`--outcome-file`), or as its wait status says
    /// when it wrote none (it called `_exit`, died of a signal no handler caught, or never ran).
    public var outcome: OutcomeRecord
    /// stdout went past the capture limit: ``stdout`` is only its start and cannot be judged.
    public var stdoutTruncated = false
    /// Repeated under several scheduler seeds (`--schedules K`), a seed gave another stdout or
    /// exit status than seed 1: which one, and how (this run is seed 1's).
    public var scheduleDifference: String?

    public init(status: Int32, stdout: [UInt8], stderr: [UInt8], killed: Bool, seconds: Double,
                outcome: OutcomeRecord? = nil, signal: Int32? = nil) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.killed = killed
        self.seconds = seconds
        if let outcome, outcome.status == status, !killed {
            self.outcome = outcome
        } else if let signal {
            self.outcome = OutcomeRecord(ending: .signal, status: status)
            self.outcome.signal = signal
        } else {
            self.outcome = OutcomeRecord(ending: .exit, status: status)
        }
    }

    /// CrossRun's one-line crash or timeout report (`crossrun: prog.c: SIGSEGV ... at pc ...`),
    /// for a run that died of a signal or timed out.
    public var report: String? {
        guard outcome.ending != .exit else { return nil }
        return outcome.report ?? (outcome.signal.map { "killed by \(Verdict.signalName($0))" })
    }

    /// The last `count` lines of stderr.
    public func stderrTail(_ count: Int = 8) -> String {
        LineDiff.lines(stderr).suffix(count).joined()
    }
}

/// How a test run ended, judged against the test's expectations.
public enum Verdict: Sendable, Equatable {
    case pass
    /// stdout differs: a unified diff (expected → actual), cut to a few lines.
    case wrongOutput(diff: String)
    case wrongExitStatus(expected: Int32, got: Int32, stderr: String)
    /// Killed by a signal it was not expected to die of: the signal's name and CrossRun's report.
    case crash(signal: String, report: String)
    case timeout(report: String)
    /// Every guest thread blocked with none able to wake: the run's deadlock report.
    case deadlock(report: String)
    /// Scheduler seeds disagree (`--schedules K`): the seed that differs, and how.
    case scheduleDependent(detail: String)
    /// stdout went past the capture limit (bytes): it cannot be compared, nor written by `--update`.
    case outputTooLarge(limit: Int)
    case compileError(String)
    case linkError(String)
    case skipped

    /// Short human name: `pass`, `wrong output`, `crash`…
    public var name: String {
        switch self {
        case .pass: return "pass"
        case .wrongOutput: return "wrong output"
        case .wrongExitStatus: return "wrong exit status"
        case .crash(let signal, _): return "crash (\(signal))"
        case .timeout: return "timeout"
        case .deadlock: return "deadlock"
        case .scheduleDependent: return "schedule-dependent"
        case .outputTooLarge: return "output too large"
        case .compileError: return "compile error"
        case .linkError: return "link error"
        case .skipped: return "skipped"
        }
    }

    /// Machine name for JSON and JUnit: `pass`, `wrong-output`, `wrong-exit-status`, `crash`,
    /// `timeout`, `deadlock`, `schedule-dependent`, `output-too-large`, `compile-error`, `link-error`, `skipped`.
    public var key: String {
        switch self {
        case .pass: return "pass"
        case .wrongOutput: return "wrong-output"
        case .wrongExitStatus: return "wrong-exit-status"
        case .crash: return "crash"
        case .timeout: return "timeout"
        case .deadlock: return "deadlock"
        case .scheduleDependent: return "schedule-dependent"
        case .outputTooLarge: return "output-too-large"
        case .compileError: return "compile-error"
        case .linkError: return "link-error"
        case .skipped: return "skipped"
        }
    }

    public var isFailure: Bool {
        switch self {
        case .pass, .skipped: return false
        default: return true
        }
    }

    /// Whether the program misbehaved (JUnit `<failure>`) rather than could not be judged
    /// normally (crash, timeout, build errors: JUnit `<error>`).
    public var isAssertionFailure: Bool {
        switch self {
        case .wrongOutput, .wrongExitStatus, .scheduleDependent: return true
        default: return false
        }
    }

    /// The explanation shown under a failure (empty for pass and skipped).
    public var detail: String {
        switch self {
        case .pass, .skipped: return ""
        case .wrongOutput(let diff): return diff
        case .wrongExitStatus(let expected, let got, let stderr):
            return "expected exit status \(expected), got \(got)" + (stderr.isEmpty ? "" : "\nstderr:\n" + stderr)
        case .crash(_, let report): return report
        case .timeout(let report), .deadlock(let report): return report
        case .scheduleDependent(let detail): return detail
        case .outputTooLarge(let limit):
            return "stdout is over the \(limit >> 20) MiB capture limit; the rest was not kept, so it cannot be compared"
        case .compileError(let message), .linkError(let message): return message
        }
    }

    /// Lines of diff kept in ``wrongOutput(diff:)``.
    public static let diffLines = 20

    /// Judges `outcome` of `test` on `target`. A wrong output's diff goes from the expected
    /// file (named in its `---` line) to `actual`.
    public static func judge(_ outcome: RunOutcome, of test: TestCase, on target: Target) -> Verdict {
        let run: ProgramRun
        switch outcome {
        case .compileError(let m): return .compileError(m)
        case .linkError(let m): return .linkError(m)
        case .skipped: return .skipped
        case .ran(let r): run = r
        }
        if run.killed { return .timeout(report: "killed after \(formatSeconds(run.seconds)) (no report from the run)") }
        if let difference = run.scheduleDifference { return .scheduleDependent(detail: difference) }
        switch run.outcome.ending {
        case .timeout:
            return .timeout(report: run.report ?? "timed out")
        case .deadlock where run.status != test.exitStatus:
            return .deadlock(report: run.report ?? "deadlock")
        case .signal where run.status != test.exitStatus:
            return .crash(signal: signalName(run.outcome.signal ?? run.status - 128), report: run.report ?? "")
        case .exit where run.status != test.exitStatus:
            return .wrongExitStatus(expected: test.exitStatus, got: run.status, stderr: run.stderrTail())
        default:
            break
        }
        if run.stdoutTruncated, test.expectedOutput(on: target) != nil { return .outputTooLarge(limit: Subprocess.Options.defaultCaptureLimit) }
        if let expected = test.expectedOutput(on: target), expected != run.stdout {
            let file = test.sideFile(test.targetOutput[target] == nil ? ".expected" : ".\(target.rawValue).expected")
            return .wrongOutput(diff: shortDiff(expected, run.stdout, expectedLabel: TestDiscovery.lastComponent(file)))
        }
        return .pass
    }

    /// A unified diff cut to ``diffLines`` lines.
    public static func shortDiff(_ expected: [UInt8], _ actual: [UInt8], expectedLabel: String = "expected", label: String = "actual") -> String {
        let lines = LineDiff.unified(expected, actual, oldName: expectedLabel, newName: label).split(separator: "\n", omittingEmptySubsequences: false)
        let body = lines.last == "" ? lines.dropLast() : lines[...]
        guard body.count > diffLines else { return body.joined(separator: "\n") }
        return body.prefix(diffLines).joined(separator: "\n") + "\n... (\(body.count - diffLines) more diff lines)"
    }

    /// `SIGSEGV` for 11 and so on.
    public static func signalName(_ n: Int32) -> String {
        let names: [Int32: String] = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
                                      8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
                                      14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ", 31: "SIGSYS"]
        return names[n] ?? "signal \(n)"
    }

    /// `0.12s`, `12.30s`.
    public static func formatSeconds(_ s: Double) -> String { decimal(s, 2) + "s" }

    /// `value` (not negative) with exactly `digits` decimals: `1.500`.
    public static func decimal(_ value: Double, _ digits: Int) -> String {
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        let n = Int((max(0, value) * Double(scale)).rounded())
        let fraction = String(n % scale)
        return "\(n / scale)" + (digits > 0 ? "." + String(repeating: "0", count: digits - fraction.count) + fraction : "")
    }
}
