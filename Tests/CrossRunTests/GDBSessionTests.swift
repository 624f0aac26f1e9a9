import CrossRunDriver
import CrossRunSupport
import XCTest

/// Real gdb-multiarch sessions in batch mode against `crossrun --gdb` on x64, aarch64 and
/// rv64 (emulated): break by name, continue, backtrace, memory and registers, stepi, a global
/// read through its symbol, the exit code; a fault seen as SIGSEGV.
///
/// Real gdb-multiarch batch sessions against `crossrun --gdb 0` on x64, aarch64 and rv64: break by
/// name, a 3-frame backtrace with names, a global read through its symbol, `x/i`, each arch's
/// registers, `stepi`, a watchpoint's old/new values, a NULL store seen as SIGSEGV, the exit code;
/// with `-g` a breakpoint at the right file and line, a 3-frame backtrace with names and lines,
/// `next`, a local, `watch` on a global by name; skipped with a message when gdb-multiarch is
/// missing.
final class GDBSessionTests: XCTestCase {
    static let gdb: String? = ["/usr/bin/gdb-multiarch", "/usr/local/bin/gdb-multiarch"].first { FileIO.exists($0) }

    static let program = """
        #include <stdio.h>
        int counter;
        int leaf(int x) { counter += x; return x * 2; }
        int middle(int x) { return leaf(x + 1) + 1; }
        int main(void) {
            int total = 0;
            for (int i = 0; i < 3; i++) total += middle(i);
            printf("total %d counter %d\\n", total, counter);
            return 3;
        }
        """

    static let lines = """
        #include <stdio.h>
        int counter;
        int leaf(int x) {
            int doubled = x * 2;
            counter += x;
            return doubled;
        }
        int middle(int x) {
            return leaf(x + 1) + 1;
        }
        int main(void) {
            int total = 0;
            for (int i = 0; i < 3; i++)
                total += middle(i);
            printf("total %d counter %d\\n", total, counter);
            return 3;
        }
        """

    /// Runs `crossrun --gdb 0` on `source` and gdb-multiarch with `commands` against it; returns
    /// gdb's output, the program's stdout and crossrun's exit status.
    func session(target: String, source: String, flags: [String] = [], commands: [String]) throws -> (gdb: String, program: String, status: String) {
        guard let gdb = Self.gdb else {
            throw XCTSkip("gdb-multiarch is not installed (scripts/ensure-deps.sh installs it)")
        }
        let exCommands = commands.map { "-ex " + TestSupport.shellQuote($0) }.joined(separator: " ")
        let r = try TestSupport.debuggerSession(target: target, source: source, flags: flags,
                                                client: "\(TestSupport.shellQuote(gdb)) -batch -nx -ex \"target remote :$port\" \(exCommands)")
        return (r.client, r.program, r.status)
    }

    func assertContains(_ text: String, _ pattern: String, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotNil(text.range(of: pattern, options: .regularExpression), "\(context): no match for /\(pattern)/ in:\n\(text)", file: file, line: line)
    }

