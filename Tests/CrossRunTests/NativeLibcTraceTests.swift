import CrossRunDriver
import CrossRunSupport
import XCTest

/// `--trace=libc` on the native backend: the import slots are bound to tracing stubs, and a
/// program gives the same lines as under the x86-64 emulator (pointer values aside).
///
/// `--trace=libc` on x64/native (x86-64 hosts): fopen/fprintf/fclose/malloc/strlen/printf/free (a
/// failed `fopen` with `ENOENT`, a printf with stack arguments and a double) give byte-for-byte the
/// lines of x64/emu (pointers normalised), the program's output unchanged; `libc:fclose` only that
/// call; no trace and empty stderr without the flag; nested calls from a callback, `longjmp` and
/// `exit` (`= ?`), a `long double` result kept intact; 600 `siglongjmp`s out of a traced `raise`
/// (more than the shadow stack holds) give the emulator's lines in its order (`raise(10) = ?` each)
/// and later calls still traced with results; bad pointers shown in hex with `EFAULT`; four threads
/// × 200 iterations traced: whole lines only and every call counted.
final class NativeLibcTraceTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        #if !arch(x86_64)
        throw XCTSkip("native --trace=libc needs an x86-64 host")
        #endif
        dir = try TestSupport.scratch()
    }
    override func tearDown() { FileIO.removeTree(dir) }

    static let program = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        int main(void) {
            FILE *f = fopen("trace-out.txt", "w");
            fprintf(f, "%s:%d %5.2f %lu %c\\n", "alpha", 42, 3.5, 7ul, 'x');
            fclose(f);
            FILE *g = fopen("missing/none.txt", "r");
            char *p = malloc(16);
            strcpy(p, "hi");
            printf("%s %d\\n", p, (int)strlen(p));
            /* Seven integers and a double: the last integers travel on the stack, %al counts the double. */
            printf("%d %d %d %d %d %d %d %.1f\\n", 1, 2, 3, 4, 5, 6, 7, 8.5);
            free(p);
            return g != NULL;
        }
        """

    static let expected = """
        fopen("trace-out.txt", "w") = 0x?
        fprintf(0x?, "%s:%d %5.2f %lu %c\\n", "alpha", 42, 3.5, 7, 120) = 19
        fclose(0x?) = 0
        fopen("missing/none.txt", "r") = NULL ENOENT (No such file or directory)
        malloc(16) = 0x?
        strlen("hi") = 2
        printf("%s %d\\n", "hi", 2) = 5
        printf("%d %d %d %d %d %d %d %.1f\\n", 1, 2, 3, 4, 5, 6, 7, 8.5) = 18
        free(0x?)

        """

    func trace(_ backend: String, _ filter: String) throws -> (out: TestSupport.Outcome, trace: String) {
        let out = try TestSupport.runCrossrun(["--target", "x64", "--backend", backend, "--trace=" + filter, "--trace-file", "trace.txt", "calls.c"], cwd: dir)
        let text = String(decoding: try FileIO.read(dir + "/trace.txt"), as: UTF8.self)
        return (out, text.replacing(#/0x[0-9a-f]+/#, with: "0x?"))
    }

    func testNativeTraceMatchesTheEmulatorsLines() throws {
        try FileIO.write(Array(Self.program.utf8), to: dir + "/calls.c")
        let filter = "libc:fopen,fprintf,fclose,malloc,strlen,printf,free"
        for backend in ["native", "emu"] {
            let (out, trace) = try trace(backend, filter)
            XCTAssertEqual(out.status, 0, "\(backend): \(out.stderr)")
            XCTAssertEqual(out.stdout, "hi 2\n1 2 3 4 5 6 7 8.5\n", backend)
            XCTAssertEqual(trace, Self.expected, backend)
            XCTAssertEqual(String(decoding: try FileIO.read(dir + "/trace-out.txt"), as: UTF8.self), "alpha:42  3.50 7 x\n", backend)
        }
        // The filter: only the functions named.
        let (only, fcloseOnly) = try trace("native", "libc:fclose")
        XCTAssertEqual(only.status, 0, only.stderr)
        XCTAssertEqual(fcloseOnly, "fclose(0x?) = 0\n")
        // Without the flag: the program's output alone, nothing on stderr.
        let quiet = try TestSupport.runCrossrun(["--backend", "native", "calls.c"], cwd: dir)
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stdout, "hi 2\n1 2 3 4 5 6 7 8.5\n")
        XCTAssertEqual(quiet.stderr, "")
        // Every call, on stderr, around the program's own output.
        let all = try TestSupport.runCrossrun(["--backend", "native", "--trace=libc", "calls.c"], cwd: dir)
        XCTAssertEqual(all.stdout, "hi 2\n1 2 3 4 5 6 7 8.5\n")
        XCTAssertTrue(all.stderr.contains("strcpy(0x"), all.stderr)
        XCTAssertTrue(all.stderr.contains("strlen(\"hi\") = 2\n"), all.stderr)
    }

    /// Calls nested in callbacks, a longjmp out of a traced call (its shadow entry is dropped),
    /// setjmp itself (never wrapped), a long double result (kept on the x87 stack) and exit.
    func testNestedCallsLongjmpAndExit() throws {
        try FileIO.write(Array("""
            #include <setjmp.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            static jmp_buf out;
            static int escapes;
            static int byName(const void *a, const void *b) {
                if (escapes) longjmp(out, 1);
                return strcmp(*(char *const *)a, *(char *const *)b);
            }
            int main(void) {
                const char *names[] = {"pear", "apple", "fig"};
                qsort(names, 3, sizeof names[0], byName);
                printf("%s %s %s\\n", names[0], names[1], names[2]);
                escapes = 1;
                if (setjmp(out) == 0) qsort(names, 3, sizeof names[0], byName);
                long double half = strtold("0.5", NULL);
                printf("%d %d\\n", (int)strlen(names[0]), (int)(half * 4));
                exit(3);
            }
            """.utf8), to: dir + "/calls.c")
        let (out, trace) = try trace("native", "libc")
        XCTAssertEqual(out.status, 3, out.stderr)
        XCTAssertEqual(out.stdout, "apple fig pear\n5 2\n")
        // qsort is the runtime's own (in the image): the comparator's calls are the traced ones.
        XCTAssertEqual(trace.matches(of: #/strcmp\("[a-z]+", "[a-z]+"\) = -?\d+\n/#).count, 3, trace)
        XCTAssertTrue(trace.contains("printf(\"%s %s %s\\n\", \"apple\", \"fig\", \"pear\") = 15\n"), trace)
        XCTAssertTrue(trace.contains("strtold(...) = ?\n"), trace)
        XCTAssertTrue(trace.contains("strlen(\"apple\") = 5\n"), trace)
        XCTAssertTrue(trace.contains("longjmp(...) = ?\n"), trace)
        XCTAssertEqual(trace.matches(of: #/qsort|raise/#).count, 0, "the runtime's own qsort is not an import: \(trace)")
        XCTAssertTrue(trace.hasSuffix("exit(3) = ?\n"), trace)
        XCTAssertFalse(trace.contains("setjmp"), trace)
    }

    /// A signal handler that siglongjmps out of a traced `raise` abandons its shadow entry,
    /// more times than the shadow stack holds: each shows `= ?`, and later calls still return
    /// through the tracer with their results.
    func testLongjmpOutOfTracedCallsDropsTheirEntries() throws {
        try FileIO.write(Array("""
            #include <setjmp.h>
            #include <signal.h>
            #include <stdio.h>
            #include <string.h>
            static sigjmp_buf out;
            static void on(int s) { siglongjmp(out, s); }
            int main(int argc, char **argv) {
                int escaped = 0;
                signal(SIGUSR1, on);
                for (int i = 0; i < 600; i++) {
                    if (sigsetjmp(out, 1) == 0) raise(SIGUSR1);
                    else escaped++;
                }
                printf("%d %d\\n", escaped, (int)strlen(argv[0]));
                return 0;
            }
            """.utf8), to: dir + "/calls.c")
        // An abandoned call shows `= ?` once the next traced call finds it left behind: the
        // lines and their order are the emulator's.
        let expected = String(repeating: "siglongjmp(...) = ?\nraise(10) = ?\n", count: 600) + "strlen(\"calls.c\") = 7\nprintf(\"%d %d\\n\", 600, 7) = 6\n"
        for backend in ["native", "emu"] {
            let (out, trace) = try trace(backend, "libc:raise,siglongjmp,strlen,printf")
            XCTAssertEqual(out.status, 0, out.stderr)
            XCTAssertEqual(out.stdout, "600 7\n")
            XCTAssertEqual(trace, expected, backend)
        }
    }

    /// Bad pointers are checked before the tracer reads through them: shown in hex, and the
    /// host function's own answer (EFAULT) follows.
    func testBadPointersAreShownNotRead() throws {
        try FileIO.write(Array("""
            #include <stdio.h>
            #include <unistd.h>
            int main(void) {
                long w = write(1, (void *)16, 5);
                int a = access((char *)16, 0);
                printf("%ld %d\\n", w, a);
                return 0;
            }
            """.utf8), to: dir + "/calls.c")
        let (out, trace) = try trace("native", "libc:write,access")
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(out.stdout, "-1 -1\n")
        XCTAssertEqual(trace, "write(1, 0x?, 5) = -1 EFAULT (Bad address)\naccess(0x?, 0) = -1 EFAULT (Bad address)\n")
    }

    func testThreadedProgramTracedNatively() throws {
        try FileIO.write(Array("""
            #include <pthread.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            static void *work(void *arg) {
                long sum = 0;
                for (int i = 0; i < 200; i++) {
                    char *p = malloc(32);
                    snprintf(p, 32, "thread %ld item %d", (long)arg, i);
                    sum += (long)strlen(p);
                    free(p);
                }
                return (void *)sum;
            }
            int main(void) {
                pthread_t t[4];
                for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, work, (void *)i);
                long total = 0;
                for (int i = 0; i < 4; i++) { void *r; pthread_join(t[i], &r); total += (long)r; }
                printf("%ld\\n", total);
                return 0;
            }
            """.utf8), to: dir + "/calls.c")
        let (out, trace) = try trace("native", "libc:malloc,snprintf,strlen,free")
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(out.stdout, "13160\n")
        let lines = trace.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        // Whole lines only (concurrent threads do not mix theirs); the thread library's own
        // frees come on top of the program's.
        for line in lines {
            XCTAssertNotNil(line.wholeMatch(of: #/(malloc\(32\) = 0x\?|snprintf\(0x\?, 32, "thread %ld item %d", \d, \d+\) = \d+|strlen\("thread \d item \d+"\) = \d+|free\(0x\?\)|free\(NULL\))/#), String(line))
        }
        XCTAssertEqual(lines.filter { $0.hasPrefix("malloc(32) = 0x?") }.count, 800)
        XCTAssertEqual(lines.filter { $0.hasPrefix("snprintf(") }.count, 800)
        XCTAssertEqual(lines.filter { $0.hasPrefix("strlen(") }.count, 800)
        XCTAssertGreaterThanOrEqual(lines.filter { $0 == "free(0x?)" }.count, 800)
    }
}
