import CrossRunDriver
import XCTest

/// Every program in `fixtures/` runs natively through `crossrun` with the expected stdout and
/// exit status; and the expected files agree with the host's own clang + glibc build.
final class FixtureTests: XCTestCase {
    func testFixturesExist() throws {
        XCTAssertGreaterThanOrEqual(try Fixture.all().count, 20)
    }

    func testFixturesRunNatively() throws { try runAll(.x64, backend: "native") }

    func testFixturesRunEmulated() throws { try runAll(.x64, backend: "emu") }

    func testFixturesRunOnAArch64() throws { try runAll(.aarch64, backend: "emu") }

    func testFixturesRunOnRV64() throws { try runAll(.rv64, backend: "emu") }

    func runAll(_ target: Target, backend: String) throws {
        let only = ProcessInfo.processInfo.environment["CROSSRUN_FIXTURE"]
        for f in try Fixture.all() where only == nil || only == f.name {
            let dir = try TestSupport.scratch() // programs may create files in their cwd
            defer { FileIO.removeTree(dir) }
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--backend", backend] + f.flags + f.sources
                                                  + ["--"] + f.arguments, stdin: f.stdin, cwd: dir)
            let what = "\(target)/\(backend) \(f.name)"
            XCTAssertEqual(out.status, f.exitCode, "\(what): exit status; stderr:\n\(out.stderr)")
            let expected = f.expected(on: target)
            if Array(out.stdout.utf8) != expected {
                XCTFail("\(what): stdout differs\n--- expected\n\(String(decoding: expected, as: UTF8.self))\n--- got\n\(out.stdout)\n--- stderr\n\(out.stderr)")
            }
        }
    }

    /// The expected files are the truth of a normal build (`clang prog.c && ./a.out`).
    func testExpectedOutputsMatchHostClangBuild() throws {
        for f in try Fixture.all() {
            let dir = try TestSupport.scratch()
            defer { FileIO.removeTree(dir) }
            let exe = dir + "/a.out"
            let cc = try Subprocess.run(TestSupport.toolchain.clang, ["-w", "-o", exe] + f.flags + f.sources + ["-lm"])
            XCTAssertEqual(cc.status, 0, "\(f.name): host build failed")
            guard cc.status == 0 else { continue }
            let out = try TestSupport.run(exe, f.arguments, stdin: f.stdin, cwd: dir)
            XCTAssertEqual(out.status, f.exitCode, "\(f.name): host exit status")
            XCTAssertEqual(Array(out.stdout.utf8), f.expected(on: .x64), "\(f.name): host stdout")
        }
    }
}
