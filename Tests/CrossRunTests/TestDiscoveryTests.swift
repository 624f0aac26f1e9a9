import CrossRunDriver
import CrossRunSupport
import XCTest

/// How `crossrun test` finds tests and reads their side files.
final class TestDiscoveryTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    func file(_ name: String, _ text: String = "") throws {
        try FileIO.makeDirectories(FileIO.directory(of: dir + "/" + name))
        try FileIO.write(Array(text.utf8), to: dir + "/" + name)
    }

    func testConventions() throws {
        try file("t/plain.c")
        try file("t/plain.expected", "out\n")
        try file("t/plain.rv64.expected", "rv\n")
        try file("t/plain.args", "one\n\ntwo words\n")
        try file("t/plain.exitcode", " 7\n")
        try file("t/plain.stdin", "in")
        try file("t/dotc.c")
        try file("t/dotc.c.expected", "dotc\n")
        try file("t/self.c")
        try file("t/deep/er/x.c")
        try file("t/multi/main.c")
        try file("t/multi/b.c")
        try file("t/multi/a.c")
        try file("t/multi/inner.c.expected") // inside a directory test: not a test of its own
        try file("t/multi.expected", "m\n")
        try file("t/.hidden/h.c")
        try file("t/notes.txt")
        XCTAssertEqual(symlink(dir + "/t", dir + "/t/deep/loop"), 0) // searched once, not for ever
        let tests = try TestDiscovery.discover([dir + "/t"])
        XCTAssertEqual(tests.map(\.name), ["deep/er/x", "dotc", "multi", "plain", "self"])
        let plain = tests[3]
        XCTAssertEqual(plain.expectedOutput, Array("out\n".utf8))
        XCTAssertEqual(plain.expectedOutput(on: .rv64), Array("rv\n".utf8))
        XCTAssertEqual(plain.expectedOutput(on: .aarch64), Array("out\n".utf8))
        XCTAssertEqual(plain.arguments, ["one", "", "two words"])
        XCTAssertEqual(plain.exitStatus, 7)
        XCTAssertEqual(plain.standardInput, dir + "/t/plain.stdin")
        XCTAssertEqual(tests[1].expectedOutput, Array("dotc\n".utf8))
        XCTAssertEqual(tests[1].sideFile(".expected"), dir + "/t/dotc.c.expected")
        XCTAssertNil(tests[4].expectedOutput, "self-checking")
        XCTAssertEqual(tests[4].sideFile(".expected"), dir + "/t/self.expected")
        let multi = tests[2]
        XCTAssertEqual(multi.sources, ["main.c", "a.c", "b.c"].map { dir + "/t/multi/" + $0 })
        XCTAssertEqual(multi.flags, ["-I", dir + "/t/multi"])
        XCTAssertEqual(multi.expectedOutput, Array("m\n".utf8))

        // Files and test directories named directly.
        XCTAssertEqual(try TestDiscovery.discover([dir + "/t/plain.c", dir + "/t/multi"]).map(\.name), ["plain", "multi"])
    }

    func testBadSideFilesAndPathsAreErrors() throws {
        try file("b/x.c")
        try file("b/x.exitcode", "zero\n")
        XCTAssertThrowsError(try TestDiscovery.discover([dir + "/b"])) { error in
            XCTAssertTrue("\(error)".contains("x.exitcode: not an exit status"), "\(error)")
        }
        XCTAssertThrowsError(try TestDiscovery.discover([dir + "/missing"]))
        try file("notes.txt")
        XCTAssertThrowsError(try TestDiscovery.discover([dir + "/notes.txt"]))
    }
}