    func testBreakBacktraceMemoryStepAndExitOnEveryTarget() throws {
        let registers = ["x64": ("rip", "rax", "xmm0"), "aarch64": ("pc", "x0", "v0"), "rv64": ("pc", "a0", "ft0")]
        for target in ["x64", "aarch64", "rv64"] {
            let (pc, integer, vector) = registers[target]!
            let r = try session(target: target, source: Self.program, commands: [
                "break leaf", "continue", "bt", "continue",
                "print (int)counter", "x/2i $pc", "info registers \(pc) \(integer)", "info registers \(vector)",
                "set $before = $pc", "stepi", "print $pc != $before",
                "delete", "continue",
            ])
            assertContains(r.gdb, #"Breakpoint 1 at 0x[0-9a-f]+"#, target)
            assertContains(r.gdb, #"Breakpoint 1, 0x[0-9a-f]+ in leaf \(\)"#, target)
            assertContains(r.gdb, #"#0 +0x[0-9a-f]+ in leaf \(\)\n#1 +0x[0-9a-f]+ in middle \(\)\n#2 +0x[0-9a-f]+ in main \(\)"#, target)
            // The second stop: leaf(1) has added 1 to counter.
            assertContains(r.gdb, #"\$1 = 1\n"#, target)
            assertContains(r.gdb, #"=> 0x[0-9a-f]+ <leaf\+[0-9]+>:"#, target)
            assertContains(r.gdb, "\(pc) +0x[0-9a-f]+", target)
            assertContains(r.gdb, "\(integer) +0x", target)
            assertContains(r.gdb, "\(vector) +", target)
            assertContains(r.gdb, #"\$2 = 1\n"#, target)
            assertContains(r.gdb, #"\[Inferior 1 \(Remote target\) exited with code 03\]"#, target)
            XCTAssertEqual(r.program, "total 15 counter 6\n", target)
            XCTAssertEqual(r.status, "3", target)
        }
    }

    /// `watch` becomes Z2 on the global's 4 bytes (a memory hook on that range only): each
    /// store stops with the old and new values, in leaf, and the program's results are intact.
    func testWatchpointOnAGlobalOnEveryTarget() throws {
        for target in ["x64", "aarch64", "rv64"] {
            let r = try session(target: target, source: Self.program, commands: [
                "watch *(int *)&counter", "continue", "bt 2", "continue", "delete", "continue",
            ])
            assertContains(r.gdb, #"Hardware watchpoint 1: \*\(int \*\)&counter\n\nOld value = 0\nNew value = 1\n0x[0-9a-f]+ in leaf \(\)"#, target)
            assertContains(r.gdb, #"#1 +0x[0-9a-f]+ in middle \(\)"#, target)
            assertContains(r.gdb, #"Old value = 1\nNew value = 3\n"#, target)
            assertContains(r.gdb, #"exited with code 03"#, target)
            XCTAssertEqual(r.program, "total 15 counter 6\n", target)
            XCTAssertEqual(r.status, "3", target)
        }
    }

    /// With `-g` the served ELF carries the objects' DWARF relocated to the load address:
    /// source lines, arguments, locals, `next` and a watchpoint on a global by name.
    func testSourceLevelSessionWithDashGOnEveryTarget() throws {
        for target in ["x64", "aarch64", "rv64"] {
            let r = try session(target: target, source: Self.lines, flags: ["-g"], commands: [
                "break leaf", "continue", "bt", "next", "print doubled", "info args",
                "watch counter", "continue", "delete", "continue",
            ])
            assertContains(r.gdb, #"Breakpoint 1 at 0x[0-9a-f]+: file prog.c, line 4\."#, target)
            assertContains(r.gdb, #"Breakpoint 1, leaf \(x=1\) at prog.c:4\n4\t +int doubled = x \* 2;"#, target)
            assertContains(r.gdb, #"#0 +leaf \(x=1\) at prog.c:4\n#1 +0x[0-9a-f]+ in middle \(x=0\) at prog.c:9\n#2 +0x[0-9a-f]+ in main \(\) at prog.c:14"#, target)
            assertContains(r.gdb, #"\n5\t +counter \+= x;\n\$1 = 2\nx = 1\n"#, target)
            assertContains(r.gdb, #"Hardware watchpoint 2: counter\n\nOld value = 0\nNew value = 1\n"#, target)
            assertContains(r.gdb, #"exited with code 03"#, target)
            XCTAssertEqual(r.program, "total 15 counter 6\n", target)
            XCTAssertEqual(r.status, "3", target)
        }
    }

    /// `return 100` pops leaf's frame (registers and PC written by gdb): the program goes on
    /// from the new PC with the new result.
    func testReturnFromAFrameChangesTheResultOnEveryTarget() throws {
        for target in ["x64", "aarch64", "rv64"] {
            let r = try session(target: target, source: Self.lines, flags: ["-g"], commands: [
                "break leaf", "continue", "return 100", "delete", "continue",
            ])
            assertContains(r.gdb, #"exited with code 03"#, target)
            // leaf(1) returned 100 without adding to counter; leaf(2) and leaf(3) ran.
            XCTAssertEqual(r.program, "total 113 counter 5\n", "\(target): \(r.gdb)")
        }
    }

    /// Signals that do not come from a memory fault of the program's own code: abort() and
    /// a NULL passed to strlen (a fault inside the host C library) also stop first, and the
    /// backtrace goes through the library function's trampoline.
    func testAbortAndLibraryFaultStopFirstOnEveryTarget() throws {
        let source = """
            #include <stdlib.h>
            #include <string.h>
            void boom(void) { abort(); }
            int main(int argc, char **argv) {
                if (argc > 5) return (int)strlen(argv[9]);
                boom();
                return 0;
            }
            """
        let library = """
            #include <string.h>
            char *volatile nothing;
            int main(void) { return (int)strlen(nothing); }
            """
        for target in ["x64", "aarch64", "rv64"] {
            let r = try session(target: target, source: source, commands: ["continue", "bt", "continue"])
            assertContains(r.gdb, "Program received signal SIGABRT", target)
            // The trampolines are named after their library functions in the served ELF.
            assertContains(r.gdb, #"#0 +0x[0-9a-f]+ in abort \(\)\n#1 +0x[0-9a-f]+ in boom \(\)\n#2 +0x[0-9a-f]+ in main \(\)"#, target)
            assertContains(r.gdb, "Program terminated with signal SIGABRT", target)
            XCTAssertEqual(r.status, "134", target)
            let l = try session(target: target, source: library, commands: ["continue", "continue"])
            assertContains(l.gdb, "Program received signal SIGSEGV", target)
            assertContains(l.gdb, "Program terminated with signal SIGSEGV", target)
            XCTAssertEqual(l.status, "139", target)
        }
    }

    func testFaultStopsWithSIGSEGVOnEveryTarget() throws {
        let source = """
            int *volatile where;
            int main(void) { *where = 1; return 0; }
            """
        for target in ["x64", "aarch64", "rv64"] {
            let r = try session(target: target, source: source, commands: ["continue", "bt 1", "continue"])
            assertContains(r.gdb, "Program received signal SIGSEGV", target)
            assertContains(r.gdb, #"#0 +0x[0-9a-f]+ in main \(\)"#, target)
            assertContains(r.gdb, "Program terminated with signal SIGSEGV", target)
            XCTAssertEqual(r.status, "139", target)
        }
    }
}
