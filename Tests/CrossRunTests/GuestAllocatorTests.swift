@testable import CrossRunLibc
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The guest allocator's structure: size classes reuse their blocks, pages move between
/// classes and large blocks as a program's sizes change (a churn does not grow the heap), free
/// runs coalesce, alignments hold, realloc grows and shrinks in place and keeps bytes when it
/// moves, bad frees abort as glibc's do, and exhaustion answers NULL.
final class GuestAllocatorTests: XCTestCase {
    static let base: UInt64 = 0x40_0000

    func testSizeClassesReuseTheirBlocksLowestFirst() throws {
        var heap = GuestHeap(base: Self.base, size: 1 << 24)
        let a = try XCTUnwrap(heap.allocate(24)), b = try XCTUnwrap(heap.allocate(32)), c = try XCTUnwrap(heap.allocate(20))
        XCTAssertEqual(b.address, a.address + 32, "24 and 32 bytes share the 32-byte class, carved in order")
        XCTAssertEqual(c.address, a.address + 64, "and 20")
        let d = try XCTUnwrap(heap.allocate(100))
        XCTAssertGreaterThanOrEqual(d.address >= a.address ? d.address - a.address : a.address - d.address, 65536,
                                    "another class takes another span")
        XCTAssertTrue(heap.free(a.address))
        XCTAssertTrue(heap.free(c.address))
        let e = try XCTUnwrap(heap.allocate(31))
        XCTAssertEqual(e.address, a.address, "the lowest free block of the class")
        XCTAssertFalse(e.fresh, "a reused block is not known to be zero")
        XCTAssertEqual(heap.size(of: e.address), 31)
        XCTAssertEqual(heap.allocate(17)?.address, c.address)
        XCTAssertEqual(heap.liveBytes, 31 + 32 + 17 + 100)
    }

    func testBlockIndicesComeFromTheReciprocalExactly() {
        for cls in stride(from: 16, through: GuestHeap.smallLimit, by: 16) {
            let reciprocal = UInt32((1 << 32) / cls + 1)
            for offset in 0..<GuestHeap.spanBytes where GuestHeap.divide(UInt64(offset), reciprocal: reciprocal) != offset / cls {
                return XCTFail("\(offset) / \(cls)")
            }
        }
    }

    func testPagesMoveBetweenClassesSoAChurnDoesNotGrowTheHeap() throws {
        // 8 MiB of heap: each phase fills ~6 MiB with one class, then frees it all.
        var heap = GuestHeap(base: Self.base, size: 8 << 20)
        for (round, size) in [16, 48, 400, 4096, 16, 3000, 64].enumerated() {
            var blocks: [UInt64] = []
            while heap.liveBytes + size <= 6 << 20 {
                guard let (a, _) = heap.allocate(size) else { return XCTFail("round \(round): exhausted at \(heap.liveBytes) bytes of \(size)") }
                blocks.append(a)
            }
            for a in blocks.shuffled() { XCTAssertTrue(heap.free(a)) }
            XCTAssertEqual(heap.liveBytes, 0)
        }
        // Everything went back: one block of nearly the whole heap fits (the empty span each
        // class kept is given back when nothing else is left).
        XCTAssertNotNil(heap.allocate((8 << 20) - (128 << 10)))
    }

    func testLargeBlocksCoalesceWhenFreed() throws {
        var heap = GuestHeap(base: Self.base, size: 1 << 24)
        let a = try XCTUnwrap(heap.allocate(3 * 4096)).address
        let b = try XCTUnwrap(heap.allocate(5 * 4096)).address
        let c = try XCTUnwrap(heap.allocate(2 * 4096)).address
        let fence = try XCTUnwrap(heap.allocate(4097)).address
        XCTAssertEqual(b, a + 3 * 4096)
        XCTAssertEqual(c, b + 5 * 4096)
        XCTAssertEqual(fence, c + 2 * 4096)
        XCTAssertTrue(heap.free(a))
        XCTAssertTrue(heap.free(c))
        let six = try XCTUnwrap(heap.allocate(6 * 4096)).address
        XCTAssertEqual(six, fence + 2 * 4096, "two free runs of 3 and 2 pages do not hold 6")
        XCTAssertTrue(heap.free(b))
        let merged = try XCTUnwrap(heap.allocate(10 * 4096))
        XCTAssertEqual(merged.address, a, "a, b and c merged into one run of 10 pages")
        XCTAssertFalse(merged.fresh)
        XCTAssertEqual(heap.allocate(4097)?.address, six + 6 * 4096, "nothing free below: fresh pages")
    }

