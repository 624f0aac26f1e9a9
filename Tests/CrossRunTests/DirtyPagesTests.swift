import CDirtyPages
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The emulated fuzzer's write tracking (Sources/CDirtyPages: host page protection, a fault
/// handler, hot pages compared at resets) over plain host memory: every written page comes
/// back at a reset whoever wrote it (a store, the kernel after `crossrun_dirty_mark`), pages
/// written by every input stop faulting, pages left alone are protected again, scattered
/// writes past the open-page budget still come back, and a fault that is not the tracker's
/// still kills the process.
final class DirtyPagesTests: XCTestCase {
    static let page = 4096
    static let base: UInt64 = 0x10000

    /// A region of `pages` pages with a recognisable start state: byte 5 of every 7th page is
    /// its number, all else zero.
    func region(_ pages: Int) throws -> UnsafeMutablePointer<UInt8> {
        let mem = try XCTUnwrap(mmap(nil, pages * Self.page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0))
        XCTAssertNotEqual(mem, MAP_FAILED)
        let bytes = mem.assumingMemoryBound(to: UInt8.self)
        for p in stride(from: 0, to: pages, by: 7) { bytes[p * Self.page + 5] = UInt8(truncatingIfNeeded: p) }
        return bytes
    }

    /// The first page that differs from the start state, or nil.
    func firstChanged(_ bytes: UnsafeMutablePointer<UInt8>, _ pages: Int) -> Int? {
        var expected = [UInt8](repeating: 0, count: Self.page)
        for p in 0..<pages {
            expected[5] = p % 7 == 0 ? UInt8(truncatingIfNeeded: p) : 0
            if memcmp(bytes + p * Self.page, expected, Self.page) != 0 { return p }
        }
        return nil
    }

    func testEveryWrittenPageComesBackAndHotPagesStopFaulting() throws {
        let pages = 4096
        let bytes = try region(pages)
        defer { munmap(bytes, pages * Self.page) }
        var t = crossrun_dirty_pages()
        XCTAssertEqual(crossrun_dirty_init(&t, Self.base, UInt64(pages), bytes), 0)
        defer { crossrun_dirty_free(&t) }
        XCTAssertEqual(crossrun_dirty_arm(&t), 0)
        let random = open("/dev/urandom", O_RDONLY)
        XCTAssertGreaterThanOrEqual(random, 0)
        defer { close(random) }
        var steady: UInt64 = 0
        for round in 0..<12 {
            bytes[3 * Self.page + 9] = UInt8(round + 1)                     // every input (hot)
            bytes[7 * Self.page + 5] = 0x77                                 // every input, over start-state data
            if round % 4 == 0 { memset(bytes + 100 * Self.page, 0xab, 3 * Self.page) }   // now and then
            if round == 6 {
                // More pages than the open-page budget, scattered: the rest open by chunks.
                for p in 0..<3000 { bytes[p * Self.page + 1] ^= 0xff }
            }
            // The kernel writes into protected pages only once they were marked (else EFAULT).
            crossrun_dirty_mark(&t, Self.base + UInt64(200 * Self.page + 10), 5000)
            XCTAssertEqual(read(random, bytes + 200 * Self.page + 10, 5000), 5000, "round \(round): \(String(cString: strerror(errno)))")
            crossrun_dirty_restore(&t)
            XCTAssertNil(firstChanged(bytes, pages), "round \(round)")
            XCTAssertEqual(t.failed, 0)
            if round == 1 { steady = t.faults }
            if round == 2 || round == 3 { XCTAssertEqual(t.faults, steady, "round \(round): hot pages no longer fault") }
        }
        XCTAssertEqual(steady, 5, "pages 3, 7 and 100...102 faulted once each; the marked pages did not fault")
        XCTAssertGreaterThan(t.faults, steady + 2048 / 2, "the scattered round faulted (in chunks past the budget)")
        XCTAssertLessThanOrEqual(t.count, UInt64(CROSSRUN_DIRTY_HOT_MAX), "open pages kept across resets are bounded")
        crossrun_dirty_disarm(&t)
        bytes[9] = 1   // writable again, without the tracker
        XCTAssertEqual(bytes[9], 1)
    }

    func testPagesLeftAloneAreProtectedAgain() throws {
        let pages = 64
        let bytes = try region(pages)
        defer { munmap(bytes, pages * Self.page) }
        var t = crossrun_dirty_pages()
        XCTAssertEqual(crossrun_dirty_init(&t, Self.base, UInt64(pages), bytes), 0)
        defer { crossrun_dirty_free(&t) }
        XCTAssertEqual(crossrun_dirty_arm(&t), 0)
        bytes[10 * Self.page] = 1
        crossrun_dirty_restore(&t)
        XCTAssertEqual([t.faults, t.count, t.restored], [1, 1, 1])
        bytes[10 * Self.page + 1] = 2   // open: no fault, still put back
        crossrun_dirty_restore(&t)
        XCTAssertEqual([t.faults, t.restored], [1, 2])
        let limit = Int(CROSSRUN_DIRTY_AGE_LIMIT)
        for _ in 0..<(limit - 1) { crossrun_dirty_restore(&t) }
        XCTAssertEqual([t.count, t.protects], [1, 0], "not yet")
        crossrun_dirty_restore(&t)
        XCTAssertEqual([t.count, t.protects], [0, 1], "unchanged for \(limit) resets: protected again")
        bytes[10 * Self.page + 2] = 3
        XCTAssertEqual(t.faults, 2, "so the next write faults again")
        crossrun_dirty_restore(&t)
        XCTAssertNil(firstChanged(bytes, pages))
        // Host writes outside the region, empty or wrapping around, change nothing.
        crossrun_dirty_mark(&t, 0, 0x1000)
        crossrun_dirty_mark(&t, Self.base, 0)
        crossrun_dirty_mark(&t, UInt64.max - 10, 100)
        crossrun_dirty_mark(&t, Self.base + UInt64(pages * Self.page), 1)
        XCTAssertEqual(t.count, 1)
        crossrun_dirty_mark(&t, Self.base - 100, UInt64.max)   // the whole region
        XCTAssertEqual(t.count, UInt64(pages))
        crossrun_dirty_restore(&t)
        XCTAssertNil(firstChanged(bytes, pages))
    }

    /// A SIGSEGV that is not a tracked page's first write goes on to the handler before the
    /// tracker's (here none: the process dies of it).
    func testOtherFaultsStillKill() throws {
        let pages = 16
        let bytes = try region(pages)
        defer { munmap(bytes, pages * Self.page) }
        let readOnly = try XCTUnwrap(mmap(nil, Self.page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(readOnly, Self.page) }
        let child = fork()
        XCTAssertGreaterThanOrEqual(child, 0)
        if child == 0 {
            var d = sigaction()
            d.__sigaction_handler.sa_handler = SIG_DFL
            sigaction(SIGSEGV, &d, nil)
            var t = crossrun_dirty_pages()
            if crossrun_dirty_init(&t, Self.base, UInt64(pages), bytes) != 0 || crossrun_dirty_arm(&t) != 0 { _exit(3) }
            bytes[5] = 1                                                // the tracker's: fine
            if bytes[5] != 1 { _exit(4) }
            readOnly.assumingMemoryBound(to: UInt8.self)[0] = 1         // not the tracker's
            _exit(5)
        }
        var status: Int32 = 0
        XCTAssertEqual(waitpid(child, &status, 0), child)
        XCTAssertEqual(status & 0x7f, SIGSEGV, "the child died of SIGSEGV (status \(status))")
    }
}
