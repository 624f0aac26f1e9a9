import CrossRunDriver
@testable import CrossRunEmulator
import XCTest

/// Library calls served by the trampolines' block hook (GuestProcess+LibraryCall) behave
/// exactly as trapping stubs do (the debugger's mechanism, chosen here with
/// `Options.trappingLibraryCalls`): the same program, linked without the guest runtime so that
/// `qsort`, `bsearch` and signal delivery are host code calling back into the guest (nested
/// `uc_emu_start`s from inside a library call), writes what it saw into a guest buffer, which
/// must be byte for byte the expected text under both mechanisms on every target. Covered:
/// integer, pointer, `double` and variadic arguments and results; comparator callbacks; a
/// signal handler that makes library calls itself, run from inside `raise`; `longjmp` out of a
/// comparator and out of a handler (the jump travels out of the nested calls); `exit` called
/// inside a handler (the nested run ends the outer one), with the calls after it never made
/// and the exit status kept. (Stops that resume — thread switches — are EmulatorThreadTests'.)
final class LibraryCallHookTests: XCTestCase {
    static let program = #"""
        #include <setjmp.h>
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <ctype.h>
        #include <math.h>

        char out[4096];
        static size_t used;
        static void say(const char *text) {
            size_t n = strlen(text);
            if (used + n < sizeof out) { memcpy(out + used, text, n); used += n; }
        }
        static int calls;
        static int compare(const void *a, const void *b) { calls++; return *(const int *)a - *(const int *)b; }
        static jmp_buf escape;
        static int escapeAfter;
        static int escaping(const void *a, const void *b) {
            if (++calls == escapeAfter) longjmp(escape, 7);
            return *(const int *)a - *(const int *)b;
        }
        static void handler(int sig) {
            char line[64];
            snprintf(line, sizeof line, "handler %d upper %c\n", sig, toupper('q'));
            say(line);
        }
        static sigjmp_buf away;
        static void jumper(int sig) { siglongjmp(away, sig); }
        static void ender(int sig) { say("exiting in the handler\n"); exit(40 + sig % 8); }

        int main(int argc, char **argv) {
            char line[256];
            long sum = 0;
            for (int i = 0; i < 1000; i++) sum += toupper('a' + i % 26) + (long)strlen(argv[0] + (i & 0));
            snprintf(line, sizeof line, "sum %ld sqrt %.6f strtod %.3f %s %d %x\n", sum, sqrt(2.0), strtod("3.25", 0), "str", -5, 255u);
            say(line);
            int v[12] = {5, 3, 11, 0, 7, 2, 9, 1, 10, 4, 8, 6};
            qsort(v, 12, sizeof v[0], compare);
            int key = 9;
            int *hit = bsearch(&key, v, 12, sizeof v[0], compare);
            snprintf(line, sizeof line, "sorted %d %d %d .. %d found %ld compared %s\n", v[0], v[1], v[2], v[11],
                     hit ? (long)(hit - v) : -1L, calls > 20 ? "yes" : "no");
            say(line);
            calls = 0;
            escapeAfter = 5;
            int w[8] = {8, 7, 6, 5, 4, 3, 2, 1};
            int r = setjmp(escape);
            if (r == 0) { qsort(w, 8, sizeof w[0], escaping); say("not reached\n"); }
            snprintf(line, sizeof line, "escaped qsort with %d after %d calls\n", r, calls);
            say(line);
            signal(SIGUSR1, handler);
            raise(SIGUSR1);
            say("after raise\n");
            signal(SIGUSR2, jumper);
            int s = sigsetjmp(away, 1);
            if (s == 0) { raise(SIGUSR2); say("not reached\n"); }
            snprintf(line, sizeof line, "jumped out of handler %d\n", s);
            say(line);
            for (int i = 0; i < 3; i++) {
                snprintf(line, sizeof line, "again %d %c\n", i, toupper('x' + i));
                say(line);
            }
            signal(SIGTERM, ender);
            raise(SIGTERM);
            say("not reached after exit\n");
            return 0;
        }
        """#

    static let expected = """
        sum 78416 sqrt 1.414214 strtod 3.250 str -5 ff
        sorted 0 1 2 .. 11 found 9 compared yes
        escaped qsort with 7 after 5 calls
        handler 10 upper Q
        after raise
        jumped out of handler 12
        again 0 X
        again 1 Y
        again 2 Z
        exiting in the handler

        """

    func testBlockHookCallsMatchTrappingStubsOnEveryTarget() throws {
        for target in Target.allCases {
            let image = try TestSupport.link([TestSupport.compile(Self.program, target: target, flags: ["-O1"])])
            guard let buffer = image.symbol(named: "out") else { return XCTFail("\(target): no symbol out") }
            var texts: [String] = []
            for trapping in [false, true] {
                var options = GuestProcess.Options(arguments: ["t"], environment: [:], programName: "t")
                options.trappingLibraryCalls = trapping
                let guest = try GuestProcess(image: image, options: options)
                XCTAssertEqual(guest.libraryCallsTrap, trapping)
                let outcome = guest.run()
                // 40 + SIGTERM (15) % 8: the status `exit` was given inside the handler.
                XCTAssertEqual(outcome.status, 47, "\(target) trapping \(trapping): \(outcome.report?.text ?? "")")
                let bytes = guest.guestBytes(guest.imageBase + UInt64(buffer.offset), 4096) ?? []
                texts.append(String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self))
            }
            XCTAssertEqual(texts[0], Self.expected, "\(target): block hook")
            XCTAssertEqual(texts[1], Self.expected, "\(target): trapping stubs")
        }
    }
}
