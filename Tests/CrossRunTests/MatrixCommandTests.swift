import CrossRunDriver
import CrossRunSupport
import XCTest

/// `crossrun matrix`: one program on every target/backend, results compared.
///
/// `crossrun matrix`: exit 0 and one digest when runs agree (with `-D`, `--stdin`, program
/// arguments), exit 1 and the diff on target-dependent output, crash reports, compile errors, a
/// fault inside `strlen` the same crash on all four configurations, a sleeping program stopped by
/// `--timeout` on each.
final class MatrixCommandTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    func file(_ name: String, _ text: String) throws {
        try FileIO.write(Array(text.utf8), to: dir + "/" + name)
    }

    func crossrun(_ args: [String]) throws -> TestSupport.Outcome {
        try TestSupport.runCrossrun(args, cwd: dir)
    }

    func testAgreeingProgramExitsZero() throws {
        try file("agree.c", """
            #include <stdio.h>
            int main(int argc, char **argv) {
                int c, n = 0;
                while ((c = getchar()) != EOF) n++;
                printf("X=%d argc=%d last=%s stdin=%d\\n", X, argc, argv[argc - 1], n);
                return 3;
            }
            """)
        try file("in.txt", "four")
        let out = try crossrun(["matrix", "-DX=5", "agree.c", "--stdin", "in.txt", "--", "a", "b"])
        XCTAssertEqual(out.status, 0, out.stdout + out.stderr)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first?.split(separator: " ").map(String.init), ["target", "backend", "exit", "stdout", "time"])
        for (target, backend) in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")] {
            XCTAssertTrue(lines.contains { $0.split(separator: " ").prefix(3) == [Substring(target), Substring(backend), "3"] },
                          "\(target)/\(backend) row\n" + out.stdout)
        }
        XCTAssertEqual(lines.last, "all 4 runs agree")
        // Every row shows the same digest (of "X=5 argc=3 last=b stdin=4\n").
        let digests = Set(lines.dropFirst().dropLast().map { $0.split(separator: " ")[3] })
        XCTAssertEqual(digests.count, 1, out.stdout)
    }

    func testTargetDependentOutputExitsOneWithDiff() throws {
        try file("ld.c", "#include <float.h>\n#include <stdio.h>\nint main(void) { printf(\"same\\n%d\\n\", LDBL_MANT_DIG); return 0; }\n")
        let out = try crossrun(["matrix", "-j", "4", "ld.c"])
        XCTAssertEqual(out.status, 1, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("results differ: aarch64/emu vs"), out.stdout)
        XCTAssertTrue(out.stdout.contains("--- x64/native\n+++ aarch64/emu\n@@ -1,2 +1,2 @@\n same\n-64\n+113\n"), out.stdout)
        XCTAssertEqual(out.stdout.components(separatedBy: "<- differs").count - 1, 2, out.stdout)
        let narrowed = try crossrun(["matrix", "--targets", "aarch64,rv64", "ld.c"])
        XCTAssertEqual(narrowed.status, 0, narrowed.stdout)
        XCTAssertTrue(narrowed.stdout.contains("all 2 runs agree"), narrowed.stdout)
    }

    func testCrashesAndBuildErrorsAreShown() throws {
        try file("crash.c", "#include <stdio.h>\nint main(void) { puts(\"before\"); fflush(stdout); *(volatile int *)0 = 1; return 0; }\n")
        let crash = try crossrun(["matrix", "--backends", "emu", "--targets", "x64,rv64", "crash.c"])
        XCTAssertEqual(crash.status, 0, "the runs agree: " + crash.stdout)
        XCTAssertTrue(crash.stdout.contains("139 (SIGSEGV)"), crash.stdout)
        XCTAssertTrue(crash.stdout.contains("rv64/emu: crossrun: crash.c: SIGSEGV"), crash.stdout)
        try file("loop.c", "int main(void) { for (;;) {} }\n")
        let loop = try crossrun(["matrix", "--timeout", "1", "--targets", "x64", "loop.c"])
        XCTAssertEqual(loop.status, 1, loop.stdout)
        XCTAssertTrue(loop.stdout.contains("124 (timeout)") && loop.stdout.contains("timed out: x64/native, x64/emu"), loop.stdout)
        try file("bad.c", "int main(void) { return nope; }\n")
        let bad = try crossrun(["matrix", "bad.c"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stdout.contains("compile error"), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("use of undeclared identifier 'nope'"), bad.stdout)
    }

    /// A fault inside a C library function is the same crash on every configuration (the
    /// verdict comes from each run's outcome record), and a program sleeping past `--timeout`
    /// is stopped by its own deadline on each.
    func testLibraryCrashesAndSleepsAgreeEverywhere() throws {
        try file("strlen.c", "#include <string.h>\nchar *volatile s = 0;\nint main(void) { return (int)strlen(s); }\n")
        let crash = try crossrun(["matrix", "strlen.c"])
        XCTAssertEqual(crash.status, 0, "the runs agree: " + crash.stdout)
        XCTAssertEqual(crash.stdout.components(separatedBy: "139 (SIGSEGV)").count - 1, 4, crash.stdout)
        XCTAssertTrue(crash.stdout.contains("rv64/emu: crossrun: strlen.c: SIGSEGV (invalid memory access) in strlen called from"), crash.stdout)
        try file("sleep.c", "#include <unistd.h>\nint main(void) { sleep(100); return 0; }\n")
        let sleeps = try crossrun(["matrix", "--timeout", "1", "sleep.c"])
        XCTAssertEqual(sleeps.status, 1, sleeps.stdout)
        XCTAssertEqual(sleeps.stdout.components(separatedBy: "124 (timeout)").count - 1, 4, sleeps.stdout)
        XCTAssertEqual(sleeps.stdout.components(separatedBy: ": timed out after 1 s").count - 1, 4, sleeps.stdout)
    }
}