    func testAlignmentsHoldAndAlignedBlocksFreeLikeOthers() throws {
        var heap = GuestHeap(base: Self.base + 0x1000, size: 1 << 26)
        var live: [(UInt64, Int)] = []
        for shift in 5...20 {
            for size in [1, 100, 4096, 5000, 70000] {
                let alignment = 1 << shift
                let a = try XCTUnwrap(heap.allocateAligned(size, alignment: alignment), "\(size) at \(alignment)")
                XCTAssertEqual(a % UInt64(alignment), 0, "\(size) at \(alignment)")
                XCTAssertEqual(heap.size(of: a), size)
                live.append((a, size))
            }
        }
        let sorted = live.sorted { $0.0 < $1.0 }
        for (x, y) in zip(sorted, sorted.dropFirst()) { XCTAssertLessThanOrEqual(x.0 + UInt64(x.1), y.0, "overlap") }
        for (a, _) in live { XCTAssertTrue(heap.free(a)) }
        XCTAssertEqual(heap.liveBytes, 0)
        XCTAssertNil(heap.allocateAligned(16, alignment: 48), "not a power of two")
        XCTAssertNil(heap.allocateAligned(16, alignment: 1 << 40))
        XCTAssertNotNil(heap.allocate((1 << 26) - (1 << 20)), "the trimmed alignment runs were given back")
    }

    func testLargeBlocksResizeInPlace() throws {
        var heap = GuestHeap(base: Self.base, size: 1 << 24)
        let a = try XCTUnwrap(heap.allocate(5000)).address
        XCTAssertTrue(heap.resizeInPlace(a, to: 20000), "the pages after the last block are free")
        let b = try XCTUnwrap(heap.allocate(5000)).address
        XCTAssertEqual(b, a + 5 * 4096)
        XCTAssertFalse(heap.resizeInPlace(a, to: 20481), "b is in the way")
        XCTAssertTrue(heap.resizeInPlace(a, to: 4097), "shrinking gives back three pages")
        XCTAssertEqual(heap.allocate(3 * 4096)?.address, a + 2 * 4096)
        XCTAssertEqual(heap.size(of: a), 4097)
        XCTAssertEqual(heap.liveBytes, 4097 + 5000 + 3 * 4096)
    }

    func testBadFreesAreRefusedAndTheTablesStayIntact() throws {
        var heap = GuestHeap(base: Self.base, size: 1 << 24)
        let small = try XCTUnwrap(heap.allocate(40)).address
        let large = try XCTUnwrap(heap.allocate(10000)).address
        for bad in [small + 16, small + 48 * 1000, large + 4096, large + 8, Self.base - 16, Self.base + (1 << 24), 0, UInt64.max, UInt64.max - 15] {
            XCTAssertFalse(heap.free(bad), String(bad, radix: 16))
            XCTAssertNil(heap.size(of: bad))
            XCTAssertFalse(heap.resizeInPlace(bad, to: 8))
        }
        XCTAssertTrue(heap.free(small))
        XCTAssertFalse(heap.free(small), "double free")
        XCTAssertTrue(heap.free(large))
        XCTAssertFalse(heap.free(large), "double free")
        XCTAssertEqual(heap.liveBytes, 0)
    }

