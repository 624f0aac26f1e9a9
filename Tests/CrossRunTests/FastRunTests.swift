import ArgumentParser
@testable import CrossRunCommands
import XCTest

/// `FastRun`, the run-command scanner that skips ArgumentParser: whatever it accepts, it must
/// read exactly as ArgumentParser does; everything else it must leave to ArgumentParser.
final class FastRunTests: XCTestCase {
    /// What ArgumentParser makes of `arguments` (as `crossrun` parses them), if a run.
    func parsed(_ arguments: [String]) -> RunRequest? {
        (try? CrossRunCommand.parseAsRoot(arguments) as? Run)?.request
    }

    func testAcceptedFormsMatchArgumentParser() throws {
        let accepted: [[String]] = [
            ["hello.c"],
            ["run", "hello.c"],
            ["-"],
            ["a.c", "b.o", "lib.a"],
            ["--target", "rv64", "hello.c"],
            ["--target=aarch64", "--backend=emu", "hello.c"],
            ["hello.c", "--backend", "native", "--target", "x64"],
            ["--target", "bogus", "hello.c"], // a string: the run reports it, both ways alike
            ["run", "--exit-with-parent", "--outcome-file", "/tmp/o.json", "--timeout", "10", "--backend", "emu", "p.c"],
            ["--deterministic", "--verbose", "--root", "/srv", "--schedule-seed", "18446744073709551615", "p.c"],
            ["--trace", "libc:puts,printf", "--trace-file", "t.txt", "--trace-string-limit", "64", "p.c"],
            ["--gdb", "1234", "--backend", "emu", "p.c"],
            ["--timeout", "+5", "p.c"],
            ["--target=rv64=x", "p.c"], [""], ["dir/a=b.c", "./run"],
        ]
        for arguments in accepted {
            let fast = FastRun.scan(arguments)
            XCTAssertNotNil(fast, "\(arguments) is a plain run")
            XCTAssertEqual(fast, parsed(arguments), "\(arguments)")
        }
        XCTAssertEqual(FastRun.scan(["--target", "rv64", "--timeout", "3", "p.c"]),
                       RunRequest(target: "rv64", inputs: ["p.c"], timeout: 3))
    }

    func testEverythingElseIsLeftToArgumentParser() {
        let declined: [[String]] = [
            [], ["run"], ["--help"], ["-h"], ["help"], ["--version"], ["run", "--help"],
            ["inspect", "p.c"], ["test", "fixtures/"], ["matrix", "p.c"], ["cache", "--clear"], ["fuzz", "h.c"],
            ["p.c", "test"], ["run", "run"],
            ["--target"], ["--target", "--backend", "emu", "p.c"], ["--target=", "p.c"],
            ["--backend", "qemu", "p.c"], ["--backend", "EMU", "p.c"],
            ["--timeout", "-1", "p.c"], ["--timeout", "4294967296", "p.c"], ["--timeout", "1.5", "p.c"],
            ["--gdb", "65536", "p.c"], ["--schedule-seed", "x", "p.c"], ["--trace-string-limit", "many", "p.c"],
            ["--target", "x64", "--target", "rv64", "p.c"], ["--verbose", "--verbose", "p.c"],
            ["--verbose=true", "p.c"], ["--no-such-option", "p.c"], ["-x", "p.c"], ["--", "p.c"],
            ["--experimental-dump-help"], ["--generate-completion-script", "bash"],
        ]
        for arguments in declined {
            XCTAssertNil(FastRun.scan(arguments), "\(arguments) must go to ArgumentParser")
        }
    }

