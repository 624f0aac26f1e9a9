@testable import CrossRunCommands
import CrossRunDriver
import XCTest

/// `Invocation.scan`, what every command receives as a value: program arguments after the
/// first `--` (later `--`s included), compile flags wherever they stand, `fuzz`'s
/// `-name=value` flags only for `fuzz`, and the rest left to ArgumentParser in order.
final class InvocationTests: XCTestCase {
    func testCompileFlagsProgramArgumentsAndTheRest() throws {
        let (invocation, rest) = try Invocation.scan(["-O2", "run", "--target", "rv64", "-DX=1", "a.c", "-e", "start", "--", "x", "--", "-O3"])
        XCTAssertEqual(rest, ["run", "--target", "rv64", "a.c"])
        XCTAssertEqual(invocation.programArguments, ["x", "--", "-O3"])
        XCTAssertTrue(invocation.compile.clangFlags.contains("-O2"), "\(invocation.compile.clangFlags)")
        XCTAssertTrue(invocation.compile.clangFlags.contains("-DX=1"), "\(invocation.compile.clangFlags)")
        XCTAssertFalse(invocation.compile.clangFlags.contains("-O3"))
        XCTAssertEqual(invocation.compile.entry, "start")
        XCTAssertEqual(invocation.fuzzFlags, [])
    }

    func testFuzzFlagsOnlyForTheFuzzCommand() throws {
        let (fuzz, fuzzRest) = try Invocation.scan(["fuzz", "-runs=10", "h.c", "-max_len=64", "corpus", "-O1"])
        XCTAssertEqual(fuzz.fuzzFlags, ["-runs=10", "-max_len=64"])
        XCTAssertEqual(fuzzRest, ["fuzz", "h.c", "corpus"])
        XCTAssertTrue(fuzz.compile.clangFlags.contains("-O1"))
        // Outside `fuzz`, -max_len=64 is no fuzz flag: it goes to clang as an -m flag.
        let (run, _) = try Invocation.scan(["run", "-max_len=64", "h.c"])
        XCTAssertEqual(run.fuzzFlags, [])
        XCTAssertTrue(run.compile.clangFlags.contains("-max_len=64"), "\(run.compile.clangFlags)")
    }

    func testNothingAfterTheDashesIsScanned() throws {
        let (invocation, rest) = try Invocation.scan(["p.c", "--", "-DNOT_A_FLAG", "-lm"])
        XCTAssertEqual(rest, ["p.c"])
        XCTAssertEqual(invocation.programArguments, ["-DNOT_A_FLAG", "-lm"])
        XCTAssertEqual(invocation.compile.clangFlags, [])
        XCTAssertEqual(invocation.compile.libraries, [])
    }
}