    func testExhaustionAndLimits() throws {
        var heap = GuestHeap(base: Self.base, size: 1 << 20)
        XCTAssertNil(heap.allocate((1 << 20) + 1), "larger than the heap")
        XCTAssertNil(heap.allocate(-1))
        XCTAssertNil(heap.allocate(Int.max))
        XCTAssertNil(heap.allocateAligned(Int.max, alignment: 4096))
        XCTAssertNil(heap.allocateAligned(1 << 19, alignment: 1 << 20), "fits only misaligned")
        var blocks: [UInt64] = []
        while let (a, _) = heap.allocate(3000) { blocks.append(a) }
        XCTAssertEqual(blocks.count, 16 * 21, "the heap's 256 pages are 16 spans of 21 blocks of 3008 bytes")
        XCTAssertNil(heap.allocate(16), "no page left for a new span")
        XCTAssertTrue(heap.free(try XCTUnwrap(blocks.popLast())))
        XCTAssertNotNil(heap.allocate(3000), "a freed block serves again")
        var outside = GuestHeap(base: UInt64.max - 100, size: 1 << 20)
        XCTAssertNil(outside.allocate(16), "a heap past the end of the address space is empty")
        // A heap ending at the top of the address space: alignment arithmetic must not overflow.
        var top = GuestHeap(base: UInt64.max - (1 << 30) + 1, size: (1 << 30) - 1)
        let high = try XCTUnwrap(top.allocateAligned(5000, alignment: 1 << 29))
        XCTAssertEqual(high % (1 << 29), 0)
        XCTAssertNil(top.allocateAligned(5000, alignment: 1 << 30))
        XCTAssertTrue(top.free(high))
    }

