import CrossRunDriver
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `crossrun test` never judges or records output it did not keep, and `--update` never writes
/// outside the suite.
extension TestCommandTests {
    /// 70 MiB of `a`: more than the 64 MiB `test` keeps of a run's stdout.
    static let huge = """
        #include <stdio.h>
        #include <string.h>
        static char block[1 << 20];
        int main(void) {
            memset(block, 'a', sizeof block);
            for (int i = 0; i < 70; i++) fwrite(block, 1, sizeof block, stdout);
            return 0;
        }
        """

    /// The expected file holds exactly the 64 MiB that are kept: before, the run "passed".
    func testOutputOverTheCaptureLimitIsAVerdict() throws {
        try file("big/huge.c", Self.huge)
        let limit = Subprocess.Options.defaultCaptureLimit
        try FileIO.write([UInt8](repeating: UInt8(ascii: "a"), count: limit), to: dir + "/big/huge.expected")
        try file("big/small.c", "#include <stdio.h>\nint main(void) { puts(\"ok\"); return 0; }\n")
        try file("big/small.expected", "ok\n")
        let out = try crossrun(["test", "-k", "--json", "r.json", "big"])
        XCTAssertEqual(out.status, 1, out.stdout + out.stderr)
        for configuration in ["x64/native", "x64/emu", "aarch64/emu", "rv64/emu"] {
            XCTAssertTrue(out.stdout.contains("FAIL huge [\(configuration)]: output too large"), "\(configuration)\n\(out.stdout)")
        }
        XCTAssertTrue(out.stdout.contains("stdout is over the 64 MiB capture limit"), out.stdout)
        XCTAssertTrue(out.stdout.hasSuffix("4 passed, 4 failed\n"), out.stdout)
        let json = String(decoding: try FileIO.read(dir + "/r.json"), as: UTF8.self)
        XCTAssertTrue(json.contains("\"output-too-large\""), json)

        // --update keeps the expected file as it is, and says why.
        unlink(dir + "/big/huge.expected")
        let update = try crossrun(["test", "--update", "--targets", "x64", "big/huge.c"])
        XCTAssertTrue(update.stdout.contains("not updated: huge (the reference run's stdout on x64/native is over the 64 MiB capture limit)"), update.stdout)
        XCTAssertFalse(FileIO.exists(dir + "/big/huge.expected"))
    }

    /// A symbolic link as a side file may lead anywhere: `--update` reports it and leaves both
    /// the link and its target alone, and still writes the test's other files.
    func testUpdateDoesNotWriteThroughSymbolicLinks() throws {
        try file("outside.txt", "precious\n")
        try file("s/t.c", "#include <stdio.h>\nint main(void) { puts(\"new\"); return 3; }\n")
        XCTAssertEqual(symlink("../outside.txt", dir + "/s/t.expected"), 0)
        XCTAssertEqual(symlink("../outside.txt", dir + "/s/t.x64.expected"), 0)   // stale for the reference target
        let out = try crossrun(["test", "--update", "--targets", "x64", "--backends", "emu", "s"])
        XCTAssertTrue(out.stdout.contains("not updated: \(dir)/s/t.expected is a symbolic link"), out.stdout)
        XCTAssertEqual(try FileIO.read(dir + "/outside.txt"), Array("precious\n".utf8))
        var st = stat()
        XCTAssertEqual(lstat(dir + "/s/t.expected", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFLNK)
        XCTAssertEqual(try FileIO.read(dir + "/s/t.exitcode"), Array("3\n".utf8), "the other files are written")
        XCTAssertTrue(out.stdout.contains("not updated: \(dir)/s/t.x64.expected is a symbolic link"), out.stdout)
        XCTAssertEqual(FileIO.entries(of: dir + "/s").sorted(), ["t.c", "t.exitcode", "t.expected", "t.x64.expected"], "no temporary left behind")
    }
}
