import CrossRunSupport
import XCTest

/// Emulated file mappings past the file's end, which a fixture cannot show (natively the
/// program gets SIGBUS): a page no byte of the file covers reads as zeros instead of killing
/// CrossRun with a host SIGBUS, and a page the file grows into afterwards shows the file's
/// bytes (fixture `mmap_file_growth` covers the growth a native run can check too).
final class FileMappingTests: XCTestCase {
    static let targets = ["x64", "aarch64", "rv64"]

    func testPagesPastTheEndReadAsZerosAndTheFileStillGrowsIntoTheMap() throws {
        let source = """
            #include <fcntl.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/mman.h>
            #include <unistd.h>
            int main(void) {
                int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0600);
                char page[4096];
                memset(page, 'x', sizeof page);
                if (fd < 0 || write(fd, page, 100) != 100) return 1;
                const char *shared = mmap(0, 8 * 4096, PROT_READ, MAP_SHARED, fd, 0);
                const char *private = mmap(0, 8 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
                if (shared == MAP_FAILED || private == MAP_FAILED) return 2;
                /* Past the end: SIGBUS on Linux; zeros here. */
                printf("past: %d %d %d\\n", shared[5 * 4096], private[7 * 4096 + 5], shared[100]);
                /* The file grows into pages 1..3, which nothing touched: they show its bytes. */
                memset(page, 'y', sizeof page);
                if (pwrite(fd, page, 4096, 2 * 4096) != 4096) return 3;
                printf("grown: %c %c %d\\n", shared[2 * 4096], private[3 * 4096 - 1], shared[4096]);
                /* Truncated under the map: the page reads as zeros again instead of a host SIGBUS. */
                if (ftruncate(fd, 0) != 0) return 4;
                printf("truncated: %d\\n", shared[2 * 4096 + 1]);
                return 0;
            }
            """
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(source.utf8), to: dir + "/tail.c")
        for target in Self.targets {
            let out = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "tail.c"], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "past: 0 0 0\ngrown: y y 0\ntruncated: 0\n", "\(target): \(out.stderr)")
        }
    }
}
