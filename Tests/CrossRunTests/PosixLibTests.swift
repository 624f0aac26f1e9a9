import CrossRunDriver
import CrossRunELF
import CrossRunLibc
import CrossRunSupport
import XCTest

/// The POSIX library additions where a fixture cannot say it (fixtures must match a plain host
/// build): CrossRun's own decisions (dlfcn, err's program name, glob under --root), the
/// environment (setlocale("")), and code built with other flags (-O2 library-call synthesis,
/// the stack protector) on every target and backend.
///
/// What fixtures (which must match a plain host build) cannot show, on all four pairs: `dlfcn`
/// answers (the program's own symbols, `RTLD_NEXT`, `dlerror` texts), `err.h`'s program name,
/// `setlocale(LC_ALL, "")` from `LC_ALL`, `glob` under `--root`, and `compiler_libcalls.c` built
/// with `-O2 -fstack-protector-all` (its objects must call `wcslen`, `memcpy`, `memset`, `memmove`,
/// `bcmp`, `strlen`, `__stack_chk_fail`, and `__stack_chk_guard` on aarch64/riscv64), plus a stack
/// overrun caught everywhere; `PosixLibHostTests`: forged `mbstate_t` contents and `regex_t`
/// handles are refused (EINVAL, REG_BADPAT) instead of reaching glibc, which trusts them.
final class PosixLibTests: XCTestCase {
    static let pairs: [(String, String)] = [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")]

    /// Runs `source` on the four target/backend pairs; returns each outcome.
    func runEverywhere(_ source: String, name: String = "prog.c", flags: [String] = [], extra: [String] = [],
                       environment: [String: String] = [:]) throws -> [(String, TestSupport.Outcome)] {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(source.utf8), to: dir + "/" + name)
        return try Self.pairs.map { target, backend in
            ("\(target)/\(backend)", try TestSupport.runCrossrun(["--target", target, "--backend", backend] + extra + flags + [name],
                                                                  cwd: dir, environment: environment))
        }
    }

    func testCompilerSynthesisedCallsLinkAndRunEverywhere() throws {
        let source = String(decoding: try FileIO.read(Fixture.directory + "/compiler_libcalls.c"), as: UTF8.self)
        for target in Target.allCases {
            let object = try TestSupport.compile(source, target: target, flags: ["-O2", "-fstack-protector-all"])
            let undefined = Set(object.symbols.filter { $0.isUndefined && !$0.name.isEmpty }.map(\.name))
            var expected: Set = ["wcslen", "strlen", "memcpy", "memset", "memmove", "bcmp", "__stack_chk_fail"]
            if target != .x64 { expected.insert("__stack_chk_guard") }
            XCTAssertEqual(expected.subtracting(undefined), [], "\(target): clang no longer synthesises these calls")
        }
        let out = try TestSupport.runCrossrun(["test", "-O2", "-fstack-protector-all", "--filter", "^compiler_libcalls$", Fixture.directory])
        XCTAssertEqual(out.status, 0, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.hasSuffix("4 passed, 0 failed\n"), out.stdout)
    }

