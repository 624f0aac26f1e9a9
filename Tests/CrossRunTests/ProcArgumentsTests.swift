import CrossRunSupport
import XCTest

/// An emulated process's argument and environment strings as Linux lays them out (one
/// contiguous block: the arguments, then the environment) and `/proc/self/cmdline` read from
/// that block as the program's memory holds it, so a rewritten process title shows (Redis's
/// test of its title). Emulated only: natively `/proc/self/cmdline` is the kernel's, CrossRun's.
final class ProcArgumentsTests: XCTestCase {
    static let program = """
        #include <fcntl.h>
        #include <stdio.h>
        #include <string.h>
        #include <unistd.h>
        extern char **environ;
        static void show(const char *label) {
            static char buf[1 << 16];
            int fd = open("/proc/self/cmdline", O_RDONLY);
            long n = fd < 0 ? 0 : read(fd, buf, sizeof buf);
            if (fd >= 0) close(fd);
            printf("%s:", label);
            for (long i = (long)strnlen(buf, (size_t)(n > 0 ? n : 0)) + 1; i < n; i++) putchar(buf[i] ? buf[i] : '|');
            putchar('\\n');
        }
        int main(int argc, char **argv) {
            int contiguous = 1;
            for (int i = 0; i + 1 < argc; i++) contiguous &= argv[i + 1] == argv[i] + strlen(argv[i]) + 1;
            printf("contiguous %d, environment follows %d\\n", contiguous,
                   environ[0] == argv[argc - 1] + strlen(argv[argc - 1]) + 1);
            show("cmdline");
            memset(argv[1], 'T', strlen(argv[1]));
            show("retitled");
            /* A title longer than the arguments runs on into the environment's area. */
            size_t room = (size_t)(environ[0] + strlen(environ[0]) - argv[1]);
            memset(argv[1], 'L', room);
            show("long title");
            return 0;
        }
        """

    func testCommandLineIsTheArgumentBlockAsMemoryHoldsIt() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(Self.program.utf8), to: dir + "/title.c")
        for target in ["x64", "aarch64", "rv64"] {
            let r = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "title.c", "--", "alpha", "beta gamma", "", "delta"],
                                                cwd: dir, environment: ["A_FIRST": "v"])
            XCTAssertEqual(r.status, 0, "\(target): \(r.stderr)")
            let lines = r.stdout.split(separator: "\n").map(String.init)
            XCTAssertEqual(lines.count, 4, "\(target): \(r.stdout)")
            guard lines.count == 4 else { continue }
            XCTAssertEqual(lines[0], "contiguous 1, environment follows 1", target)
            XCTAssertEqual(lines[1], "cmdline:alpha|beta gamma||delta|", target)
            XCTAssertEqual(lines[2], "retitled:TTTTT|beta gamma||delta|", target)
            XCTAssertTrue(lines[3].hasPrefix("long title:LLLLLLLLLLLLLLLLLLLL"), "\(target): \(lines[3])")
            XCTAssertFalse(lines[3].contains("|"), "\(target): read on to the first NUL only: \(lines[3])")
        }
    }
}
