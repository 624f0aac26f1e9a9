import CrossRunSupport
@testable import CrossRunCommands
import CrossRunDriver
import Dispatch
import Synchronization
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `test`/`matrix`'s run workers (`crossrun run-worker`: one per job slot, building in itself and
/// forking each run) give what a child `crossrun` process per build and per run gave.
///
/// Run workers on all four pairs, against child processes: a crash (report, symbolized function,
/// signal), stdin, the isolated working directory, arguments, unoriented standard streams (the
/// worker's own printing never touches them), stderr with clang's warnings and
/// exit statuses agree byte for byte, and the runs really were served by at most `-j` workers; a
/// timed-out run is ended and its forked child killed with its process group; a worker killed in
/// the middle of a run is an internal error for that program only, its run is killed too, and the
/// next program runs on a new worker; `--schedules` seeds reach the forked runs (a racy program
/// differs, a steady one does not); a runner killed outright takes its runs and what they forked
/// with it (its worker kills the run's process group); the protocol's frames decode back and truncated or corrupt
/// ones are errors, never traps; `crossrun run-worker` by hand is refused.
final class RunWorkerTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    static let all = [Configuration(target: .x64, backend: .native), Configuration(target: .x64, backend: .emu),
                      Configuration(target: .aarch64, backend: .emu), Configuration(target: .rv64, backend: .emu)]

    func program(_ name: String, _ source: String, arguments: [String] = [], stdin: String? = nil, isolated: Bool = true,
                 flags: [String] = []) throws -> MatrixProgram {
        try FileIO.write(Array(source.utf8), to: dir + "/" + name)
        var input: String?
        if let stdin {
            input = dir + "/" + name + ".stdin"
            try FileIO.write(Array(stdin.utf8), to: dir + "/" + name + ".stdin")
        }
        var options = CompileOptions()
        options.clangFlags = flags
        return MatrixProgram(inputs: [dir + "/" + name], options: options, arguments: arguments, standardInput: input, isolated: isolated)
    }

    /// Every (program, configuration) outcome of a whole matrix run.
    static func outcomes(_ matrix: RunMatrix) -> [String: RunOutcome] {
        let all = Mutex<[String: RunOutcome]>([:])
        matrix.run { index, configuration, outcome in all.withLock { $0["\(index) \(configuration)"] = outcome } }
        return all.withLock { $0 }
    }

    /// A native crash report's PC and fault address differ from run to run (address-space
    /// randomization): compared without the hex numbers of native runs.
    func comparable(_ text: String, native: Bool) -> String {
        guard native else { return text }
        return text.replacing(/0x[0-9a-f]+/, with: "0x…")
    }

    /// Whether process `pid` is gone (or a zombie nobody reaped yet) within a few seconds: a
    /// `SIGKILL` takes effect asynchronously.
    static func ends(_ pid: pid_t) -> Bool {
        for _ in 0..<500 {
            if kill(pid, 0) != 0 && errno == ESRCH { return true }
            let stat = (try? FileIO.read("/proc/\(pid)/stat")).map { String(decoding: $0, as: UTF8.self) } ?? ""
            if let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].hasPrefix(" Z") { return true }
            usleep(10_000)
        }
        return false
    }

    func testWorkersGiveWhatChildProcessesGave() throws {
        let programs = [
            try program("crash.c", """
                #include <stdio.h>
                void store_null(int *p) { *p = 1; }
                int main(void) { puts("before"); fflush(stdout); store_null(0); return 0; }
                """),
            try program("io.c", """
                #include <stdio.h>
                #include <fcntl.h>
                #include <unistd.h>
                #include <wchar.h>
                int main(int argc, char **argv) {
                    /* Fresh streams: no orientation yet (a worker that printed would have set it). */
                    int out = fwide(stdout, 0), err = fwide(stderr, 0);
                    int c; long n = 0;
                    while ((c = getchar()) != EOF) n++;
                    FILE *f = fopen("made-here.txt", "w");
                    fputs("x", f);
                    fclose(f);
                    char cwd[4096];
                    getcwd(cwd, sizeof cwd);
                    /* The scratch directory is fresh: only the file just made is in it. */
                    printf("stdin %ld argc %d %s %s open %d fd %d orientation %d %d\\n", n, argc, argv[1], argv[2],
                           open("io.c", O_RDONLY) >= 0, open("made-here.txt", O_RDONLY), out, err);
                    fprintf(stderr, "to stderr\\n");
                    return 3;
                }
                """, arguments: ["one", "two words"], stdin: "four"),
            try program("warn.c", "int main(void) { int unused; return 0; }\n", isolated: false, flags: ["-Wunused-variable"]),
        ]
        func run(_ useWorkers: Bool) throws -> (RunMatrix, [String: RunOutcome]) {
            let matrix = try RunMatrix(programs: programs, configurations: Self.all, jobs: 2, timeout: 60, executable: TestSupport.crossrun,
                                       useWorkers: useWorkers)
            return (matrix, Self.outcomes(matrix))
        }
        let (workers, served) = try run(true)
        let (_, spawned) = try run(false)
        XCTAssertEqual(served.count, 12)
        // Served by workers: at most one per job, none restarted, none left behind.
        let started = try XCTUnwrap(workers.workers).startedCount
        XCTAssertTrue((1...2).contains(started), "\(started) workers")
        XCTAssertEqual(workers.workers?.idlePIDs, [])
        for (key, outcome) in served {
            guard case .ran(let a) = outcome, case .ran(let b)? = spawned[key] else {
                XCTFail("\(key): \(outcome) / \(String(describing: spawned[key]))")
                continue
            }
            let native = key.hasSuffix("native")
            XCTAssertEqual(a.status, b.status, key)
            XCTAssertEqual(a.stdout, b.stdout, key)
            XCTAssertEqual(comparable(String(decoding: a.stderr, as: UTF8.self), native: native),
                           comparable(String(decoding: b.stderr, as: UTF8.self), native: native), key)
            XCTAssertEqual(a.outcome.ending, b.outcome.ending, key)
            XCTAssertEqual(a.outcome.signal, b.outcome.signal, key)
            XCTAssertEqual(a.outcome.symbol, b.outcome.symbol, key)
            XCTAssertEqual(a.outcome.faultAddress, b.outcome.faultAddress, key)
            XCTAssertEqual(a.report.map { comparable($0, native: native) }, b.report.map { comparable($0, native: native) }, key)
            XCTAssertFalse(a.killed, key)
        }
        for configuration in Self.all {
            guard case .ran(let crash)? = served["0 \(configuration)"], case .ran(let io)? = served["1 \(configuration)"],
                  case .ran(let warn)? = served["2 \(configuration)"] else { return XCTFail("\(configuration)") }
            XCTAssertEqual(crash.status, 139, "\(configuration)")
            XCTAssertEqual(String(decoding: crash.stdout, as: UTF8.self), "before\n")
            XCTAssertEqual(crash.outcome.symbol?.hasPrefix("store_null+0x"), true, "\(configuration): \(String(describing: crash.outcome.symbol))")
            XCTAssertTrue(crash.report?.contains("SIGSEGV") == true && crash.report?.contains("(store_null+0x") == true,
                          crash.report ?? "no report")
            XCTAssertEqual(io.status, 3)
            XCTAssertEqual(String(decoding: io.stdout, as: UTF8.self), "stdin 4 argc 3 one two words open 0 fd 3 orientation 0 0\n", "\(configuration)")
            XCTAssertEqual(String(decoding: io.stderr, as: UTF8.self), "to stderr\n", "\(configuration)")
            XCTAssertTrue(String(decoding: warn.stderr, as: UTF8.self).contains("warning: unused variable 'unused'"),
                          "\(configuration): " + String(decoding: warn.stderr, as: UTF8.self))
        }
        XCTAssertFalse(FileIO.exists(dir + "/made-here.txt"), "isolated runs write into their scratch directory")
    }

    func testATimedOutRunIsEndedWithItsProcessGroup() throws {
        let pidFile = dir + "/child.pid"
        let loop = try program("loop.c", """
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                if (fork() == 0) {
                    FILE *f = fopen(argv[1], "w");
                    fprintf(f, "%d\\n", getpid());
                    fclose(f);
                    for (;;) sleep(1);
                }
                for (;;) {}
            }
            """, arguments: [pidFile])
        for configuration in [Configuration(target: .x64, backend: .native), Configuration(target: .rv64, backend: .emu)] {
            unlink(pidFile)
            let matrix = try RunMatrix(programs: [loop], configurations: [configuration], jobs: 1, timeout: 1,
                                       executable: TestSupport.crossrun, useWorkers: true)
            guard case .ran(let run)? = Self.outcomes(matrix)["0 \(configuration)"] else { return XCTFail("\(configuration): no run") }
            XCTAssertEqual(run.status, 124, "\(configuration)")
            XCTAssertEqual(run.outcome.ending, .timeout, "\(configuration)")
            XCTAssertTrue(run.report?.contains("timed out after 1 s at pc 0x") == true, run.report ?? "no report")
            XCTAssertEqual(matrix.workers?.startedCount, 1)
            let text = String(decoding: try FileIO.read(pidFile), as: UTF8.self).trimmingCharacters()
            let child = try XCTUnwrap(pid_t(text), text)
            XCTAssertTrue(Self.ends(child), "the program's forked child \(child) outlived the run on \(configuration)")
        }
    }

    func testAWorkerThatDiesIsAnInternalErrorForThatProgramOnly() throws {
        let marker = dir + "/sleeper.pids"
        let sleeper = try program("sleeper.c", """
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                char tmp[4096];
                snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
                FILE *f = fopen(tmp, "w");
                fprintf(f, "%d %d\\n", getppid(), getpid());
                fclose(f);
                rename(tmp, argv[1]);
                sleep(60);
                return 0;
            }
            """, arguments: [marker], isolated: false)
        let hello = try program("hello.c", "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n")
        let configuration = Configuration(target: .x64, backend: .native)
        let matrix = try RunMatrix(programs: [sleeper, hello], configurations: [configuration], jobs: 1, timeout: 120,
                                   executable: TestSupport.crossrun, useWorkers: true)
        let finished = DispatchSemaphore(value: 0)
        let result = Mutex<[String: RunOutcome]>([:])
        DispatchQueue(label: "matrix").async {
            let all = RunWorkerTests.outcomes(matrix)
            result.withLock { $0 = all }
            finished.signal()
        }
        // The sleeper writes its worker's pid (its parent) and its own; kill the worker.
        var pids: [pid_t] = []
        for _ in 0..<6000 where pids.count != 2 {
            usleep(10_000)
            pids = ((try? FileIO.read(marker)).map { String(decoding: $0, as: UTF8.self) } ?? "")
                .split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
        }
        XCTAssertEqual(pids.count, 2, "the sleeper never started")
        guard pids.count == 2 else { return }
        XCTAssertEqual(kill(pids[0], SIGKILL), 0)
        XCTAssertEqual(finished.wait(timeout: .now() + 120), .success)
        let outcomes = result.withLock { $0 }
        guard case .linkError(let message)? = outcomes["0 \(configuration)"] else {
            return XCTFail("sleeper: \(String(describing: outcomes["0 \(configuration)"]))")
        }
        XCTAssertTrue(message.hasPrefix("internal error: crossrun's run worker (pid \(pids[0])) was killed by signal 9 while running on x64/native"),
                      message)
        guard case .ran(let run)? = outcomes["1 \(configuration)"] else { return XCTFail("hello: \(String(describing: outcomes["1 \(configuration)"]))") }
        XCTAssertEqual(String(decoding: run.stdout, as: UTF8.self), "hello\n")
        XCTAssertEqual(matrix.workers?.startedCount, 2, "a new worker for the next program")
        // The dead worker's run went with it.
        XCTAssertTrue(Self.ends(pids[1]), "the sleeper \(pids[1]) outlived its worker")
    }

    func testKillingTheRunnerKillsItsRunsAndWhatTheyForked() throws {
        let suite = dir + "/suite"
        XCTAssertEqual(mkdir(suite, 0o755), 0)
        let marker = dir + "/forker.pids"
        try FileIO.write(Array("""
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                pid_t child = fork();
                if (child == 0) { sleep(60); return 0; }
                char tmp[4096];
                snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
                FILE *f = fopen(tmp, "w");
                fprintf(f, "%d %d\\n", getpid(), child);
                fclose(f);
                rename(tmp, argv[1]);
                sleep(60);
                return 0;
            }
            """.utf8), to: suite + "/forker.c")
        try FileIO.write(Array((marker + "\n").utf8), to: suite + "/forker.args")
        try FileIO.write([], to: suite + "/forker.expected")
        let temporary = dir + "/tmp"
        XCTAssertEqual(mkdir(temporary, 0o700), 0)
        for (target, backend, signal) in [("x64", "native", "KILL"), ("rv64", "emu", "KILL"), ("x64", "native", "TERM"), ("rv64", "emu", "HUP")] {
            unlink(marker)
            // The runner is killed (outright, or by a signal it can clean up after) once the
            // program started; its temporary directories go to a directory of the test's own.
            let script = """
                TMPDIR='\(temporary)' '\(TestSupport.crossrun)' test --targets \(target) --backends \(backend) --timeout 120 '\(suite)' >'\(dir)/runner.out' 2>&1 & runner=$!
                i=0; while [ ! -s '\(marker)' ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done
                kill -\(signal) $runner; wait $runner; echo $? >'\(dir)/runner.status'; exit 0
                """
            _ = try TestSupport.run("/bin/sh", ["-c", script])
            let context = "\(target)/\(backend), SIG\(signal)"
            let pids = String(decoding: (try? FileIO.read(marker)) ?? [], as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
            XCTAssertEqual(pids.count, 2, "\(context): " + String(decoding: (try? FileIO.read(dir + "/runner.out")) ?? [], as: UTF8.self))
            for pid in pids {
                XCTAssertTrue(Self.ends(pid), "\(context): \(pid) outlived the runner")
                if !Self.ends(pid) { kill(pid, SIGKILL) }
            }
            let status = String(decoding: (try? FileIO.read(dir + "/runner.status")) ?? [], as: UTF8.self)
            let number = ["KILL": 9, "TERM": 15, "HUP": 1][signal] ?? 0
            XCTAssertEqual(status, "\(128 + number)\n", "\(context): the runner ends by the signal")
            if signal != "KILL" {
                // Its runs' scratch directories and outcome records went with it.
                XCTAssertEqual(FileIO.entries(of: temporary), [], context)
            }
            for name in FileIO.entries(of: temporary) { FileIO.removeTree(temporary + "/" + name) }
        }
    }

    func testScheduleSeedsReachTheForkedRuns() throws {
        let race = try program("race.c", EmulatorThreadTests.racyCounter)
        let steady = try program("steady.c", "#include <stdio.h>\nint main(void) { puts(\"steady\"); return 0; }\n")
        let configuration = Configuration(target: .aarch64, backend: .emu)
        let matrix = try RunMatrix(programs: [race, steady], configurations: [configuration], jobs: 1, timeout: 60,
                                   executable: TestSupport.crossrun, schedules: 4, useWorkers: true)
        let all = Self.outcomes(matrix)
        guard case .ran(let racy)? = all["0 \(configuration)"], case .ran(let calm)? = all["1 \(configuration)"] else {
            return XCTFail("\(all)")
        }
        XCTAssertTrue(racy.scheduleDifference?.hasPrefix("schedule seed ") == true, racy.scheduleDifference ?? "no difference")
        XCTAssertNil(calm.scheduleDifference)
        XCTAssertEqual(String(decoding: calm.stdout, as: UTF8.self), "steady\n")
        XCTAssertEqual(matrix.workers?.startedCount, 1)
    }

    func testFramesDecodeBackAndBadFramesAreErrors() throws {
        var options = Subprocess.Options()
        options.standardInput = "/in"
        options.workingDirectory = nil
        options.captureOutput = true
        options.captureError = true
        options.timeout = 6.5
        options.processGroup = true
        let request = RunWorkerProtocol.Request(arguments: ["run", "--target", "rv64", "é x"], options: options)
        let bytes = RunWorkerProtocol.encode(request)
        let back = try RunWorkerProtocol.decodeRequest(bytes)
        XCTAssertEqual(back.arguments, request.arguments)
        XCTAssertEqual(back.options.standardInput, "/in")
        XCTAssertNil(back.options.workingDirectory)
        XCTAssertEqual(back.options.timeout, 6.5)
        XCTAssertTrue(back.options.processGroup && back.options.captureOutput && back.options.captureError)
        let result = Subprocess.Result(status: 139, output: [1, 2, 3], error: Array("err".utf8), timedOut: false, signal: 11,
                                       outputTruncated: true)
        guard case .finished(let r) = try RunWorkerProtocol.decodeReply(RunWorkerProtocol.encode(.finished(result))) else {
            return XCTFail("not a result")
        }
        XCTAssertEqual([r.status, r.signal ?? 0], [139, 11])
        XCTAssertEqual(r.output, [1, 2, 3])
        XCTAssertEqual(r.error, Array("err".utf8))
        XCTAssertTrue(r.outputTruncated)
        // Every truncation, and every byte of a frame changed, decodes or fails: never a trap.
        for frame in [bytes, RunWorkerProtocol.encode(.finished(result)), RunWorkerProtocol.encode(.started(42))] {
            for cut in 0..<frame.count {
                if frame == bytes {
                    XCTAssertThrowsError(try RunWorkerProtocol.decodeRequest(Array(frame[0..<cut])), "cut at \(cut)")
                } else {
                    XCTAssertThrowsError(try RunWorkerProtocol.decodeReply(Array(frame[0..<cut])), "cut at \(cut)")
                }
            }
            for i in frame.indices {
                for value: UInt8 in [0, 1, 0x7f, 0xff] {
                    var bad = frame
                    bad[i] = value
                    _ = try? RunWorkerProtocol.decodeRequest(bad)
                    _ = try? RunWorkerProtocol.decodeReply(bad)
                }
            }
        }
        XCTAssertThrowsError(try RunWorkerProtocol.decodeRequest(bytes + [0]))
        XCTAssertThrowsError(try RunWorkerProtocol.decodeReply([9]))
    }

    func testRunWorkerByHandIsRefused() throws {
        let out = try TestSupport.runCrossrun(["run-worker"], cwd: dir)
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.contains("run-worker is started by crossrun test and matrix"), out.stderr)
    }
}
