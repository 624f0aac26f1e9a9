import CrossRunDriver
import CrossRunELF
import CrossRunLibc
import CrossRunRuntime
import CrossRunSupport
import XCTest

/// The guest runtime's short-input string functions (`runtime/string.c`): linked only into
/// emulated images, yielding to a program's own definitions, and faults inside them reported
/// as a host library call's are. (Their results: `fixtures/string_short_paths`.)
///
/// `runtime/string.c` (emulated images' short string calls): linked only when asked for (never into
/// native images); its weak definitions are exactly `GuestRuntime.stringFunctions` and its imports
/// exactly the private `__crossrun_host_*` names, which the import and host tables both carry; a
/// program's own `memset` wins on every emulated target; a NULL `strcmp` (guest loop) and an
/// unterminated `strlen` past the cut-off (host fallback) report `in strcmp`/`in strlen called from
/// … (main+…)` on x64/aarch64/rv64 emu. Results: `fixtures/string_short_paths`.
final class GuestStringTests: XCTestCase {
    func testLinkedOnlyWhenAskedFor() throws {
        let object = try TestSupport.compile("#include <string.h>\nint main(int c, char **v) { return (int)strlen(v[0]) + c; }")
        XCTAssertFalse(GuestRuntime.isNeeded(by: [object]), "native images keep the host's strlen")
        XCTAssertEqual(GuestRuntime.sources(for: .x64, neededBy: [object]), [])
        XCTAssertTrue(GuestRuntime.isNeeded(by: [object], strings: true))
        XCTAssertEqual(GuestRuntime.sources(for: .rv64, neededBy: [object], strings: true), ["runtime/string.c"])
        for target in [Target.x64, .aarch64, .rv64] {
            XCTAssertTrue(GuestRuntime.sources(for: target, strings: true).contains("runtime/string.c"))
            XCTAssertFalse(GuestRuntime.sources(for: target).contains("runtime/string.c"))
        }
    }

    /// Every name in `GuestRuntime.stringFunctions` is a weak alias the file defines, and the
    /// file's host fallbacks are exactly the import table's private names.
    func testFunctionListMatchesTheSource() throws {
        for target in [Target.x64, .aarch64, .rv64] {
            let text = try FileIO.read(TestSupport.toolchain.home + "/runtime/string.c")
            let object = try TestSupport.compile(String(decoding: text, as: UTF8.self), target: target, name: "string.c",
                                                 flags: GuestRuntime.flags)
            let weak = object.symbols.filter { !$0.isUndefined && $0.binding == .weak && $0.type == .function }.map(\.name)
            XCTAssertEqual(Set(weak), GuestRuntime.stringFunctions, "\(target)")
            let imports = object.symbols.filter { $0.isUndefined && !$0.name.isEmpty }.map(\.name)
            XCTAssertEqual(Set(imports), Set(RuntimeSymbols.hostStringFunctions.map { "__crossrun_host_" + $0 }), "\(target)")
        }
        XCTAssertEqual(RuntimeSymbols.hostStringFunctions, HostLibc.hostStringFunctions, "the import table and the host table agree")
        for name in HostLibc.hostStringFunctions {
            XCTAssertNotNil(HostLibc.functions["__crossrun_host_" + name], name)
            XCTAssertNotNil(RuntimeSymbols.all["__crossrun_host_" + name], name)
        }
    }

    /// A program defining its own `memset` (and using `memcpy` from the runtime) links on every
    /// emulated target and its definition is the one called.
    func testProgramDefinitionWins() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let source = """
            #include <stdio.h>
            #include <string.h>
            static int calls;
            void *memset(void *d, int c, size_t n) { unsigned char *p = d; calls++; while (n--) *p++ = (unsigned char)c; return d; }
            int main(int argc, char **argv) {
                char a[16], b[16];
                memset(a, 'x' + argc - 1, sizeof a - 1);
                a[15] = 0;
                memcpy(b, a, (size_t)argc * 16);
                printf("%s %d %zu\\n", b, calls, strlen(argv[0]) > 0);
                return 0;
            }
            """
        try FileIO.write(Array(source.utf8), to: dir + "/own.c")
        for target in ["x64", "aarch64", "rv64"] {
            let r = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "-fno-builtin", dir + "/own.c"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout, "xxxxxxxxxxxxxxx 1 1\n", target)
        }
    }

    /// A fault inside the guest `strcmp` and inside the host fallback of `strlen` (a string
    /// running into an unmapped page past the cut-off) both name the function and main.
    func testFaultsNameTheFunctionAndTheCaller() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let source = """
            #include <string.h>
            #include <sys/mman.h>
            char *volatile null;
            int main(int argc, char **argv) {
                (void)argv;
                if (argc > 1) {
                    char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                    mprotect(p + 4096, 4096, PROT_NONE);
                    memset(p, 'a', 4096);   /* no NUL before the inaccessible page */
                    return (int)strlen(p + 1000);
                }
                return strcmp("abc", null);
            }
            """
        try FileIO.write(Array(source.utf8), to: dir + "/fault.c")
        for target in ["x64", "aarch64", "rv64"] {
            for (args, name) in [([String](), "strcmp"), (["long"], "strlen")] {
                let r = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", dir + "/fault.c", "--"] + args)
                XCTAssertEqual(r.status, 139, r.stderr)
                XCTAssertTrue(r.stderr.contains("SIGSEGV (invalid memory access) in \(name) called from 0x"), "\(target): \(r.stderr)")
                XCTAssertTrue(r.stderr.contains("(main+0x"), "\(target): \(r.stderr)")
            }
        }
    }
}

