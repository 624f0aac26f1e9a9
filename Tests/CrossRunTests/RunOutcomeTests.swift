import CrossRunDriver
import CrossRunSupport
import Foundation
import XCTest

/// How a run ends, one way on every configuration: the outcome record both backends write
/// (`--outcome-file`), the verdicts `crossrun test` draws from it, and `--timeout` holding
/// for programs that sleep, wait on a pipe, or block and ignore signals.
///
/// One crash, one verdict: a NULL write, `strlen(NULL)`, `abort`, `raise(SIGFPE)`, a stack overflow
/// are the same crash on all four configurations, and spinning, `sleep`, `read` on a silent pipe, a
/// program blocking every signal and one handling them the same timeout, reported by the run
/// itself; x86-64 division by zero on both backends; the `--outcome-file` record per configuration;
/// records round-trip and garbage is rejected; verdicts come from records and wait statuses, not
/// stderr.
final class RunOutcomeTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    @discardableResult
    func file(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try FileIO.makeDirectories(FileIO.directory(of: path))
        try FileIO.write(Array(text.utf8), to: path)
        var times = [timespec(tv_sec: time(nil) - 10, tv_nsec: 0), timespec(tv_sec: time(nil) - 10, tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, 0)
        return path
    }

    func crossrun(_ args: [String]) throws -> TestSupport.Outcome {
        try TestSupport.runCrossrun(args, cwd: dir)
    }

    static let crashes: [(name: String, source: String, signal: String, status: Int)] = [
        ("null_write", "int *volatile p = 0;\nint main(void) { *p = 1; return 0; }\n", "SIGSEGV", 139),
        ("strlen_null", "#include <string.h>\nchar *volatile s = 0;\nint main(void) { return (int)strlen(s); }\n", "SIGSEGV", 139),
        ("aborts", "#include <stdlib.h>\nint main(void) { abort(); }\n", "SIGABRT", 134),
        ("raise_fpe", "#include <signal.h>\nint main(void) { raise(SIGFPE); return 0; }\n", "SIGFPE", 136),
        ("overflow", "int down(volatile int n) { volatile char pad[256]; pad[0] = (char)n; return down(n + 1) + pad[0]; }\nint main(void) { return down(0); }\n",
         "SIGSEGV", 139),
    ]

    static let hangs: [(name: String, source: String)] = [
        ("spins", "int main(void) { for (;;) {} }\n"),
        ("sleeps", "#include <unistd.h>\nint main(void) { sleep(100); return 0; }\n"),
        ("reads_pipe", "#include <unistd.h>\nint main(void) { int fd[2]; if (pipe(fd)) return 3; char c; return (int)read(fd[0], &c, 1); }\n"),
        ("blocks_signals", """
            #include <signal.h>
            #define XCPU 24 /* SIGXCPU on every target */
            int main(void) {
                sigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, 0);
                signal(SIGALRM, SIG_IGN); signal(SIGTERM, SIG_IGN); signal(XCPU, SIG_IGN);
                for (;;) {}
            }

            """),
        ("handles_signals", """
            #include <signal.h>
            #define XCPU 24 /* SIGXCPU on every target */
            static void on(int s) { (void)s; }
            int main(void) { signal(SIGALRM, on); signal(XCPU, on); signal(SIGTERM, on); for (;;) {} }

            """),
    ]

    /// One crash, one verdict: a NULL write, a fault inside `strlen`, `abort`, `raise(SIGFPE)`,
    /// a stack overflow, and five kinds of hang get the same verdict on all four configurations
    /// (a crash with its signal, or a timeout the run itself reported, never the runner's kill).
    func testOneCrashGetsOneVerdictOnEveryConfiguration() throws {
        for c in Self.crashes { try file("suite/\(c.name).c", c.source) }
        for h in Self.hangs { try file("suite/\(h.name).c", h.source) }
        let out = try crossrun(["test", "-k", "--timeout", "1", "--json", "report.json", "suite"])
        XCTAssertEqual(out.status, 1, out.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))) as? [[String: Any]]
        let report = try XCTUnwrap(json)
        let configurations = ["x64/native", "x64/emu", "aarch64/emu", "rv64/emu"]
        func rows(of name: String) -> [String: [String: Any]] {
            var byConfiguration: [String: [String: Any]] = [:]
            for row in report where row["name"] as? String == name {
                byConfiguration["\(row["target"] ?? "")/\(row["backend"] ?? "")"] = row
            }
            return byConfiguration
        }
        for c in Self.crashes {
            let found = rows(of: c.name)
            XCTAssertEqual(Set(found.keys), Set(configurations), c.name)
            for (configuration, row) in found {
                XCTAssertEqual(row["verdict"] as? String, "crash", "\(c.name) \(configuration): \(row)")
                XCTAssertEqual(row["status"] as? Int, c.status, "\(c.name) \(configuration): \(row)")
                XCTAssertTrue((row["detail"] as? String)?.contains(c.signal) == true, "\(c.name) \(configuration): \(row)")
            }
            XCTAssertEqual(out.stdout.components(separatedBy: "FAIL \(c.name) [").count - 1, 4, out.stdout)
        }
        for h in Self.hangs {
            let found = rows(of: h.name)
            XCTAssertEqual(Set(found.keys), Set(configurations), h.name)
            for (configuration, row) in found {
                XCTAssertEqual(row["verdict"] as? String, "timeout", "\(h.name) \(configuration): \(row)")
                XCTAssertEqual(row["status"] as? Int, 124, "\(h.name) \(configuration): \(row)")
                // The run's own report, not the runner's backstop kill.
                let detail = row["detail"] as? String ?? ""
                XCTAssertTrue(detail.contains("timed out after 1 s"), "\(h.name) \(configuration): \(detail)")
                XCTAssertFalse(detail.contains("killed after"), "\(h.name) \(configuration): \(detail)")
            }
        }
    }

    /// A death by a signal that is not a crash is quiet, as a real process's: a writer whose
    /// reader went away (`yes | head -1`: SIGPIPE) and a program ended by SIGTERM leave stderr
    /// empty, with status 128+N, on every configuration; the emulated run's outcome record still
    /// says why.
    func testQuietSignalsLeaveStandardErrorEmpty() throws {
        try file("writer.c", "#include <stdio.h>\nint main(void) { for (;;) puts(\"y\"); }\n")
        try file("terminated.c", "#include <signal.h>\nint main(void) { raise(SIGTERM); return 0; }\n")
        for (target, backend) in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")] {
            let pair = "\(target)/\(backend)"
            let command = "'\(TestSupport.crossrun)' --target \(target) --backend \(backend) writer.c 2>err | head -1; echo \"${PIPESTATUS[0]}\"; cat err"
            let piped = try TestSupport.run("/bin/bash", ["-c", command], cwd: dir)
            XCTAssertEqual(piped.stdout, "y\n141\n", "\(pair): \(piped.stderr)")
            let ended = try crossrun(["--target", target, "--backend", backend, "--outcome-file", "record.json", "terminated.c"])
            XCTAssertEqual(ended.status, 143, pair)
            XCTAssertEqual(ended.stderr, "", pair)
            // Natively the host kills the process outright (no reporter runs, as for any process).
            guard backend == "emu" else { continue }
            let record = String(decoding: try FileIO.read(dir + "/record.json"), as: UTF8.self)
            XCTAssertTrue(record.contains("\"signal\":15"), "\(pair): \(record)")
        }
    }

    /// x86-64 traps on integer division by zero (SIGFPE) natively and emulated alike; aarch64
    /// and riscv64 hardware does not trap, so there the program exits normally.
    func testDivisionByZeroIsTheSameCrashOnBothX64Backends() throws {
        try file("div/divide.c", "volatile int zero = 0;\nint main(void) { return 10 / zero; }\n")
        let out = try crossrun(["test", "-k", "--targets", "x64", "div"])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stdout.contains("FAIL divide [x64/native]: crash (SIGFPE)"), out.stdout)
        XCTAssertTrue(out.stdout.contains("FAIL divide [x64/emu]: crash (SIGFPE)"), out.stdout)
        try file("div/divide.exitcode", "136\n")
        let expected = try crossrun(["test", "--targets", "x64", "div"])
        XCTAssertEqual(expected.status, 0, expected.stdout)
        XCTAssertTrue(expected.stdout.hasSuffix("2 passed, 0 failed\n"), expected.stdout)
    }

    /// The record `crossrun run --outcome-file` writes, per configuration.
    func testRunWritesTheOutcomeRecord() throws {
        let strlenNull = try file("s.c", Self.crashes[1].source)
        let exits = try file("e.c", "int main(void) { return 3; }\n")
        let spins = try file("l.c", Self.hangs[0].source)
        let sleeps = try file("z.c", Self.hangs[1].source)
        for (label, run) in CLITests.runs {
            let record = dir + "/record.json"
            func outcome(_ args: [String]) throws -> OutcomeRecord {
                FileIO.removeTree(record)
                _ = try crossrun(["run"] + run + ["--outcome-file", "record.json"] + args)
                let text = String(decoding: try FileIO.read(record), as: UTF8.self)
                return try XCTUnwrap(OutcomeRecord(json: text), "\(label): \(text)")
            }
            let crash = try outcome([strlenNull])
            XCTAssertEqual(crash.ending, .signal, label)
            XCTAssertEqual(crash.status, 139, label)
            XCTAssertEqual(crash.signal, 11, label)
            XCTAssertEqual(crash.faultAddress, 0, label)
            XCTAssertTrue(crash.report?.contains("SIGSEGV") == true, "\(label): \(String(describing: crash.report))")
            if label != "x64/native" {
                // Emulated: the library function and the guest caller's symbol.
                XCTAssertEqual(crash.function, "strlen", label)
                XCTAssertTrue(crash.symbol?.hasPrefix("main+") == true, "\(label): \(String(describing: crash.symbol))")
            }
            let normal = try outcome([exits])
            XCTAssertEqual(normal, OutcomeRecord(ending: .exit, status: 3), label)
            let timeout = try outcome(["--timeout", "1", spins])
            XCTAssertEqual(timeout.ending, .timeout, label)
            XCTAssertEqual(timeout.status, 124, label)
            XCTAssertEqual(timeout.seconds, 1, label)
            XCTAssertTrue(timeout.symbol?.hasPrefix("main") == true, "\(label): \(String(describing: timeout.symbol))")
            let waiting = try outcome(["--timeout", "1", sleeps])
            XCTAssertEqual(waiting.ending, .timeout, label)
            if label != "x64/native" { XCTAssertEqual(waiting.function, "sleep", label) }
        }
    }

    /// A guest that blocks every signal and ignores SIGALRM/SIGTERM/SIGXCPU still ends at its
    /// deadline, with CrossRun's report and status 124, on every configuration.
    func testTimeoutHoldsForAProgramThatBlocksSignals() throws {
        let p = try file("b.c", Self.hangs[3].source)
        for (label, run) in CLITests.runs {
            let out = try crossrun(run + ["--timeout", "1", p])
            XCTAssertEqual(out.status, 124, "\(label): \(out.stderr)")
            XCTAssertTrue(out.stderr.hasPrefix("crossrun: \(p): timed out after 1 s"), "\(label): \(out.stderr)")
        }
    }

    /// The largest limits do not wrap around to short ones (4294968 s is 704 ms in 32-bit
    /// milliseconds).
    func testHugeTimeoutsDoNotWrap() throws {
        let p = try file("nap.c", "#include <unistd.h>\nint main(void) { usleep(900000); return 5; }\n")
        for (label, run) in CLITests.runs.prefix(2) {
            for limit in ["4294968", "4294967295"] {
                let out = try crossrun(run + ["--timeout", limit, p])
                XCTAssertEqual(out.status, 5, "\(label) --timeout \(limit): \(out.stderr)")
            }
        }
    }

    func testRecordsRoundTripAndRejectGarbage() throws {
        var r = OutcomeRecord(ending: .signal, status: 139)
        r.signal = 11
        r.pc = 0x40_1139
        r.symbol = "main+0x9"
        r.function = "strlen"
        r.faultAddress = 0
        r.report = "crossrun: \"odd\\name\".c:\n\u{1}"
        XCTAssertEqual(OutcomeRecord(json: r.json), r)
        XCTAssertTrue(r.json.hasSuffix("}\n"))
        XCTAssertFalse(r.json.dropLast().contains("\n"))
        for bad in ["", "{", "[]", "{\"outcome\":\"exit\"}", "{\"outcome\":\"bogus\",\"status\":1}", "{\"outcome\":\"exit\",\"status\":99999999999}",
                    "{\"outcome\":\"exit\",\"status\":0", "{\"outcome\":\"exit\",\"status\":\"0\"}", "{\"outcome\":\"exit\" \"status\":0}"] {
            XCTAssertNil(OutcomeRecord(json: bad), bad)
        }
        // What the native crash reporter writes (C), read back.
        let native = OutcomeRecord(json: "{\"outcome\":\"signal\",\"status\":134,\"signal\":6,\"pc\":\"0x7f00\",\"report\":\"crossrun: a\\\\b: SIGABRT\"}\n")
        XCTAssertEqual(native?.signal, 6)
        XCTAssertEqual(native?.pc, 0x7f00)
        XCTAssertEqual(native?.report, "crossrun: a\\b: SIGABRT")
    }

    /// Verdicts come from the record (or the wait status), never from stderr's text.
    func testVerdictsFollowTheRecord() throws {
        let test = try XCTUnwrap(TestDiscovery.discover([try file("t.c", "int main(void) { return 0; }\n")]).first)
        func judge(_ run: ProgramRun) -> Verdict { Verdict.judge(.ran(run), of: test, on: .x64) }
        var crash = OutcomeRecord(ending: .signal, status: 139)
        crash.signal = 11
        crash.report = "crossrun: t.c: SIGSEGV (invalid memory access) in strlen called from 0x400010 (main+0x10), fault address 0x0"
        XCTAssertEqual(judge(ProgramRun(status: 139, stdout: [], stderr: [], killed: false, seconds: 0, outcome: crash)),
                       .crash(signal: "SIGSEGV", report: crash.report ?? ""))
        // A program that returns 139 did not crash, whatever it printed.
        let fake = Array("crossrun: t.c: SIGSEGV (invalid memory access) at pc 0x1\n".utf8)
        XCTAssertEqual(judge(ProgramRun(status: 139, stdout: [], stderr: fake, killed: false, seconds: 0,
                                        outcome: OutcomeRecord(ending: .exit, status: 139))).key, "wrong-exit-status")
        // Died of a signal nothing caught (no record): the wait status says so.
        XCTAssertEqual(judge(ProgramRun(status: 143, stdout: [], stderr: [], killed: false, seconds: 0, signal: 15)).name, "crash (SIGTERM)")
        // A record that disagrees with the exit status is not believed.
        XCTAssertEqual(judge(ProgramRun(status: 0, stdout: [], stderr: [], killed: false, seconds: 0, outcome: crash)), .pass)
        var timeout = OutcomeRecord(ending: .timeout, status: 124)
        timeout.report = "crossrun: t.c: timed out after 1 s at pc 0x400000 (main)"
        XCTAssertEqual(judge(ProgramRun(status: 124, stdout: [], stderr: [], killed: false, seconds: 1, outcome: timeout)),
                       .timeout(report: timeout.report ?? ""))
        XCTAssertEqual(judge(ProgramRun(status: 137, stdout: [], stderr: [], killed: true, seconds: 6, signal: 9)).key, "timeout")
    }

    /// What a program leaves running cannot hold the runner: a background process keeping the
    /// output pipe open is killed with the run's process group when the run ends (else the
    /// runner would wait for it until its backstop kill and call the run a timeout), and a
    /// program waiting in `system` for a long command is stopped at its deadline. (Native
    /// only: emulated programs get no host shell, `system` fails with ENOSYS.)
    func testLeftoverProcessesDoNotHoldTheRunner() throws {
        try file("left/background.c", "#include <stdio.h>\n#include <stdlib.h>\nint main(void) { system(\"sleep 100 &\"); puts(\"done\"); return 0; }\n")
        try file("left/background.expected", "done\n")
        let native = ["--targets", "x64", "--backends", "native"]
        let out = try crossrun(["test", "-k", "--timeout", "20"] + native + ["left"])
        XCTAssertEqual(out.status, 0, out.stdout)
        XCTAssertTrue(out.stdout.hasSuffix("1 passed, 0 failed\n"), out.stdout)
        try file("wait/waits.c", "#include <stdlib.h>\nint main(void) { return system(\"sleep 100\"); }\n")
        let waits = try crossrun(["test", "-k", "--timeout", "1", "--json", "waits.json"] + native + ["wait"])
        XCTAssertEqual(waits.status, 1, waits.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/waits.json"))) as? [[String: Any]]
        let rows = try XCTUnwrap(json)
        XCTAssertEqual(rows.count, 1)
        for row in rows {
            XCTAssertEqual(row["verdict"] as? String, "timeout", "\(row)")
            XCTAssertTrue((row["detail"] as? String)?.contains("timed out after 1 s") == true, "\(row)")
        }
    }
}
