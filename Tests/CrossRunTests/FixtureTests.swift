import CrossRunDriver
import CrossRunSupport
import Foundation
import Testing
import XCTest

/// The fixtures exist, and their expected files agree with the host's own clang + glibc build
/// (each fixture's run on every target and backend is a case of `FixtureCases`).
final class FixtureTests: XCTestCase {
    func testFixturesExist() throws {
        XCTAssertGreaterThanOrEqual(try Fixture.all().count, 20)
    }

    /// The expected files are the truth of a normal build (`clang prog.c -lm -pthread -latomic && ./a.out`).
    func testExpectedOutputsMatchHostClangBuild() throws {
        for f in try Fixture.all() {
            let dir = try TestSupport.scratch()
            defer { FileIO.removeTree(dir) }
            // Any user may run the program, as one installed anywhere (a fixture that gives up
            // root runs itself again as "nobody"); the scratch directory is made 0700.
            chmod(dir, 0o755)
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

/// Every program in `fixtures/` passes `crossrun test` (expected stdout and exit status, the
/// same conventions) on every target and backend, one Swift Testing case per fixture and
/// configuration, so a failure names both. One `crossrun test --json` run of the whole
/// directory (parallel, as a user runs it) serves every case; to run one fixture by hand:
/// `crossrun test --filter NAME fixtures/`.
@Suite struct FixtureCases {
    static let names = ((try? Fixture.all()) ?? []).map(\.name)
    static let configurations = ["x64/native", "x64/emu", "aarch64/emu", "rv64/emu"]

    /// Verdict and detail by "NAME CONFIGURATION", or why the run gave none.
    static let results: Result<[String: (verdict: String, detail: String)], FixtureRunError> = {
        do {
            let dir = try TestSupport.scratch()
            defer { FileIO.removeTree(dir) }
            let json = dir + "/results.json"
            let out = try TestSupport.runCrossrun(["test", "--timeout", "120", "--json", json, Fixture.directory])
            guard let data = try? FileIO.read(json),
                  let rows = try? JSONSerialization.jsonObject(with: Data(data)) as? [[String: Any]] else {
                return .failure(FixtureRunError(text: "no JSON results (status \(out.status)):\n\(out.stdout)\(out.stderr)"))
            }
            var table: [String: (verdict: String, detail: String)] = [:]
            for row in rows {
                guard let name = row["name"] as? String, let target = row["target"] as? String,
                      let backend = row["backend"] as? String, let verdict = row["verdict"] as? String else { continue }
                table[name + " " + target + "/" + backend] = (verdict, row["detail"] as? String ?? "")
            }
            return .success(table)
        } catch {
            return .failure(FixtureRunError(text: "\(error)"))
        }
    }()

    @Test func thereAreFixtures() {
        #expect(Self.names.count >= 20)
    }

    @Test(arguments: names, configurations)
    func fixturePasses(_ name: String, _ configuration: String) throws {
        let table = try Self.results.get()
        let result = try #require(table[name + " " + configuration], "\(name) did not run on \(configuration)")
        #expect(result.verdict == "pass", "\(name) on \(configuration): \(result.verdict)\n\(result.detail)")
    }
}

/// Why the shared fixture run gave no results.
struct FixtureRunError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}
