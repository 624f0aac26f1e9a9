import CrossRunDriver
import CrossRunSupport
import XCTest

/// The `crossrun` command: inputs, options, errors and crash reports, run as a user would.
final class CLITests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    @discardableResult
    func file(_ name: String, _ text: String) throws -> String {
        try FileIO.write(Array(text.utf8), to: dir + "/" + name)
        return dir + "/" + name
    }

    func crossrun(_ args: [String], stdin: String = "") throws -> TestSupport.Outcome {
        try TestSupport.runCrossrun(args, stdin: Array(stdin.utf8), cwd: dir)
    }

    func testHelloArgvAndExitStatus() throws {
        let p = try file("hello.c", """
            #include <stdio.h>
            int main(int argc, char **argv) {
                printf("hello from %s with %d args:", argv[0], argc - 1);
                for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
                printf("\\n");
                return 7;
            }
            """)
        let out = try crossrun([p, "--", "a b", "-x", "--"])
        XCTAssertEqual(out.stdout, "hello from \(p) with 3 args: [a b] [-x] [--]\n")
        XCTAssertEqual(out.status, 7)
    }

    func testSourceFromStdin() throws {
        let out = try crossrun(["-"], stdin: "#include <stdio.h>\nint main(int c, char **v){ puts(v[0]); return 3; }\n")
        XCTAssertEqual(out.stdout, "<stdin>\n")
        XCTAssertEqual(out.status, 3)
    }

    func testDefinesOptimisationAndEntry() throws {
        let p = try file("d.c", "int start(int argc, char **argv) { return VALUE + argc; }\nint main(void) { return 1; }\n")
        XCTAssertEqual(try crossrun(["-DVALUE=40", "-O2", p]).status, 1)
        XCTAssertEqual(try crossrun(["-D", "VALUE=40", "-e", "start", p, "--", "x"]).status, 42)
    }

    func testObjectsAndArchives() throws {
        let lib = try file("lib.c", "int twice(int x) { return 2 * x; }\nint unused(void) { return 0; }\n")
        let main = try file("main.c", "#include <stdio.h>\nint twice(int);\nint main(void) { printf(\"%d\\n\", twice(21)); return 0; }\n")
        let clang = TestSupport.toolchain.clang
        // Objects built outside CrossRun with the host's own headers.
        XCTAssertEqual(try Subprocess.run(clang, ["-c", "-fPIC", "-O2", lib, "-o", dir + "/lib.o"]).status, 0)
        XCTAssertEqual(try Subprocess.run(clang, ["-c", "-fPIC", main, "-o", dir + "/main.o"]).status, 0)
        let ar = FileIO.directory(of: clang) + "/llvm-ar"
        XCTAssertEqual(try Subprocess.run(ar, ["rcs", dir + "/libtw.a", dir + "/lib.o"]).status, 0)

        for args in [[main, dir + "/lib.o"], [dir + "/main.o", dir + "/libtw.a"], [main, "-L", dir, "-ltw"], [main, "-L" + dir, "-ltw", "-lm"],
                     // glibc's libraries that are libc since 2.34, as Janet's Makefile passes them.
                     [main, "-ltw", "-L", dir, "-lm", "-lpthread", "-lrt", "-ldl", "-lutil"]] {
            let out = try crossrun(args)
            XCTAssertEqual(out.stdout, "42\n", "\(args): \(out.stderr)")
            XCTAssertEqual(out.status, 0, "\(args)")
        }
        let missing = try crossrun([main, "-lnothere"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("-lnothere: library libnothere.a not found"), missing.stderr)
    }

    func testCompileErrorsShowClangDiagnostics() throws {
        let p = try file("bad.c", "int main(void) { return undeclared_thing; }\n")
        let out = try crossrun([p])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.contains("use of undeclared identifier 'undeclared_thing'"), out.stderr)
        XCTAssertTrue(out.stderr.contains("crossrun: error: \(p): compilation failed"), out.stderr)
        let header = try file("hdr.c", "#include <sys/no_such_header.h>\nint main(void){return 0;}\n")
        let h = try crossrun([header])
        XCTAssertEqual(h.status, 1)
        XCTAssertTrue(h.stderr.contains("'sys/no_such_header.h' file not found"), h.stderr)
    }

    func testLinkErrorsNameSymbolsAndFiles() throws {
        let p = try file("u.c", "int nowhere(void);\nint main(void) { return nowhere(); }\n")
        let out = try crossrun([p])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.contains("crossrun: error: undefined symbol 'nowhere', referenced by \(p)"), out.stderr)
        let a = try file("a.c", "int dup = 1; int main(void){return 0;}\n")
        let b = try file("b.c", "int dup = 2;\n")
        let d = try crossrun([a, b])
        XCTAssertTrue(d.stderr.contains("duplicate symbol 'dup': defined in \(a) and in \(b)"), d.stderr)
    }

    func testBadInputsAndOptions() throws {
        let missing = try crossrun(["nope.c"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("nope.c: no such file"), missing.stderr)
        let junk = try file("junk.o", "this is not an object")
        let j = try crossrun([junk])
        XCTAssertEqual(j.status, 1)
        XCTAssertTrue(j.stderr.contains("\(junk): not an ELF file"), j.stderr)
        let txt = try file("notes.txt", "hello")
        XCTAssertTrue(try crossrun([txt]).stderr.contains("unknown kind of input"))
        let p = try file("ok.c", "int main(void){return 0;}\n")
        XCTAssertNotEqual(try crossrun(["--frobnicate", p]).status, 0)
        XCTAssertTrue(try crossrun(["-c", p]).stderr.contains("-c is not supported"))
        XCTAssertTrue(try crossrun(["-Wl,-z", p]).stderr.contains("linker options are not supported"))
        XCTAssertTrue(try crossrun(["--target", "mips", p]).stderr.contains("unknown target 'mips'"))
        XCTAssertTrue(try crossrun([]).stderr.contains("no input files"))
        XCTAssertTrue(try crossrun(["--target", "rv64", "--backend", "native", p]).stderr.contains("cannot run rv64 code"))
    }

    /// Every way to run: native, and the emulator for each target.
    static let runs: [(String, [String])] = [("x64/native", ["--backend", "native"]), ("x64/emu", ["--backend", "emu"]),
                                             ("aarch64/emu", ["--target", "aarch64"]), ("rv64/emu", ["--target", "rv64"])]

    func testCrashesAreReportedLikeAProcess() throws {
        let cases: [(String, String, Int32, [String])] = [
            ("null.c", "int *volatile p = 0; int poke(void) { return *p; } int main(void) { return poke(); }",
             139, ["SIGSEGV", "poke", "fault address 0x0"]),
            ("abort.c", "#include <stdlib.h>\nint main(void) { abort(); }", 134, ["SIGABRT"]),
            ("deep.c", "int down(volatile int n) { volatile char pad[256]; pad[0] = (char)n; return down(n + 1) + pad[0]; } int main(void) { return down(0); }",
             139, ["SIGSEGV", "down"]),
            ("text.c", "int main(void) { *(volatile char *)main = 0; return 0; }", 139, ["SIGSEGV", "main"]),
        ]
        for (label, run) in Self.runs {
            for (name, src, status, needles) in cases {
                let p = try file(name, src)
                let out = try crossrun(run + [p])
                XCTAssertEqual(out.status, status, "\(label) \(name): \(out.stderr)")
                for n in needles { XCTAssertTrue(out.stderr.contains(n), "\(label) \(name): expected '\(n)' in: \(out.stderr)") }
                XCTAssertTrue(out.stderr.hasPrefix("crossrun: \(p): "), "\(label) \(name): \(out.stderr)")
            }
        }
    }

    /// What the hardware does differs: x86-64 traps on integer division by zero and `ud2`;
    /// aarch64 divides to 0 and `brk` is SIGTRAP; riscv64 divides to -1 and `unimp` is SIGILL.
    func testArchitectureSpecificTraps() throws {
        let div = try file("div.c", "volatile int zero = 0; int main(void) { return 10 / zero; }")
        let trap = try file("trap.c", "int main(void) { __builtin_trap(); }")
        let expected: [String: (div: Int32, trap: Int32, trapName: String)] = [
            "x64/native": (136, 132, "SIGILL"), "x64/emu": (136, 132, "SIGILL"),
            "aarch64/emu": (0, 133, "SIGTRAP"), "rv64/emu": (255, 132, "SIGILL"),
        ]
        for (label, run) in Self.runs {
            guard let want = expected[label] else { continue }
            let d = try crossrun(run + [div])
            XCTAssertEqual(d.status, want.div, "\(label) div: \(d.stderr)")
            if want.div == 136 { XCTAssertTrue(d.stderr.contains("SIGFPE") && d.stderr.contains("main+0x"), "\(label): \(d.stderr)") }
            let t = try crossrun(run + [trap])
            XCTAssertEqual(t.status, want.trap, "\(label) trap: \(t.stderr)")
            XCTAssertTrue(t.stderr.contains(want.trapName) && t.stderr.contains("(main"), "\(label) trap: \(t.stderr)")
        }
    }

    func testWildPointersIntoTheLibraryAreGuestCrashes() throws {
        let p = try file("wild.c", """
            #include <stdio.h>
            #include <string.h>
            int main(int argc, char **argv) {
                printf("before\\n");
                fflush(stdout);
                if (argc > 1) return (int)strlen((char *)0x10);
                printf("%s\\n", (char *)0x99);
                return 0;
            }
            """)
        for (label, run) in Self.runs.dropFirst() {
            let out = try crossrun(run + [p])
            XCTAssertEqual(out.status, 139, "\(label): \(out.stderr)")
            XCTAssertEqual(out.stdout, "before\n", label)
            XCTAssertTrue(out.stderr.contains("SIGSEGV (invalid memory access) in printf called from 0x"), "\(label): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("(main+0x"), "\(label): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("fault address 0x99"), "\(label): \(out.stderr)")
            let s = try crossrun(run + [p, "--", "x"])
            XCTAssertEqual(s.status, 139, label)
            XCTAssertTrue(s.stderr.contains("in strlen called from"), "\(label): \(s.stderr)")
        }
    }

    func testTimeoutStopsARunawayProgram() throws {
        let p = try file("loop.c", "int main(void) { for (;;) {} }")
        for (label, run) in Self.runs {
            let out = try crossrun(run + ["--timeout", "1", p])
            XCTAssertEqual(out.status, 124, label)
            XCTAssertTrue(out.stderr.contains("timed out after 1 s"), "\(label): \(out.stderr)")
        }
    }

    func testInspectDescribesTheImage() throws {
        let p = try file("i.c", "#include <stdio.h>\n_Thread_local int t = 1;\nint main(void) { printf(\"%d\\n\", t); return 0; }\n")
        let out = try crossrun(["inspect", p])
        XCTAssertEqual(out.status, 0, out.stderr)
        for needle in ["x86-64 image", "text", "r-x", "rodata", "r--", "[0] printf (function)", "main", "tls: block 4 bytes", "fixups:"] {
            XCTAssertTrue(out.stdout.contains(needle), "missing '\(needle)' in:\n\(out.stdout)")
        }
    }

    func testHelpDescribesUsage() throws {
        let out = try crossrun(["--help"])
        XCTAssertEqual(out.status, 0)
        for needle in ["--target", "inspect", "-lNAME", "Arguments after --"] {
            XCTAssertTrue(out.stdout.contains(needle), "missing '\(needle)' in help:\n\(out.stdout)")
        }
    }
}