    /// `test`/`matrix`'s build child: the forms `RunMatrix` starts read as ArgumentParser
    /// reads them; any other `inspect` is left to it.
    func testBuildOnlyChildMatchesArgumentParser() {
        let accepted: [[String]] = [
            ["inspect", "--build-only", "--target", "rv64", "t/main.c", "t/util.c"],
            ["inspect", "--build-only", "--target=aarch64", "p.c"],
            ["inspect", "p.c", "--build-only"],
            ["inspect", "--build-only", "-"],
        ]
        for arguments in accepted {
            guard let fast = FastRun.scanBuildOnly(arguments) else { XCTFail("\(arguments)"); continue }
            guard let parsed = try? CrossRunCommand.parseAsRoot(arguments) as? Inspect else { XCTFail("\(arguments)"); continue }
            XCTAssertTrue(parsed.buildOnly)
            XCTAssertNil(parsed.elf)
            XCTAssertEqual(fast.target, parsed.build.target, "\(arguments)")
            XCTAssertEqual(fast.inputs, parsed.build.inputs, "\(arguments)")
        }
        let declined: [[String]] = [
            ["inspect", "p.c"], ["inspect", "--build-only"], ["inspect", "--build-only", "--elf", "o", "p.c"],
            ["inspect", "--build-only", "--build-only", "p.c"], ["inspect", "--build-only", "--target", "p.c"],
            ["inspect", "--build-only", "--target", "x64", "--target", "rv64", "p.c"], ["inspect", "--help"],
            ["run", "--build-only", "p.c"], ["--build-only", "p.c"], ["inspect", "--build-only", "-h", "p.c"],
        ]
        for arguments in declined {
            XCTAssertNil(FastRun.scanBuildOnly(arguments), "\(arguments) must go to ArgumentParser")
        }
        XCTAssertNil(FastRun.scan(["inspect", "--build-only", "p.c"]), "not a run")
    }

    /// The scanner's table names every option `Run` declares (hidden ones included), so a new
    /// option cannot be silently misread: an option missing from the table would only ever be
    /// declined, but this keeps the two in step.
    func testOptionTableNamesEveryRunOption() {
        let help = CrossRunCommand.helpMessage(for: Run.self, includeHidden: true, columns: 1000)
        var names = Set<String>()
        var rest = Substring(help)
        while let start = rest.range(of: "--") {
            let tail = rest[start.upperBound...]
            let name = tail.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            if let first = name.first, first.isLetter { names.insert(String(name)) }
            rest = tail.dropFirst(name.count)
        }
        names.subtract(["help", "version"])
        XCTAssertEqual(names, Set(FastRun.options))
        for name in FastRun.options { XCTAssertNotNil(FastRun.kind(of: Substring(name)), name) }
    }

    /// The guest's environment is split by byte as `getenv` splits it: the same as the
    /// `Character` search it replaced on ordinary entries, the first `=` wins, entries without
    /// one are left out, a later duplicate wins, bytes that are not UTF-8 are repaired alike;
    /// and a `=` before a combining mark (one grapheme with it) still splits, as in C.
    func testEnvironmentSplitsAtTheFirstEqualsByte() {
        func characterSplit(_ entries: [String]) -> [String: String] {
            var env: [String: String] = [:]
            for text in entries {
                if let eq = text.firstIndex(of: "=") { env[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            }
            return env
        }
        func byteSplit(_ entries: [[UInt8]]) -> [String: String] {
            let owned = entries.map { bytes in bytes.withUnsafeBufferPointer { buffer in
                let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
                buffer.withMemoryRebound(to: CChar.self) { p.initialize(from: $0.baseAddress!, count: bytes.count) }
                p[bytes.count] = 0
                return p
            } }
            defer { owned.forEach { $0.deallocate() } }
            var list: [UnsafeMutablePointer<CChar>?] = owned + [nil]
            return list.withUnsafeMutableBufferPointer { Run.environment($0.baseAddress!) }
        }
        let ordinary = ["PATH=/usr/bin:/bin", "A=b=c", "EMPTY=", "=starts", "NOEQUALS", "Ü=ä ö", "DUP=1", "DUP=2", "LANG=C.UTF-8"]
        XCTAssertEqual(byteSplit(ordinary.map { Array($0.utf8) }), characterSplit(ordinary))
        XCTAssertEqual(byteSplit(ordinary.map { Array($0.utf8) })["A"], "b=c")
        XCTAssertNil(byteSplit(ordinary.map { Array($0.utf8) })["NOEQUALS"])
        XCTAssertEqual(byteSplit([[0x42, 0x3d, 0xff, 0x41]]), ["B": String(decoding: [0xff, 0x41] as [UInt8], as: UTF8.self)])
        XCTAssertEqual(byteSplit([Array("M=\u{301}x".utf8)]), ["M": "\u{301}x"])
        XCTAssertEqual(Run.environment()["PATH"], getenv("PATH").map { String(cString: $0) })
    }
}