    func testStackSmashingIsCaughtEverywhere() throws {
        let source = """
            #include <string.h>
            #include <stdio.h>
            __attribute__((noinline)) int f(const char *s, int n) { char b[8]; memcpy(b, s, n); return b[1]; }
            int main(void) { printf("%d\\n", f("a string much longer than eight bytes", 30)); return 0; }
            """
        for (pair, out) in try runEverywhere(source, flags: ["-fstack-protector-all"]) {
            XCTAssertEqual(out.status, 134, "\(pair): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("stack smashing detected"), "\(pair): \(out.stderr)")
        }
    }

    func testDynamicSymbolsAreTheProgramsOwnOnEveryPair() throws {
        let source = """
            #define _GNU_SOURCE
            #include <dlfcn.h>
            #include <stdio.h>
            int counter = 5;
            int triple(int x) { return 3 * x; }
            int main(void) {
                int (*f)(int) = (int (*)(int))dlsym(RTLD_DEFAULT, "triple");
                int *c = dlsym(dlopen(NULL, RTLD_NOW), "counter");
                printf("%d %d\\n", f ? f(7) : -1, c ? *c : -1);
                printf("%s\\n", dlsym(RTLD_NEXT, "triple") ? "next finds it" : "next: library only");
                printf("%s\\n", dlsym(RTLD_NEXT, "puts") == (void *)puts ? "next: puts" : "next: no puts");
                printf("%s\\n", dlsym(RTLD_DEFAULT, "strlen") ? "found" : "not imported");   // the table's, as glibc's
                void *h = dlopen("libm.so.6", RTLD_NOW);
                printf("%s | %s\\n", h ? "loaded" : "NULL", dlerror());
                printf("%s\\n", dlerror() ? "again" : "cleared");
                dlsym(RTLD_DEFAULT, "nothing_here");
                printf("%s\\n", dlerror());
                printf("%d %s\\n", dlclose((void *)16), dlerror());
                return 0;
            }
            """
        let expected = """
            21 5
            next: library only
            next: puts
            found
            NULL | libm.so.6: cannot open shared object file: a CrossRun program is one linked image and cannot load shared objects
            cleared
            undefined symbol: nothing_here
            -1 invalid handle

            """
        for (pair, out) in try runEverywhere(source) {
            XCTAssertEqual(out.status, 0, "\(pair): \(out.stderr)")
            XCTAssertEqual(out.stdout, expected, pair)
        }
    }

    func testErrMessagesNameTheProgram() throws {
        let source = """
            #define _GNU_SOURCE
            #include <err.h>
            #include <error.h>
            #include <errno.h>
            #include <stdio.h>
            int main(void) {
                printf("%s %s\\n", program_invocation_name, program_invocation_short_name);
                error(0, ENOENT, "step %d", 1);
                errno = ENOENT; warn("opening %s", "x"); warnx("plain"); errno = EACCES; err(5, NULL);
            }
            """
        for (pair, out) in try runEverywhere(source, name: "tool.c") {
            XCTAssertEqual(out.status, 5, pair)
            XCTAssertEqual(out.stdout, "tool.c tool.c\n", pair)
            XCTAssertEqual(out.stderr, "tool.c: step 1: No such file or directory\ntool.c: opening x: No such file or directory\n"
                                       + "tool.c: plain\ntool.c: Permission denied\n", pair)
        }
    }

    func testSetlocaleWithEmptyNameReadsTheEnvironment() throws {
        let source = """
            #include <locale.h>
            #include <stdio.h>
            #include <stdlib.h>
            int main(void) { const char *l = setlocale(LC_ALL, ""); printf("%s %zu\\n", l ? l : "NULL", MB_CUR_MAX); return 0; }
            """
        for (lcAll, expected) in [("C.UTF-8", "C.UTF-8 6\n"), ("C", "C 1\n"), ("xx_XX.nothing", "NULL 1\n")] {
            for (pair, out) in try runEverywhere(source, environment: ["LC_ALL": lcAll]) {
                XCTAssertEqual(out.stdout, expected, "\(pair) LC_ALL=\(lcAll): \(out.stderr)")
            }
        }
    }

    func testGlobLooksThroughTheGuestFileSystem() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let root = dir + "/root"
        for d in [root, root + "/sub"] { XCTAssertEqual(mkdir(d, 0o755), 0) }
        for f in ["a.txt", "b.txt", "sub/c.txt"] { try FileIO.write([], to: root + "/" + f) }
        try FileIO.write([], to: dir + "/outside.txt")
        let source = """
            #include <glob.h>
            #include <stdio.h>
            #include <unistd.h>
            static void list(const char *pattern, int flags) {
                glob_t g;
                int r = glob(pattern, flags, NULL, &g);
                printf("%s %d:", pattern, r);
                for (size_t i = 0; i < g.gl_pathc; i++) printf(" %s", g.gl_pathv[i]);
                printf("\\n");
                globfree(&g);
            }
            int main(void) { list("/*.txt", 0); list("../../*.txt", 0); list("*", GLOB_MARK); chdir("sub"); list("*", 0); return 0; }
            """
        try FileIO.write(Array(source.utf8), to: dir + "/g.c")
        for target in ["x64", "aarch64", "rv64"] {
            let out = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "--root", root, dir + "/g.c"], cwd: dir)
            XCTAssertEqual(out.status, 0, out.stderr)
            XCTAssertEqual(out.stdout, "/*.txt 0: /a.txt /b.txt\n../../*.txt 0: ../../a.txt ../../b.txt\n* 0: a.txt b.txt sub/\n* 0: c.txt\n", target)
        }
    }
}

