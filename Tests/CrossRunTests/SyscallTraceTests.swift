import CrossRunDriver
import CrossRunSupport
import XCTest

/// `--trace=syscall`: the system calls an emulated program makes itself, one strace-style line
/// each with decoded arguments and results, the same on every emulated target.
///
/// `--trace=syscall` on x64/emu, aarch64/emu and rv64/emu: raw `write`, `openat` of a missing and
/// an existing file, `read`, `close`, a bad `close`, `getpid` (with `--deterministic`) give the
/// same decoded lines on every target (flags, quoting, truncation, errno names), into
/// `--trace-file` or on stderr with `--trace-string-limit`; nothing without the flag;
/// `--trace=libc:fopen,...` shows exactly the chosen calls with quoted strings, `fprintf`'s format
/// arguments, results and `ENOENT` for a failed `fopen` (addresses normalised), and
/// `--trace=syscall,libc` every call; `--trace=signal` shows a handled signal (not an ignored one)
/// and `+++ exited with 4 +++`, or a default-action `SIGTERM` and `+++ killed by SIGTERM +++`;
/// unknown items, `syscall` and `signal` on native runs and a bad trace file are refused.
final class SyscallTraceTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    static let program = "#include <fcntl.h>\n#include <stdio.h>\n" + TestSupport.rawSyscall3 + """

        #if defined(__x86_64__)
        enum { READ = 0, WRITE = 1, OPENAT = 257, CLOSE = 3, GETPID = 39 };
        #else
        enum { READ = 63, WRITE = 64, OPENAT = 56, CLOSE = 57, GETPID = 172 };
        #endif
        int main(void) {
            char buf[64];
            sys3(WRITE, 1, (long)"raw\\n", 4);
            sys3(OPENAT, -100, (long)"missing.txt", O_RDONLY);
            long fd = sys3(OPENAT, -100, (long)"in.txt", O_RDONLY | O_CLOEXEC);
            long n = sys3(READ, fd, (long)buf, sizeof buf);
            sys3(CLOSE, fd, 0, 0);
            sys3(WRITE, 2, (long)"a \\"quoted\\"\\tline with a byte \\001 and text past the limit\\n", 56);
            sys3(GETPID, 0, 0, 0);
            sys3(CLOSE, 99, 0, 0);
            printf("read %ld fd %ld\\n", n, fd);   /* a library call: not a system call line */
            return 0;
        }
        """

    static let expected = """
        write(1, "raw\\n", 4) = 4
        openat(AT_FDCWD, "missing.txt", O_RDONLY) = -1 ENOENT (No such file or directory)
        openat(AT_FDCWD, "in.txt", O_RDONLY|O_CLOEXEC) = #
        read(#, "hello trace\\n", 64) = 12
        close(#) = 0
        write(2, "a \\"quoted\\"\\tline with a byte \\1 an"..., 56) = 56
        getpid() = 1000
        close(99) = -1 EBADF (Bad file descriptor)

        """

    func testEveryEmulatedTargetTracesTheSameDecodedCalls() throws {
        try FileIO.write(Array(Self.program.utf8), to: dir + "/calls.c")
        try FileIO.write(Array("hello trace\n".utf8), to: dir + "/in.txt")
        for target in ["x64", "aarch64", "rv64"] {
            let out = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "--deterministic", "--trace=syscall",
                                                   "--trace-file", "trace.txt", "calls.c"], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            // The descriptor number depends on what CrossRun has open (the trace file): the program says.
            XCTAssertTrue(out.stdout.hasPrefix("raw\nread 12 fd "), target + ": " + out.stdout)
            let fd = String(out.stdout.split(separator: " ").last?.dropLast() ?? "")
            XCTAssertEqual(String(decoding: try FileIO.read(dir + "/trace.txt"), as: UTF8.self), Self.expected.replacingOccurrences(of: "#", with: fd), target)
            // On stderr when no file is given, between the program's own output.
            let direct = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "--deterministic", "--trace=syscall", "--trace-string-limit", "4", "calls.c"], cwd: dir)
            XCTAssertTrue(direct.stderr.contains("write(2, \"a \\\"q\"..., 56) = 56\n"), direct.stderr)
            XCTAssertTrue(direct.stderr.contains("getpid() = 1000\n"), direct.stderr)
            let quiet = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "calls.c"], cwd: dir)
            XCTAssertFalse(quiet.stderr.contains("openat("), "no trace unless asked: \(quiet.stderr)")
        }
    }

    func testLibraryCallsAreTracedWithDecodedArgumentsOnEveryEmulatedTarget() throws {
        try FileIO.write(Array("""
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
                free(p);
                return g != NULL;
            }
            """.utf8), to: dir + "/calls.c")
        let expected = """
            fopen("trace-out.txt", "w") = 0x?
            fprintf(0x?, "%s:%d %5.2f %lu %c\\n", "alpha", 42, 3.5, 7, 120) = 19
            fclose(0x?) = 0
            fopen("missing/none.txt", "r") = NULL ENOENT (No such file or directory)
            malloc(16) = 0x?
            printf("%s %d\\n", "hi", 2) = 5
            free(0x?)

            """
        for target in ["x64", "aarch64", "rv64"] {
            let out = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "--trace=libc:fopen,fprintf,fclose,malloc,printf,free",
                                                   "--trace-file", "trace.txt", "calls.c"], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "hi 2\n", target)
            let trace = String(decoding: try FileIO.read(dir + "/trace.txt"), as: UTF8.self)
            XCTAssertEqual(trace.replacing(#/0x[0-9a-f]+/#, with: "0x?"), expected, target)
            XCTAssertEqual(String(decoding: try FileIO.read(dir + "/trace-out.txt"), as: UTF8.self), "alpha:42  3.50 7 x\n")
            // Every call without a filter (strlen too), and system calls with libc.
            let all = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "--trace=syscall,libc", "calls.c"], cwd: dir)
            XCTAssertTrue(all.stderr.contains("strlen(\"hi\") = 2\n"), all.stderr)
        }
    }

    func testSignalsAndTheEndOfTheRunAreTraced() throws {
        try FileIO.write(Array("""
            #include <signal.h>
            #include <stdio.h>
            #include <stdlib.h>
            static void on(int s) { printf("handled %d\\n", s); }
            int main(int argc, char **argv) {
                signal(SIGUSR1, on);
                raise(SIGUSR1);
                signal(SIGUSR2, SIG_IGN);
                raise(SIGUSR2);   /* ignored: not delivered */
                if (argc > 1) raise(SIGTERM);
                return 4;
            }
            """.utf8), to: dir + "/sig.c")
        for target in ["x64", "aarch64", "rv64"] {
            let out = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "--trace=signal,libc:raise", "--trace-file", "t.txt", "sig.c"], cwd: dir)
            XCTAssertEqual(out.status, 4, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "handled 10\n")
            XCTAssertEqual(String(decoding: try FileIO.read(dir + "/t.txt"), as: UTF8.self),
                           "--- SIGUSR1 {si_signo=SIGUSR1} ---\nraise(10) = 0\nraise(12) = 0\n+++ exited with 4 +++\n", target)
            let killed = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "--trace=signal", "sig.c", "--", "term"], cwd: dir)
            XCTAssertEqual(killed.status, 143, killed.stderr)
            XCTAssertTrue(killed.stderr.hasPrefix("--- SIGUSR1 {si_signo=SIGUSR1} ---\n--- SIGTERM {si_signo=SIGTERM} ---\n"), killed.stderr)
            XCTAssertTrue(killed.stderr.hasSuffix("+++ killed by SIGTERM +++\n"), killed.stderr)
        }
    }

    func testUnavailableTracesAreRefused() throws {
        try FileIO.write(Array("int main(void) { return 0; }\n".utf8), to: dir + "/p.c")
        for (args, message) in [(["--trace=disk"], "--trace: unknown item 'disk'"),
                                (["--backend", "native", "--trace=syscall"], "--trace=syscall needs the emulator: natively the program's own system calls go straight to the kernel"),
                                (["--backend", "native", "--trace=libc,signal"], "--trace=signal needs the emulator"),
                                (["--trace-file", "t.txt"], "--trace-file needs --trace"),
                                (["--backend", "emu", "--trace=syscall", "--trace-file", "no/such/dir/t.txt"], "no/such/dir/t.txt: --trace-file: No such file or directory")] {
            let out = try TestSupport.runCrossrun(args + ["p.c"], cwd: dir)
            XCTAssertEqual(out.status, 1, "\(args): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains(message), "\(args): \(out.stderr)")
        }
    }
}
