import CrossRunDriver
import CrossRunSupport
import XCTest

/// `<execinfo.h>` where a fixture cannot say it (a host build without `-rdynamic` names no
/// function): the names and format of `backtrace_symbols`, and hostile frame chains.
///
/// `backtrace_symbols` lines name `inner`, `outer`, `main` (a static one included) in glibc's
/// format and `backtrace_symbols_fd` writes the same lines, on all four pairs; frame chains
/// corrupted to point at 0x10, near 2^64 or at themselves end the walk after the frames before them
/// (no host crash, no loop), and sizes 0 and negative give 0 (fixture `execinfo_backtrace`: the
/// frames through three nested calls, found by address).
final class ExecinfoTests: XCTestCase {
    /// Runs `source` on the four target/backend pairs; returns each outcome.
    func runEverywhere(_ source: String) throws -> [(String, TestSupport.Outcome)] {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(source.utf8), to: dir + "/prog.c")
        return try PosixLibTests.pairs.map { target, backend in
            ("\(target)/\(backend)", try TestSupport.runCrossrun(["--target", target, "--backend", backend, "prog.c"], cwd: dir))
        }
    }

    func testSymbolLinesNameStaticFunctionsInGlibcFormatOnEveryPair() throws {
        let source = """
            #include <execinfo.h>
            #include <stdio.h>
            #include <stdlib.h>
            static void inner(void) {
                void *f[16];
                int n = backtrace(f, 16);
                char **s = backtrace_symbols(f, n);
                for (int i = 0; i < n; i++) puts(s[i]);
                free(s);
                backtrace_symbols_fd(f, n, 2);
            }
            void outer(void) { inner(); }
            int main(void) { outer(); return 0; }
            """
        let line = try NSRegularExpression(pattern: #"^prog\.c\((\w+)\+0x[0-9a-f]+\) \[0x[0-9a-f]+\]$"#)
        for (pair, out) in try runEverywhere(source) {
            XCTAssertEqual(out.status, 0, "\(pair): \(out.stderr)")
            let lines = out.stdout.split(separator: "\n").map(String.init)
            let names = lines.compactMap { text -> String? in
                let range = NSRange(text.startIndex..., in: text)
                guard let m = line.firstMatch(in: text, range: range), let r = Range(m.range(at: 1), in: text) else { return nil }
                return String(text[r])
            }
            XCTAssertEqual(names, ["inner", "outer", "main"], "\(pair): \(out.stdout)")
            XCTAssertEqual(out.stderr, out.stdout, "\(pair): backtrace_symbols_fd wrote other lines")
        }
    }

    /// A frame chain pointing outside the stack (a small and a near-2^64 address) or at itself
    /// ends the walk there: the frames before it, no host crash, no endless loop.
    func testCorruptFrameChainsEndTheWalkOnEveryPair() throws {
        let source = """
            #include <execinfo.h>
            #include <stdio.h>
            #include <stdint.h>
            #if defined(__riscv)
            #define SAVED_FP(fp) ((uintptr_t *)(fp) - 2)
            #else
            #define SAVED_FP(fp) ((uintptr_t *)(fp))
            #endif
            __attribute__((noinline)) int inner(uintptr_t bad) {
                uintptr_t *slot = SAVED_FP(__builtin_frame_address(0)), saved = *slot;
                *slot = bad ? bad : (uintptr_t)__builtin_frame_address(0);
                void *f[64];
                int n = backtrace(f, 64);
                *slot = saved;
                return n;
            }
            __attribute__((noinline)) int outer(uintptr_t bad) { return inner(bad); }
            int main(void) {
                printf("%d %d %d\\n", outer(0x10), outer(0), outer(~(uintptr_t)0xf));
                void *f[4];
                printf("%d %d\\n", backtrace(f, 0), backtrace(f, -5));
                return 0;
            }
            """
        for (pair, out) in try runEverywhere(source) {
            XCTAssertEqual(out.status, 0, "\(pair): \(out.stderr)")
            XCTAssertEqual(out.stdout, "2 2 2\n0 0\n", pair)
        }
    }
}