/// Host-level checks of the POSIX additions that a guest program cannot make safely natively.
final class PosixLibHostTests: XCTestCase {
    /// glibc trusts an `mbstate_t`'s contents (a forged partial state fails an assertion in its
    /// iconv loop and aborts the process): the host only resumes states it produced itself.
    func testForgedConversionStatesAreRefused() throws {
        let (rt, mem) = try makeRuntime()
        let forged = mem.bytes([1, 0, 0, 0, 0xc3, 0, 0, 0])   // "one byte pending", never written by the host
        let out = mem.bytes([0, 0, 0, 0]), text = mem.string("A")
        for name in ["mbrtowc", "mbrlen"] {
            let ints: [UInt64] = name == "mbrtowc" ? [out, text, 1, forged] : [text, 1, forged]
            XCTAssertEqual(try call(rt, name, FakeFrame(ints: ints)).result, UInt64.max, name)
            XCTAssertEqual(try mem.load(rt.errnoAddress, as: Int32.self), EINVAL, name)
        }
        XCTAssertEqual(try call(rt, "wcrtomb", FakeFrame(ints: [out, 0x41, forged])).result, UInt64.max)
        XCTAssertEqual(try call(rt, "mbsinit", FakeFrame(ints: [forged])).result, 0)
        // The initial state works, and a state the host completed stays usable.
        let initial = mem.bytes([UInt8](repeating: 0, count: 8))
        XCTAssertEqual(try call(rt, "mbrtowc", FakeFrame(ints: [out, text, 1, initial])).result, 1)
        XCTAssertEqual(try mem.load(out, as: Int32.self), 0x41)
        XCTAssertEqual(try call(rt, "mbsinit", FakeFrame(ints: [initial])).result & 0xffff_ffff != 0, true)
    }

    /// Fuzzing's reset covers the POSIX state: patterns compiled after the snapshot are freed
    /// (their handles stop working), drand48 and setlocale go back.
    func testSnapshotRestoresPosixState() throws {
        let (rt, mem) = try makeRuntime()
        _ = try call(rt, "srand48", FakeFrame(ints: [7]))
        let snapshot = rt.snapshot()
        let first = try call(rt, "drand48", FakeFrame()).doubleResult
        let preg = mem.bytes([UInt8](repeating: 0, count: 64))
        XCTAssertEqual(try call(rt, "regcomp", FakeFrame(ints: [preg, mem.string("x+"), 1])).result, 0)
        XCTAssertNotEqual(try call(rt, "setlocale", FakeFrame(ints: [6, mem.string("C.UTF-8")])).result, 0)
        rt.restore(snapshot)
        XCTAssertEqual(try call(rt, "drand48", FakeFrame()).doubleResult, first)
        XCTAssertEqual(try call(rt, "regexec", FakeFrame(ints: [preg, mem.string("xx"), 0, 0, 0])).result, 2)
        XCTAssertEqual(try mem.string(try call(rt, "setlocale", FakeFrame(ints: [6, 0])).result), "C")
    }

    /// A guest `regex_t` holds a handle: a forged or freed one is an error code, never a host pointer.
    func testRegexHandlesCannotBeForged() throws {
        let (rt, mem) = try makeRuntime()
        let preg = mem.bytes([UInt8](repeating: 0, count: 64))
        XCTAssertEqual(try call(rt, "regcomp", FakeFrame(ints: [preg, mem.string("a(b)c"), 1])).result, 0)
        XCTAssertEqual(try mem.load(preg + 48, as: UInt64.self), 1, "re_nsub")
        let matches = mem.bytes([UInt8](repeating: 0, count: 16))
        XCTAssertEqual(try call(rt, "regexec", FakeFrame(ints: [preg, mem.string("xabcx"), 2, matches, 0])).result, 0)
        XCTAssertEqual([try mem.load(matches, as: Int32.self), try mem.load(matches + 4, as: Int32.self),
                        try mem.load(matches + 8, as: Int32.self), try mem.load(matches + 12, as: Int32.self)], [1, 4, 2, 3])
        _ = try call(rt, "regfree", FakeFrame(ints: [preg]))
        XCTAssertEqual(try call(rt, "regexec", FakeFrame(ints: [preg, mem.string("abc"), 0, 0, 0])).result, 2, "freed: REG_BADPAT")
        let forged = mem.bytes([0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x00] + [UInt8](repeating: 0, count: 56))
        XCTAssertEqual(try call(rt, "regexec", FakeFrame(ints: [forged, mem.string("abc"), 0, 0, 0])).result, 2, "forged: REG_BADPAT")
        XCTAssertThrowsError(try call(rt, "regerror", FakeFrame(ints: [99, 0, 0, 0])), "glibc aborts on unknown codes")
    }
}
