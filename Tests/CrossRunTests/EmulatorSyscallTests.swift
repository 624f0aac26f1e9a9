import CrossRunDriver
import CrossRunSupport
import XCTest

/// Guest code that issues Linux system calls itself reaches the emulator's shims.
final class EmulatorSyscallTests: XCTestCase {
    func testRawSyscallsReachTheShims() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let src = dir + "/sys.c"
        try FileIO.write(Array("""
            #include <stdio.h>
            static long sys3(long n, long a, long b, long c) {
                long r;
                __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
                return r;
            }
            int main(void) {
                fflush(stdout);
                long w = sys3(1, 1, (long)"raw write\\n", 10);          /* write */
                long bad = sys3(1, 1, 16, 5);                            /* write from a wild pointer */
                long pid = sys3(39, 0, 0, 0);                            /* getpid */
                long unknown = sys3(9999, 0, 0, 0);
                char cwd[512];
                long c = sys3(79, (long)cwd, sizeof cwd, 0);             /* getcwd */
                printf("write=%ld bad=%ld pid>0=%d unknown=%ld cwd=%d\\n", w, bad, pid > 0, unknown, c > 1 && cwd[0] == '/');
                return 0;
            }
            """.utf8), to: src)
        let out = try TestSupport.runCrossrun(["--backend", "emu", "--verbose", src], cwd: dir)
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(out.stdout, "raw write\nwrite=10 bad=-14 pid>0=1 unknown=-38 cwd=1\n")
        XCTAssertTrue(out.stderr.contains("unsupported system call 9999 (returns -ENOSYS)"), out.stderr)
        // The same program natively gives the same answers from the real kernel.
        let native = try TestSupport.runCrossrun(["--backend", "native", src], cwd: dir)
        XCTAssertEqual(native.stdout, out.stdout)
    }

    func testWildBufferToWriteIsEFAULTNotACrash() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let src = dir + "/w.c"
        try FileIO.write(Array("""
            #include <errno.h>
            #include <stdio.h>
            #include <unistd.h>
            int main(void) {
                long r = write(1, (const void *)16, 5);
                printf("r=%ld efault=%d\\n", r, errno == EFAULT);
                return 0;
            }
            """.utf8), to: src)
        for run in [["--backend", "native"], ["--backend", "emu"], ["--target", "aarch64"], ["--target", "rv64"]] {
            let out = try TestSupport.runCrossrun(run + [src], cwd: dir)
            XCTAssertEqual(out.stdout, "r=-1 efault=1\n", "\(run)")
            XCTAssertEqual(out.status, 0, "\(run)")
        }
    }

    /// The asm-generic table through `svc #0` (aarch64) and `ecall` (riscv64): guest code that
    /// makes system calls itself reaches the shims with the same results as on x86-64.
    func testRawGenericSyscallsOnAArch64AndRV64() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let src = dir + "/sys.c"
        try FileIO.write(Array("""
            #include <stdio.h>
            \(TestSupport.rawSyscall3)
            int main(void) {
                fflush(stdout);
                long w = sys3(64, 1, (long)"raw write\\n", 10);         /* write */
                long bad = sys3(64, 1, 16, 5);                           /* write from a wild pointer */
                long pid = sys3(172, 0, 0, 0);                           /* getpid */
                long unknown = sys3(9999, 0, 0, 0);
                char cwd[512];
                long c = sys3(17, (long)cwd, sizeof cwd, 0);             /* getcwd */
                printf("write=%ld bad=%ld pid>0=%d unknown=%ld cwd=%d\\n", w, bad, pid > 0, unknown, c > 1 && cwd[0] == '/');
                return 0;
            }
            """.utf8), to: src)
        for target in ["aarch64", "rv64"] {
            let out = try TestSupport.runCrossrun(["--target", target, "--verbose", src], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "raw write\nwrite=10 bad=-14 pid>0=1 unknown=-38 cwd=1\n", target)
            XCTAssertTrue(out.stderr.contains("unsupported system call 9999 (returns -ENOSYS)"), "\(target): \(out.stderr)")
        }
    }
}