    func testRandomOperationsKeepBlocksApartAndInside() throws {
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: Int) -> Int {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            return Int(seed % UInt64(n))
        }
        let size: UInt64 = 32 << 20
        var heap = GuestHeap(base: Self.base, size: size)
        var live: [UInt64: Int] = [:], order: [UInt64] = []
        for step in 0..<40_000 {
            let op = next(20)
            if op < 10 || order.isEmpty {
                let n = [next(64), next(4200), next(70_000), next(300_000)][next(4)]
                let aligned = next(8) == 0
                let alignment = 1 << (4 + next(12))
                guard let a = aligned ? heap.allocateAligned(n, alignment: alignment) : heap.allocate(n)?.address else {
                    XCTAssertGreaterThan(heap.liveBytes, Int(size / 4), "exhausted early at step \(step)"); continue
                }
                XCTAssertEqual(a % UInt64(aligned ? max(alignment, 16) : 16), 0)
                XCTAssertTrue(a >= Self.base && a + UInt64(n) <= Self.base + size)
                XCTAssertNil(live[a], "handed out twice")
                live[a] = n
                order.append(a)
            } else {
                let i = next(order.count)
                let a = order[i]
                XCTAssertEqual(heap.size(of: a), live[a])
                if op < 18 {
                    order.swapAt(i, order.count - 1); order.removeLast()
                    XCTAssertTrue(heap.free(a))
                    live[a] = nil
                } else {
                    let n = next(2) == 0 ? next(9000) : next(200_000)
                    if heap.resizeInPlace(a, to: n) { live[a] = n }
                }
            }
            if step % 5000 == 4999 {
                let sorted = live.sorted { $0.key < $1.key }
                for (x, y) in zip(sorted, sorted.dropFirst()) {
                    XCTAssertLessThanOrEqual(x.key + UInt64(x.value), y.key, "overlap at step \(step)")
                }
                XCTAssertEqual(heap.liveBytes, live.values.reduce(0, +))
            }
        }
        for a in order { XCTAssertTrue(heap.free(a)) }
        XCTAssertNotNil(heap.allocate(Int(size) - (256 << 10)), "all freed: the pages coalesced again")
    }

    // Through the C library's entry points, on guest memory.

    func testReallocKeepsBytesWhetherItMovesOrNot() throws {
        let (rt, mem) = try makeRuntime()
        let pattern = (0..<6000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        let a = try call(rt, "malloc", FakeFrame(ints: [6000])).result
        try mem.write(pattern, at: a)
        let grown = try call(rt, "realloc", FakeFrame(ints: [a, 30000])).result
        XCTAssertEqual(grown, a, "grown in place into the free pages after it")
        let fence = try call(rt, "malloc", FakeFrame(ints: [5000])).result
        let moved = try call(rt, "realloc", FakeFrame(ints: [grown, 100_000])).result
        XCTAssertNotEqual(moved, grown, "the fence is in the way")
        XCTAssertEqual(Array(try mem.bytes(moved, 6000)), pattern)
        let shrunk = try call(rt, "realloc", FakeFrame(ints: [moved, 5000])).result
        XCTAssertEqual(shrunk, moved)
        XCTAssertEqual(Array(try mem.bytes(shrunk, 5000)), Array(pattern.prefix(5000)))
        let small = try call(rt, "realloc", FakeFrame(ints: [shrunk, 0])).result
        XCTAssertEqual(small, 0, "realloc to 0 frees")
        let s = try call(rt, "malloc", FakeFrame(ints: [20])).result
        try mem.write(Array(pattern.prefix(20)), at: s)
        let t = try call(rt, "realloc", FakeFrame(ints: [s, 32])).result
        XCTAssertEqual(t, s, "20 and 32 bytes are one class")
        let u = try call(rt, "realloc", FakeFrame(ints: [t, 33])).result
        XCTAssertNotEqual(u, t)
        XCTAssertEqual(Array(try mem.bytes(u, 20)), Array(pattern.prefix(20)))
        XCTAssertEqual(try call(rt, "malloc_usable_size", FakeFrame(ints: [u])).result, 33)
        try call(rt, "free", FakeFrame(ints: [fence]))
        try call(rt, "free", FakeFrame(ints: [u]))
    }

    func testInvalidFreesAbortAsInGlibc() throws {
        let (rt, _) = try makeRuntime()
        let a = try call(rt, "malloc", FakeFrame(ints: [100])).result
        let big = try call(rt, "malloc", FakeFrame(ints: [100_000])).result
        for bad in [a + 16, big + 4096, rt.heap.base - 4096, 0xdead_beef_0000] {
            XCTAssertThrowsError(try call(rt, "free", FakeFrame(ints: [bad]))) {
                guard case GuestTermination.signal(let sig, let message)? = $0 as? GuestTermination else { return XCTFail("\($0)") }
                XCTAssertEqual(sig, SIGABRT)
                XCTAssertEqual(message, "free(): invalid pointer 0x" + String(bad, radix: 16))
            }
        }
        try call(rt, "free", FakeFrame(ints: [a]))
        try call(rt, "free", FakeFrame(ints: [big]))
        for freed in [a, big] {
            XCTAssertThrowsError(try call(rt, "free", FakeFrame(ints: [freed])), "double free")
            XCTAssertThrowsError(try call(rt, "realloc", FakeFrame(ints: [freed, 10]))) {
                guard case GuestTermination.signal(let sig, let message)? = $0 as? GuestTermination else { return XCTFail("\($0)") }
                XCTAssertEqual(sig, SIGABRT)
                XCTAssertEqual(message, "realloc(): invalid pointer 0x" + String(freed, radix: 16))
            }
        }
        // The heap still works.
        XCTAssertNotEqual(try call(rt, "malloc", FakeFrame(ints: [100])).result, 0)
    }

    func testCallocZeroesReusedMemoryAndRefusesOverflow() throws {
        let (rt, mem) = try makeRuntime()
        for size in [24, 5000] {
            let a = try call(rt, "malloc", FakeFrame(ints: [UInt64(size)])).result
            memset(try mem.host(a, size, write: true), 0x5a, size)
            try call(rt, "free", FakeFrame(ints: [a]))
            let z = try call(rt, "calloc", FakeFrame(ints: [UInt64(size), 1])).result
            XCTAssertEqual(z, a, "the freed block again")
            XCTAssertTrue(try mem.bytes(z, size).allSatisfy { $0 == 0 })
        }
        XCTAssertEqual(try call(rt, "calloc", FakeFrame(ints: [1 << 33, 1 << 33])).result, 0)
        XCTAssertEqual(try call(rt, "malloc", FakeFrame(ints: [1 << 40])).result, 0, "more than the heap (and no mapper)")
    }
}
