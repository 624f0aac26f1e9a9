import CrossRunDriver
import XCTest

/// Guest code that issues Linux system calls itself reaches the emulator's shims.
final class EmulatorSyscallTests: XCTestCase {
    func testRawSyscallsReachTheShims() throws {
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
