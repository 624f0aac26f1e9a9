import CrossRunDriver
import CrossRunSupport
import XCTest

/// Host gdb against a native run (`gdb --args crossrun prog.c`): the JIT'd image is registered
/// through GDB's JIT interface, so a breakpoint by name stops in it, the backtrace names its
/// frames (with `-g` their files and lines), and the symbol file is unregistered at exit.
///
/// Host gdb in batch mode on `crossrun --backend native prog.c`: a pending breakpoint on a JIT'd
/// function stops in it, `bt` shows `leaf`/`middle`/`main` with `prog.c` lines (`-g`) or names
/// only, the exit code; at exit the image is unregistered (action 2 seen in
/// `__jit_debug_register_code`, `leaf` unknown afterwards); skipped with a message when gdb is
/// missing.
final class GDBNativeTests: XCTestCase {
    static let gdb: String? = ["/usr/bin/gdb", "/usr/local/bin/gdb"].first { FileIO.exists($0) }

    static let program = """
        #include <stdio.h>
        int counter;
        int leaf(int x) {
            counter += x;
            return x * 2;
        }
        int middle(int x) { return leaf(x + 1); }
        int main(void) {
            int total = middle(2);
            printf("total %d counter %d\\n", total, counter);
            return 3;
        }

        """

    /// Runs host gdb in batch mode on `crossrun FLAGS prog.c` with `commands`; returns gdb's
    /// output (stdout and stderr: the program's output is among it).
    func session(flags: [String], commands: [String]) throws -> String {
        guard let gdb = Self.gdb else { throw XCTSkip("host gdb is not installed (scripts/ensure-deps.sh installs it)") }
        #if !arch(x86_64)
        throw XCTSkip("native runs are x86-64 here")
        #endif
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(Self.program.utf8), to: dir + "/prog.c")
        var arguments = ["-batch", "-nx", "-ex", "set breakpoint pending on"]
        for c in commands { arguments += ["-ex", c] }
        arguments += ["--args", TestSupport.crossrun] + flags + ["--backend", "native", "prog.c"]
        let out = try TestSupport.run(gdb, arguments, cwd: dir)
        return out.stdout + out.stderr
    }

    func testBreakpointByNameInTheJITdImageWithSourceLines() throws {
        let text = try session(flags: ["-g"], commands: ["break leaf", "run", "bt", "continue"])
        XCTAssertTrue(text.contains("Breakpoint 1, leaf (x=3) at prog.c:4"), text)
        XCTAssertTrue(text.contains("#0  leaf (x=3) at prog.c:4"), text)
        XCTAssertTrue(text.range(of: #"#1  0x[0-9a-f]+ in middle \(x=2\) at prog.c:7"#, options: .regularExpression) != nil, text)
        XCTAssertTrue(text.range(of: #"#2  0x[0-9a-f]+ in main \(\) at prog.c:9"#, options: .regularExpression) != nil, text)
        XCTAssertTrue(text.contains("total 6 counter 3"), text)
        XCTAssertTrue(text.contains("exited with code 03"), text)
    }

    func testBreakpointByNameWithoutDebugInformation() throws {
        let text = try session(flags: [], commands: ["break leaf", "run", "bt 3", "continue"])
        XCTAssertTrue(text.range(of: #"Breakpoint 1, 0x[0-9a-f]+ in leaf \(\)"#, options: .regularExpression) != nil, text)
        XCTAssertTrue(text.range(of: #"#1  0x[0-9a-f]+ in middle \(\)"#, options: .regularExpression) != nil, text)
        XCTAssertTrue(text.range(of: #"#2  0x[0-9a-f]+ in main \(\)"#, options: .regularExpression) != nil, text)
        XCTAssertFalse(text.contains("prog.c:"), text)
        XCTAssertTrue(text.contains("exited with code 03"), text)
    }

    /// After the program's end the registered file is removed: gdb's breakpoint in
    /// `__jit_debug_register_code` sees action JIT_UNREGISTER_FN (2), and `leaf` is gone.
    func testTheImageIsUnregisteredAtExit() throws {
        let text = try session(flags: ["-g"], commands: [
            "break leaf", "run", "break __jit_debug_register_code", "continue",
            "print *(unsigned *)((char *)&__jit_debug_descriptor + 4)", "continue", "info address leaf",
        ])
        XCTAssertTrue(text.contains("Breakpoint 1, leaf (x=3)"), text)
        XCTAssertTrue(text.contains("$1 = 2"), text)
        XCTAssertTrue(text.contains("exited with code 03"), text)
        XCTAssertTrue(text.contains("No symbol \"leaf\" in current context."), text)
    }
}
