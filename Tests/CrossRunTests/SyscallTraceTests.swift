import CrossRunDriver
import XCTest

/// `--trace=syscall`: the system calls an emulated program makes itself, one strace-style line
/// each with decoded arguments and results, the same on every emulated target.
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

    func testUnavailableTracesAreRefused() throws {
        try FileIO.write(Array("int main(void) { return 0; }\n".utf8), to: dir + "/p.c")
        for (args, message) in [(["--trace=libc"], "--trace=libc is not available yet"), (["--trace=disk"], "--trace: unknown item 'disk'"),
                                (["--backend", "native", "--trace=syscall"], "--trace=syscall needs the emulator"),
                                (["--trace-file", "t.txt"], "--trace-file needs --trace"),
                                (["--backend", "emu", "--trace=syscall", "--trace-file", "no/such/dir/t.txt"], "no/such/dir/t.txt: --trace-file: No such file or directory")] {
            let out = try TestSupport.runCrossrun(args + ["p.c"], cwd: dir)
            XCTAssertEqual(out.status, 1, "\(args): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains(message), "\(args): \(out.stderr)")
        }
    }
}
