import CrossRunSupport
@testable import CrossRunCommands
import CrossRunDriver
import Synchronization
import XCTest

/// `test` and `matrix` build every program in a child process: whatever happens to one build,
/// the other programs still get their verdicts (issue 12).
///
/// `test`/`matrix` builds happen in a child: with a stand-in `crossrun` whose build crashes
/// (SIGILL), fails to link, fails to compile or succeeds, each program gets its own outcome (the
/// crash an internal error) and the cache counts add up.
final class RunMatrixBuildTests: XCTestCase {
    /// A stand-in for `crossrun` that behaves, for `inspect --build-only`, as a crashing,
    /// failing or succeeding build, chosen by the program's input name.
    private func fakeCrossrun(in dir: String) throws -> String {
        let path = dir + "/fake-crossrun"
        try FileIO.write(Array("""
        #!/bin/sh
        last=""; for a in "$@"; do last=$a; done
        case "$last" in
          *crash.c) echo "Fatal error: Index out of range" >&2; kill -ILL $$ ;;
          *link.c) echo "clang: warning: unused" >&2; echo "crossrun: error: link.c: undefined symbol 'nope'" >&2; echo "0 1"; exit 1 ;;
          *syntax.c) echo "syntax.c:1:1: error: expected ';'" >&2; echo "0 1"; exit 3 ;;
          *) echo "1 0"; exit 0 ;;
        esac
        """.utf8), to: path)
        XCTAssertEqual(chmod(path, 0o755), 0)
        return path
    }

    func testEveryBuildOutcomeBecomesAVerdict() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let names = ["crash.c", "ok.c", "link.c", "syntax.c"]
        let programs = names.map { MatrixProgram(inputs: [dir + "/" + $0], options: CompileOptions(), arguments: [], standardInput: nil, isolated: false) }
        let configuration = Configuration(target: .rv64, backend: .emu)
        let matrix = try RunMatrix(programs: programs, configurations: [configuration], jobs: 2, timeout: 5,
                                   executable: try fakeCrossrun(in: dir))
        for (name, program) in zip(names, programs) where name != "ok.c" {
            let outcome = matrix.build(program, .rv64)
            switch (name, outcome) {
            case ("crash.c", .linkError(let m)?):
                XCTAssertTrue(m.hasPrefix("internal error: crossrun was killed by signal 4 while building for rv64"), m)
                XCTAssertTrue(m.contains("Index out of range"), m)
            case ("link.c", .linkError(let m)?):
                XCTAssertEqual(m, "link.c: undefined symbol 'nope'")
            case ("syntax.c", .compileError(let m)?):
                XCTAssertEqual(m, "syntax.c:1:1: error: expected ';'")
            default:
                XCTFail("\(name): \(String(describing: outcome))")
            }
        }
        XCTAssertNil(matrix.build(programs[1], .rv64))
        XCTAssertEqual(matrix.cacheStatistics.hits, 1)
        XCTAssertEqual(matrix.cacheStatistics.misses, 2)
        // The whole run: every program gets its outcome, the crashing one included.
        let outcomes = Mutex<[Int: String]>([:])
        matrix.run { index, _, outcome in
            let kind: String
            switch outcome {
            case .compileError: kind = "compile"
            case .linkError(let m): kind = m.hasPrefix("internal error") ? "internal" : "link"
            case .ran: kind = "ran"
            case .skipped: kind = "skipped"
            }
            outcomes.withLock { $0[index] = kind }
        }
        // ok.c built, so its run went to the fake too (which prints "1 0" and exits 0).
        XCTAssertEqual(outcomes.withLock { $0 }, [0: "internal", 1: "ran", 2: "link", 3: "compile"])
    }
}
