import CrossRunDriver
import CrossRunSupport
import XCTest

/// Real lldb sessions (Debian's lldb 14, batch mode) against `crossrun --gdb 0` on x64 and
/// aarch64, with the symbol file from `crossrun inspect --elf`: a breakpoint by name at the right
/// line, a 3-frame backtrace with names and lines, an argument, `next`, a local, a watchpoint's
/// old and new values (lldb removes and re-inserts it at the stop, which must not stop the
/// program again at the same store), the exit status. riscv64 is not driven: lldb 14 has no
/// riscv64 support. Skipped with a message when Debian's lldb is missing (the toolchain's own
/// lldb needs a Python library this machine lacks).
final class LLDBSessionTests: XCTestCase {
    static let lldb: String? = ["/usr/bin/lldb", "/usr/bin/lldb-14"].first { FileIO.exists($0) }

    /// Runs `crossrun --gdb 0` on `source` and lldb with `commands` against it; returns lldb's
    /// output with crossrun's stderr, the program's stdout and crossrun's exit status.
    func session(target: String, source: String, commands: [String]) throws -> (lldb: String, program: String, status: String) {
        guard let lldb = Self.lldb else {
            throw XCTSkip("Debian's lldb is not installed (scripts/ensure-deps.sh installs it)")
        }
        let oCommands = commands.map { "-o " + TestSupport.shellQuote($0) }.joined(separator: " ")
        let r = try TestSupport.debuggerSession(target: target, source: source, flags: ["-g"],
                                                client: "\(TestSupport.shellQuote(lldb)) -b -x prog.elf -o \"gdb-remote $port\" \(oCommands)") { dir in
            // lldb does not fetch the program through the protocol: the same image as a file.
            let inspect = try TestSupport.runCrossrun(["inspect", "--target", target, "--elf", "prog.elf", "-g", "prog.c"], cwd: dir)
            XCTAssertEqual(inspect.status, 0, inspect.stderr)
        }
        return (r.client, r.program, r.status)
    }

    func assertContains(_ text: String, _ pattern: String, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotNil(text.range(of: pattern, options: .regularExpression), "\(context): no match for /\(pattern)/ in:\n\(text)", file: file, line: line)
    }

    func testSourceLevelSessionOnX64AndAArch64() throws {
        for target in ["x64", "aarch64"] {
            let r = try session(target: target, source: GDBSessionTests.lines, commands: [
                "b leaf", "c", "bt", "p x", "n", "p doubled", "breakpoint delete 1",
                "watchpoint set variable counter", "c", "c", "watchpoint delete 1", "c",
            ])
            assertContains(r.lldb, #"Breakpoint 1: where = prog.elf`leaf \+ [0-9]+ at prog.c:4"#, target)
            assertContains(r.lldb, #"frame #0: 0x[0-9a-f]+ prog.elf`leaf\(x=1\) at prog.c:4"#, target)
            assertContains(r.lldb, #"frame #1: 0x[0-9a-f]+ prog.elf`middle\(x=0\) at prog.c:9"#, target)
            assertContains(r.lldb, #"frame #2: 0x[0-9a-f]+ prog.elf`main at prog.c:14"#, target)
            assertContains(r.lldb, #"\(int\) \$0 = 1\n"#, target)
            assertContains(r.lldb, #"stop reason = step over\n +frame #0: 0x[0-9a-f]+ prog.elf`leaf\(x=1\) at prog.c:5"#, target)
            assertContains(r.lldb, #"\(int\) \$1 = 2\n"#, target)
            // The first store adds 1 (leaf(1)), the next one 2 (leaf(2)): no second stop at the first.
            assertContains(r.lldb, #"Watchpoint 1 hit:\nold value: 0\nnew value: 1\n"#, target)
            assertContains(r.lldb, #"Watchpoint 1 hit:\nold value: 1\nnew value: 3\n"#, target)
            assertContains(r.lldb, #"Process 1 exited with status = 3"#, target)
            XCTAssertEqual(r.program, "total 15 counter 6\n", target)
            XCTAssertEqual(r.status, "3", target)
        }
    }
}
