import CrossRunSupport
import CrossRunDriver
import CrossRunFuzz
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The emulated reset puts back every guest page an input wrote, whoever wrote it: guest
/// stores (scattered over many pages, into data, bss, heap), host C library code (`snprintf`,
/// a large `memset`) and the kernel (`read` into a guest page nothing else writes: the host
/// must open it before the system call, or the kernel would answer EFAULT). Write tracking is by
/// host page protection (Sources/CDirtyPages), which must not hide the guest's own: a store
/// to a page the guest made read-only is still a SEGV.
extension FuzzTests {
    static let resetHarness = """
        #include <fcntl.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/mman.h>
        #include <unistd.h>
        static int counter = 5;                  /* .data, written by every input */
        static unsigned char wide[64 * 4096];    /* .bss, pages picked by the input */
        static char text[8192];                  /* written by host code */
        static char incoming[4096] __attribute__((aligned(4096)));   /* a page only the kernel writes */
        static char *heap;
        static char *locked;                     /* read-only by the guest's own mprotect */
        static int random_fd;
        int LLVMFuzzerInitialize(int *argc, char ***argv) {
            heap = malloc(3 * 4096);
            memset(heap, 'h', 3 * 4096);
            locked = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (locked == MAP_FAILED) abort();
            locked[0] = 'L';
            if (mprotect(locked, 4096, PROT_READ) != 0) abort();
            random_fd = open("/dev/urandom", O_RDONLY);
            return random_fd < 0;
        }
        int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
            if (counter != 5) abort();
            /* all equal to the first byte: memcmp of a buffer with itself one byte on */
            if (text[0] || memcmp(text, text + 1, sizeof text - 1)) abort();
            if (incoming[0] || memcmp(incoming, incoming + 1, sizeof incoming - 1)) abort();
            if (wide[0] || memcmp(wide, wide + 1, sizeof wide - 1)) abort();
            if (heap[0] != 'h' || memcmp(heap, heap + 1, 3 * 4096 - 1)) abort();
            if (locked[0] != 'L') abort();
            counter++;
            for (size_t i = 0; i < size; i++) wide[(size_t)data[i] * 1031 % sizeof wide] = data[i] | 1;
            if (size > 0) memset(wide + (data[0] % 60) * 4096 + 100, 0x5a, 3 * 4096);
            if (size > 1) heap[(size_t)data[1] * 48 % (3 * 4096)] = 'x';
            snprintf(text + 4090, 100, "%d:%zu", counter, size);
            if (read(random_fd, incoming + 100, 64) != 64) abort();
            if (size > 0 && data[0] == 'W' && access("write-locked", F_OK) == 0) locked[1] = 'w';
            return 0;
        }
        """

    func testEveryWrittenPageIsPutBackAndGuestProtectionStillFaults() throws {
        let harness = try write("reset.c", Self.resetHarness)
        let input = try write("in-W", "W")
        for target in Self.emulated {
            let out = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", "emu", harness, "-runs=1500", "-seed=4"], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr.suffix(1500))")
            XCTAssertTrue(out.stderr.contains("Done 1500 runs"), "\(target): \(out.stderr.suffix(1500))")

            // The same input twice in one session, then once past the guest's protection.
            let twice = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", "emu", harness, "--replay", input, input], cwd: dir)
            XCTAssertEqual(twice.status, 0, "\(target): \(twice.stderr)")
            try FileIO.write([], to: dir + "/write-locked")
            let locked = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", "emu", harness, "--replay", input], cwd: dir)
            unlink(dir + "/write-locked")
            XCTAssertEqual(locked.status, 77, "\(target): \(locked.stderr)")
            XCTAssertTrue(locked.stderr.contains("==crossrun fuzz== SEGV on \(target)/emu"), "\(target): \(locked.stderr)")
        }
    }
}
