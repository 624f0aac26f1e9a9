import CrossRunSupport
import XCTest

/// Emulated file mappings past the file's end where a fixture cannot show it (a fixture's
/// expected output comes from the host): a page the file is truncated away from under the map
/// raises SIGBUS after reading its bytes, also when a host library function (`memcpy`) is what
/// touches it, and the report says so; fixtures `mmap_file_sigbus` (SIGBUS with its siginfo,
/// caught and uncaught) and `mmap_file_growth` (pages the file grows into) cover the rest.
final class FileMappingTests: XCTestCase {
    static let pairs = [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")]

    func testATruncatedPageRaisesSigbusAndTheFileStillGrowsIntoTheMap() throws {
        let source = """
            #include <fcntl.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/mman.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0600);
                char page[4096];
                memset(page, 'x', sizeof page);
                if (fd < 0 || write(fd, page, 100) != 100) return 1;
                const char *shared = mmap(0, 8 * 4096, PROT_READ, MAP_SHARED, fd, 0);
                const char *private = mmap(0, 8 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
                if (shared == MAP_FAILED || private == MAP_FAILED) return 2;
                printf("tail: %d %d\\n", shared[100], private[4095]);
                /* The file grows into pages 1..3, which nothing touched: they show its bytes. */
                memset(page, 'y', sizeof page);
                if (pwrite(fd, page, 4096, 2 * 4096) != 4096) return 3;
                printf("grown: %c %c %d\\n", shared[2 * 4096], private[3 * 4096 - 1], shared[4096]);
                fflush(stdout);
                /* Truncated under the map: the page is past the end again. */
                if (ftruncate(fd, 0) != 0) return 4;
                char copy[16];
                volatile size_t n = sizeof copy;   /* not inlined: the host's memcpy touches it */
                if (argc > 1) memcpy(copy, shared + 2 * 4096, n);
                else copy[0] = shared[2 * 4096 + 1];
                printf("not reached %d\\n", copy[0]);
                return 0;
            }
            """
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(source.utf8), to: dir + "/tail.c")
        for (target, backend) in Self.pairs {
            for arguments in [[], ["--", "memcpy"]] {
                let out = try TestSupport.runCrossrun(["--target", target, "--backend", backend, "tail.c"] + arguments, cwd: dir)
                let what = "\(target)/\(backend) \(arguments)"
                XCTAssertEqual(out.status, 135, "\(what): \(out.stderr)")
                XCTAssertEqual(out.stdout, "tail: 0 0\ngrown: y y 0\n", "\(what): \(out.stderr)")
                XCTAssertTrue(out.stderr.contains("SIGBUS"), "\(what): \(out.stderr)")
            }
        }
    }
}
