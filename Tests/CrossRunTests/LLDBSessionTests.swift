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
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(source.utf8), to: dir + "/prog.c")
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let inspect = try TestSupport.runCrossrun(["inspect", "--target", target, "--elf", "prog.elf", "-g", "prog.c"], cwd: dir)
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let oCommands = commands.map { "-o " + quote($0) }.joined(separator: " ")
        // The port is chosen by the system (--gdb 0) and read from crossrun's waiting message.
        // `timeout` only bounds a hung session (a failure, not a measurement).
        let script = """
            cd \(quote(dir))
            \(quote(TestSupport.crossrun)) --gdb 0 --target \(target) -g prog.c >prog.out 2>prog.err </dev/null &
            pid=$!
            port=
            while [ -z "$port" ] && kill -0 $pid 2>/dev/null; do
              port=$(sed -n 's/.*waiting for gdb on localhost:\\([0-9]*\\).*/\\1/p' prog.err)
              [ -n "$port" ] || sleep 0.1
            done
            timeout 300 \(quote(lldb)) -b -x prog.elf -o "gdb-remote $port" \(oCommands) >lldb.out 2>&1 </dev/null
            wait $pid
            echo $? >status
            """
        _ = try TestSupport.run("/bin/sh", ["-c", script])
        func read(_ name: String) -> String { String(decoding: (try? FileIO.read(dir + "/" + name)) ?? [], as: UTF8.self) }
        return (read("lldb.out") + read("prog.err"), read("prog.out"), read("status").trimmingCharacters(in: .whitespacesAndNewlines))
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
