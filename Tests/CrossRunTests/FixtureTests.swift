import CrossRunDriver
import CrossRunSupport
import XCTest

/// Every program in `fixtures/` passes `crossrun test` on every target and backend (expected
/// stdout and exit status); and the expected files agree with the host's own clang + glibc build.
final class FixtureTests: XCTestCase {
    func testFixturesExist() throws {
        XCTAssertGreaterThanOrEqual(try Fixture.all().count, 20)
    }

    /// Every fixture on every target and backend, through `crossrun test` (the same conventions).
    /// `CROSSRUN_FIXTURE=NAME` runs only that one.
    func testFixturesPassOnEveryTargetThroughCrossrunTest() throws {
        let only = ProcessInfo.processInfo.environment["CROSSRUN_FIXTURE"]
        let count = try Fixture.all().filter { only == nil || $0.name == only }.count
        let filter = only.map { ["--filter", "^" + $0 + "$"] } ?? []
        let out = try TestSupport.runCrossrun(["test", "--timeout", "120"] + filter + [Fixture.directory])
        let lines = out.stdout.split(separator: "\n")
        XCTAssertEqual(lines.last.map(String.init), "\(count * 4) passed, 0 failed", out.stdout + out.stderr)
        XCTAssertEqual(out.status, 0)
        for configuration in ["x64/native", "x64/emu", "aarch64/emu", "rv64/emu"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix(configuration + " ") }, "\(configuration) ran\n" + out.stdout)
        }
    }

    /// The expected files are the truth of a normal build (`clang prog.c -lm -pthread -latomic && ./a.out`).
    func testExpectedOutputsMatchHostClangBuild() throws {
        for f in try Fixture.all() {
            let dir = try TestSupport.scratch()
            defer { FileIO.removeTree(dir) }
            let exe = dir + "/a.out"
            let cc = try Subprocess.run(TestSupport.toolchain.clang, ["-w", "-o", exe] + f.flags + f.sources + ["-lm", "-pthread", "-latomic"])
            XCTAssertEqual(cc.status, 0, "\(f.name): host build failed")
            guard cc.status == 0 else { continue }
            let out = try TestSupport.run(exe, f.arguments, stdin: f.stdin, cwd: dir)
            XCTAssertEqual(out.status, f.exitCode, "\(f.name): host exit status")
            XCTAssertEqual(Array(out.stdout.utf8), f.expected(on: .x64), "\(f.name): host stdout")
        }
    }
}
