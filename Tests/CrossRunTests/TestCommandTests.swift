import CrossRunDriver
import CrossRunSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `crossrun test`: discovery, verdicts per target, reports, --update, stopping, the cache.
///
/// `crossrun test` on a scratch suite: pass, wrong expected file, NULL-write crash, infinite loop
/// (`--timeout 2`), target-dependent output with and without per-target files, self-checking,
/// compile and link errors, multi-file, args/stdin/exitcode, cwd isolation — each verdict on the
/// right configurations; final line; JUnit parsed with `XMLParser` and its counts; JSON;
/// `--update`; every test runs by default, `-x` and `--maxfail N` stop early; `--shard I/N` parts
/// cover the suite exactly once and a new test moves no other; compile options and `--filter`; one
/// clang run per source and target, none on a re-run (a logging `$CROSSRUN_CLANG`).
final class TestCommandTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    /// Writes `text` to `dir/name` (creating directories), dated 10 s ago so the compile cache
    /// does not treat it as changing under the compiler.
    func file(_ name: String, _ text: String) throws {
        let path = dir + "/" + name
        try FileIO.makeDirectories(FileIO.directory(of: path))
        try FileIO.write(Array(text.utf8), to: path)
        var times = [timespec(tv_sec: time(nil) - 10, tv_nsec: 0), timespec(tv_sec: time(nil) - 10, tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, 0)
    }

    func crossrun(_ args: [String], environment: [String: String] = [:]) throws -> TestSupport.Outcome {
        try TestSupport.runCrossrun(args, cwd: dir, environment: environment)
    }

    static let mantissa = "#include <float.h>\n#include <stdio.h>\nint main(void) { printf(\"%d\\n\", LDBL_MANT_DIG); return 0; }\n"

    func makeSuite() throws {
        try file("suite/pass.c", "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n")
        try file("suite/pass.expected", "hello\n")
        try file("suite/wrong.c", "#include <stdio.h>\nint main(void) { puts(\"right\"); return 0; }\n")
        try file("suite/wrong.expected", "wrong\n")
        try file("suite/crash.c", "int main(void) { *(volatile int *)0 = 1; return 0; }\n")
        try file("suite/loop.c", "int main(void) { for (;;) {} }\n")
        try file("suite/mant.c", Self.mantissa) // long double: 64-bit mantissa on x64, 113 elsewhere
        try file("suite/mant.expected", "64\n")
        try file("suite/mant2.c", Self.mantissa)
        try file("suite/mant2.expected", "64\n")
        try file("suite/mant2.aarch64.expected", "113\n")
        try file("suite/mant2.rv64.expected", "113\n")
        try file("suite/selfcheck.c", "int main(void) { return sizeof(int) == 4 ? 0 : 1; }\n")
        try file("suite/selffail.c", "#include <stdio.h>\nint main(void) { fputs(\"check failed\\n\", stderr); return 1; }\n")
        try file("suite/compile_err.c", "int main(void) { return 3 }\n")
        try file("suite/link_err.c", "int missing_function(void);\nint main(void) { return missing_function(); }\n")
        try file("suite/multi/main.c", "#include <stdio.h>\n#include \"helper.h\"\nint main(void) { printf(\"%d\\n\", helper()); return 0; }\n")
        try file("suite/multi/helper.h", "int helper(void);\n")
        try file("suite/multi/helper.c", "#include \"helper.h\"\nint helper(void) { return 42; }\n")
        try file("suite/multi.expected", "42\n")
        try file("suite/sub/echo.c", """
            #include <stdio.h>
            int main(int argc, char **argv) {
                for (int i = 1; i < argc; i++) printf("[%s]\\n", argv[i]);
                int c;
                while ((c = getchar()) != EOF) putchar(c);
                return argc;
            }
            """)
        try file("suite/sub/echo.args", "a\nb c\n")
        try file("suite/sub/echo.stdin", "from stdin\n")
        try file("suite/sub/echo.expected", "[a]\n[b c]\nfrom stdin\n")
        try file("suite/sub/echo.exitcode", "3\n")
        try file("suite/abort.c", "#include <stdlib.h>\nint main(void) { abort(); }\n")
        try file("suite/abort.exitcode", "134\n")
        try file("suite/files.c", """
            #include <stdio.h>
            int main(void) {
                FILE *f = fopen("out.txt", "w"); fputs("data", f); fclose(f);
                char buf[8] = {0}; f = fopen("out.txt", "r"); fgets(buf, sizeof buf, f); fclose(f);
                puts(buf);
                return 0;
            }
            """)
        try file("suite/files.expected", "data\n")
    }

    func testVerdictsOnEveryTargetWithReports() throws {
        try makeSuite()
        let out = try crossrun(["test", "--timeout", "2", "--junit", "report.xml", "--json", "report.json", "suite"])
        XCTAssertEqual(out.status, 1, out.stdout + out.stderr)

        // Verdicts, from the JSON report.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))) as? [[String: Any]]
        let rows = try XCTUnwrap(json)
        XCTAssertEqual(rows.count, 14 * 4)
        var verdicts: [String: String] = [:]
        for row in rows {
            let key = "\(row["name"] ?? "")@\(row["target"] ?? "")/\(row["backend"] ?? "")"
            verdicts[key] = row["verdict"] as? String
            XCTAssertNotNil(row["time"] as? Double, key)
            XCTAssertNotNil(row["detail"] as? String, key)
        }
        let all = ["x64/native", "x64/emu", "aarch64/emu", "rv64/emu"]
        func expect(_ name: String, _ verdict: String, on configurations: [String] = all) {
            for c in configurations { XCTAssertEqual(verdicts["\(name)@\(c)"], verdict, "\(name) on \(c)\n\(out.stdout)") }
        }
        for name in ["pass", "mant2", "selfcheck", "multi", "sub/echo", "abort", "files"] { expect(name, "pass") }
        expect("wrong", "wrong-output")
        expect("crash", "crash")
        expect("loop", "timeout")
        expect("mant", "pass", on: ["x64/native", "x64/emu"])
        expect("mant", "wrong-output", on: ["aarch64/emu", "rv64/emu"])
        expect("selffail", "wrong-exit-status")
        expect("compile_err", "compile-error")
        expect("link_err", "link-error")

        // What the terminal-less output says.
        let lines = out.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.last, "30 passed, 26 failed")
        XCTAssertTrue(out.stdout.contains("FAIL crash [x64/native]: crash (SIGSEGV)"), out.stdout)
        XCTAssertTrue(out.stdout.contains("SIGSEGV (invalid memory access) at pc 0x"), out.stdout)
        XCTAssertTrue(out.stdout.contains("(main+0x"), "symbolized PC\n" + out.stdout)
        XCTAssertTrue(out.stdout.contains("FAIL loop [rv64/emu]: timeout"), out.stdout)
        XCTAssertTrue(out.stdout.contains("timed out after 2 s"), out.stdout)
        XCTAssertTrue(out.stdout.contains("    --- mant.expected\n    +++ actual\n    @@ -1 +1 @@\n    -64\n    +113"), out.stdout)
        XCTAssertTrue(out.stdout.contains("expected exit status 0, got 1"), out.stdout)
        XCTAssertTrue(out.stdout.contains("check failed"), "stderr tail of a wrong exit status\n" + out.stdout)
        XCTAssertTrue(out.stdout.contains("expected ';' after return statement"), out.stdout)
        XCTAssertTrue(out.stdout.contains("undefined symbol 'missing_function'"), out.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("aarch64/emu") && $0.split(separator: " ", omittingEmptySubsequences: true).prefix(3) == ["aarch64/emu", "7", "7"] },
                      "per-configuration table\n" + out.stdout)

        // JUnit: parses, and its counts agree.
        let junit = try JUnitSummary(path: dir + "/report.xml")
        XCTAssertEqual(junit.rootAttributes["tests"], "56")
        XCTAssertEqual(junit.rootAttributes["failures"], "10") // wrong output, wrong exit status
        XCTAssertEqual(junit.rootAttributes["errors"], "16")   // crash, timeout, compile and link errors
        XCTAssertEqual(junit.suites.map { $0["name"] ?? "" }, all)
        let aarch64 = try XCTUnwrap(junit.suites.first { $0["name"] == "aarch64/emu" })
        XCTAssertEqual(aarch64["tests"], "14")
        XCTAssertEqual(aarch64["failures"], "3")
        XCTAssertEqual(aarch64["errors"], "4")
        XCTAssertEqual(junit.testcases, 56)
        XCTAssertTrue(junit.failureTypes.contains("wrong-output"))
        XCTAssertTrue(junit.failureTypes.contains("crash"))
        XCTAssertTrue(junit.testcaseClassnames.isSubset(of: ["x64.native", "x64.emu", "aarch64.emu", "rv64.emu"]))
    }

    func testRunsEverythingByDefaultAndStopsOnlyWhenAsked() throws {
        try file("s/a_fails.c", "int main(void) { return 1; }\n")
        try file("s/b_fails.c", "int main(void) { return 2; }\n")
        for name in ["c", "d", "e"] { try file("s/\(name).c", "int main(void) { return 0; }\n") }
        let native = ["--targets", "x64", "--backends", "native"]
        let all = try crossrun(["test", "-j1"] + native + ["s"])
        XCTAssertEqual(all.status, 1)
        XCTAssertEqual(all.stdout.split(separator: "\n").last, "3 passed, 2 failed", all.stdout)
        let first = try crossrun(["test", "-j", "1", "-x"] + native + ["s"])
        XCTAssertEqual(first.status, 1)
        XCTAssertEqual(first.stdout.split(separator: "\n").last, "0 passed, 1 failed, 4 skipped", first.stdout)
        let two = try crossrun(["test", "-j", "1", "--maxfail", "2"] + native + ["s"])
        XCTAssertEqual(two.stdout.split(separator: "\n").last, "0 passed, 2 failed, 3 skipped", two.stdout)
        let kept = try crossrun(["test", "-j1", "--keep-going"] + native + ["s"])
        XCTAssertEqual(kept.stdout.split(separator: "\n").last, "3 passed, 2 failed", kept.stdout)
        let passing = try crossrun(["test", "--filter", "^[cde]$", "s"])
        XCTAssertEqual(passing.status, 0, passing.stdout)
        XCTAssertEqual(passing.stdout.split(separator: "\n").last, "12 passed, 0 failed", passing.stdout)
        let bad = try crossrun(["test", "-x", "--maxfail", "3", "s"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("not both"), bad.stderr)
    }

    func testShardsCoverTheSuiteExactlyOnce() throws {
        let names = (0..<23).map { "t\($0)" }
        for name in names { try file("sh/\(name).c", "int main(void) { return 0; }\n") }
        var seen: [String] = []
        for i in 1...4 {
            let out = try crossrun(["test", "--shard", "\(i)/4", "--targets", "x64", "--backends", "native",
                                    "--json", "shard\(i).json", "sh"])
            XCTAssertEqual(out.status, 0, out.stdout + out.stderr)
            let json = try JSONSerialization.jsonObject(with: Data(try FileIO.read(dir + "/shard\(i).json"))) as? [[String: Any]]
            seen += (json ?? []).compactMap { $0["name"] as? String }
        }
        XCTAssertEqual(seen.sorted(), names.sorted(), "every test in exactly one shard")
        // A new test does not move any other between shards.
        let before = try crossrun(["test", "--shard", "2/4", "--targets", "x64", "--backends", "native", "--json", "b.json", "sh"])
        try file("sh/new.c", "int main(void) { return 0; }\n")
        let after = try crossrun(["test", "--shard", "2/4", "--targets", "x64", "--backends", "native", "--json", "a.json", "sh"])
        XCTAssertEqual(before.status, 0)
        XCTAssertEqual(after.status, 0)
        func shardNames(_ f: String) throws -> Set<String> {
            let json = try JSONSerialization.jsonObject(with: Data(try FileIO.read(dir + "/" + f))) as? [[String: Any]]
            return Set((json ?? []).compactMap { $0["name"] as? String })
        }
        XCTAssertEqual(try shardNames("a.json").subtracting(["new"]), try shardNames("b.json"))
        for bad in ["0/4", "5/4", "1/0", "x", "1/2/3"] {
            let out = try crossrun(["test", "--shard", bad, "sh"])
            XCTAssertNotEqual(out.status, 0, bad)
        }
    }

    func testUpdateWritesExpectedFiles() throws {
        try file("u/mant.c", Self.mantissa)
        try file("u/status.c", "#include <stdio.h>\nint main(void) { puts(\"x\"); return 5; }\n")
        try file("u/crash.c", "int main(void) { *(volatile int *)0 = 1; return 0; }\n")
        let out = try crossrun(["test", "--update", "u"])
        XCTAssertEqual(out.stdout.split(separator: "\n").last, "8 passed, 4 failed", out.stdout)
        XCTAssertTrue(out.stdout.contains("not updated: crash"), out.stdout)
        func read(_ name: String) -> String? { (try? FileIO.read(dir + "/u/" + name)).map { String(decoding: $0, as: UTF8.self) } }
        XCTAssertEqual(read("mant.expected"), "64\n")
        XCTAssertEqual(read("mant.aarch64.expected"), "113\n")
        XCTAssertEqual(read("mant.rv64.expected"), "113\n")
        XCTAssertNil(read("mant.x64.expected"))
        XCTAssertEqual(read("status.expected"), "x\n")
        XCTAssertEqual(read("status.exitcode"), "5\n")
        XCTAssertNil(read("status.aarch64.expected"))
        XCTAssertNil(read("crash.expected"))
        let again = try crossrun(["test", "--filter", "mant|status", "u"])
        XCTAssertEqual(again.status, 0, again.stdout)
        XCTAssertEqual(again.stdout.split(separator: "\n").last, "8 passed, 0 failed")
    }

    func testCompileOptionsFilterAndSelection() throws {
        try file("o/needs_value.c", "int main(void) { return VALUE == 3 ? 0 : 1; }\n")
        try file("o/broken.c", "this is not C\n")
        let out = try crossrun(["test", "-DVALUE=3", "-O2", "--filter", "^needs", "--targets", "rv64,aarch64", "o"])
        XCTAssertEqual(out.status, 0, out.stdout + out.stderr)
        XCTAssertEqual(out.stdout.split(separator: "\n").last, "2 passed, 0 failed")
        let before = try crossrun(["-DVALUE=3", "test", "--targets", "x64", "--backends", "emu", "o/needs_value.c"])
        XCTAssertEqual(before.stdout.split(separator: "\n").last, "1 passed, 0 failed", before.stdout + before.stderr)
        let bad = try crossrun(["test", "--targets", "sparc", "o"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("unknown target 'sparc'"), bad.stderr)
        let nothing = try crossrun(["test", "nowhere"])
        XCTAssertEqual(nothing.status, 1)
        XCTAssertTrue(nothing.stderr.contains("nowhere: no such file or directory"), nothing.stderr)
    }

    func testJUnitEscapesMarkupAndControlCharacters() throws {
        try file("x/odd.c", "#include <stdio.h>\nint main(void) { printf(\"<a&b> \\\"q\\\" \\x01\\x1b[31m \\xff\\n\"); return 0; }\n")
        try file("x/odd.expected", "something else\n")
        let out = try crossrun(["test", "--targets", "x64", "--backends", "native", "--junit", "j.xml", "--json", "j.json", "x"])
        XCTAssertEqual(out.stdout.split(separator: "\n").last, "0 passed, 1 failed", out.stdout)
        let junit = try JUnitSummary(path: dir + "/j.xml")
        XCTAssertEqual(junit.failureTypes, ["wrong-output"])
        let text = String(decoding: try FileIO.read(dir + "/j.xml"), as: UTF8.self)
        XCTAssertTrue(text.contains("+&lt;a&amp;b&gt; &quot;q&quot; \\x01\\x1B[31m \u{FFFD}"), text)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/j.json"))) as? [[String: Any]]
        XCTAssertTrue((json?.first?["detail"] as? String)?.contains("+<a&b> \"q\" \u{01}\u{1b}[31m") == true, "\(String(describing: json))")
    }

    /// Each source is compiled once per target (not per backend), and a re-run compiles nothing.
    func testEachSourceCompiledOncePerTargetAndRerunCompilesNothing() throws {
        try file("c/one.c", "#include <stdio.h>\nint main(void) { puts(\"1\"); return 0; }\n")
        try file("c/one.expected", "1\n")
        try file("c/two/main.c", "int main(void) { return 0; }\n")
        let log = dir + "/clang.log"
        try file("cc.sh", "#!/bin/sh\necho \"$*\" >> '\(log)'\nexec '\(TestSupport.toolchain.clang)' \"$@\"\n")
        chmod(dir + "/cc.sh", 0o755)
        let env = ["CROSSRUN_CLANG": dir + "/cc.sh", "CROSSRUN_CACHE_DIR": dir + "/cache", "CROSSRUN_NO_CACHE": ""]
        func compiles() -> Int {
            let text = (try? FileIO.read(log)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return text.split(separator: "\n").filter { $0.contains(" -c ") }.count
        }
        let first = try crossrun(["test", "c"], environment: env)
        XCTAssertEqual(first.stdout.split(separator: "\n").last, "8 passed, 0 failed", first.stdout + first.stderr)
        XCTAssertEqual(compiles(), 2 * 3, "two sources, three targets, four configurations")
        XCTAssertTrue(first.stdout.contains("compile cache: 0 reused, 6 compiled"), first.stdout)
        let second = try crossrun(["test", "c"], environment: env)
        XCTAssertEqual(second.stdout.split(separator: "\n").last, "8 passed, 0 failed")
        XCTAssertEqual(compiles(), 6, "the re-run compiled something")
        XCTAssertTrue(second.stdout.contains("compile cache: 6 reused, 0 compiled"), second.stdout)
    }
}

/// The parts of a JUnit XML file the tests check, read with Foundation's XMLParser.
final class JUnitSummary: NSObject, XMLParserDelegate {
    var rootAttributes: [String: String] = [:]
    var suites: [[String: String]] = []
    var testcases = 0
    var testcaseClassnames = Set<String>()
    var failureTypes = Set<String>()
    var problems: [String] = []

    init(path: String) throws {
        super.init()
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: path)))
        parser.delegate = self
        guard parser.parse() else { throw parser.parserError ?? NSError(domain: "junit", code: 1) }
        if !problems.isEmpty { throw NSError(domain: "junit", code: 2, userInfo: [NSLocalizedDescriptionKey: problems.joined(separator: "; ")]) }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "testsuites": rootAttributes = attributes
        case "testsuite":
            suites.append(attributes)
            // What Ant's JUnit schema requires of a suite (timestamp as xs:dateTime without a zone).
            for required in ["name", "tests", "failures", "errors", "skipped", "time", "id", "package", "timestamp", "hostname"]
                where attributes[required] == nil {
                problems.append("testsuite without \(required)")
            }
            if let t = attributes["timestamp"], t.count != 19 || Array(t)[10] != "T" { problems.append("timestamp \(t)") }
        case "testcase":
            testcases += 1
            testcaseClassnames.insert(attributes["classname"] ?? "")
            if attributes["name"] == nil || attributes["time"].flatMap(Double.init) == nil { problems.append("bad testcase \(attributes)") }
        case "failure", "error":
            failureTypes.insert(attributes["type"] ?? "")
            if attributes["message"] == nil { problems.append("\(name) without message") }
        case "skipped", "properties", "system-out", "system-err": break
        default: problems.append("unexpected element \(name)")
        }
    }
}
