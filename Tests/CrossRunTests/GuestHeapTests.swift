@testable import CrossRunLibc
import XCTest

/// The guest allocator against a model: blocks never overlap, stay inside the heap, are 16-byte
/// aligned, keep their requested sizes, and are reused after free; bad frees are refused.
/// (GuestAllocatorTests covers the structure: classes, coalescing, alignment, realloc.)
final class GuestHeapTests: XCTestCase {
    func testSmallBlocksAreReusedAndKeepTheirSizes() throws {
        var heap = GuestHeap(base: 0x10_0000, size: 1 << 24)
        let a = try XCTUnwrap(heap.allocate(10))
        let b = try XCTUnwrap(heap.allocate(10))
        XCTAssertTrue(a.fresh && b.fresh)
        XCTAssertEqual(b.address - a.address, 16, "one 16-byte class carves consecutive blocks")
        XCTAssertEqual(heap.size(of: a.address), 10)
        XCTAssertTrue(heap.resizeInPlace(a.address, to: 16), "a 10-byte block's class holds 16 bytes")
        XCTAssertFalse(heap.resizeInPlace(a.address, to: 17))
        XCTAssertTrue(heap.resizeInPlace(a.address, to: 10))
        XCTAssertTrue(heap.free(a.address))
        XCTAssertFalse(heap.free(a.address), "double free")
        XCTAssertFalse(heap.free(a.address + 16 * 100), "never allocated")
        XCTAssertFalse(heap.free(b.address + 8), "inside a block")
        XCTAssertNil(heap.size(of: a.address))
        let c = try XCTUnwrap(heap.allocate(7))
        XCTAssertEqual(c.address, a.address)
        XCTAssertFalse(c.fresh)
        XCTAssertEqual(heap.size(of: c.address), 7)
        XCTAssertTrue(heap.resizeInPlace(c.address, to: 16))
        XCTAssertFalse(heap.resizeInPlace(c.address, to: 17))
        XCTAssertEqual(heap.liveBytes, 26)
    }

    func testLargeAlignedAndExhaustion() throws {
        var heap = GuestHeap(base: 0x10_0000, size: 1 << 20)
        let big = try XCTUnwrap(heap.allocate(5000))
        let fence = try XCTUnwrap(heap.allocate(5000))
        XCTAssertTrue(heap.resizeInPlace(big.address, to: 8192), "a 5000-byte block has two pages")
        XCTAssertFalse(heap.resizeInPlace(big.address, to: 8193), "the next block is in the way")
        XCTAssertTrue(heap.resizeInPlace(big.address, to: 5000))
        XCTAssertTrue(heap.free(fence.address))
        let aligned = try XCTUnwrap(heap.allocateAligned(100, alignment: 4096))
        XCTAssertEqual(aligned % 4096, 0)
        XCTAssertEqual(heap.size(of: aligned), 100)
        XCTAssertTrue(heap.free(big.address))
        XCTAssertEqual(heap.allocate(6000)?.address, big.address)
        XCTAssertNil(heap.allocate(1 << 20), "larger than the heap")
        XCTAssertNil(heap.allocate(-1))
        XCTAssertNil(heap.allocateAligned(16, alignment: 1 << 40))
        var count = 0
        while heap.allocate(4000) != nil { count += 1 }
        XCTAssertGreaterThan(count, 200)
        XCTAssertNil(heap.allocate(16), "exhausted: a new span does not fit")
    }

    func testRandomOperationsAgreeWithAModel() throws {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        let base: UInt64 = 0x40_0000, size: UInt64 = 64 << 20
        var heap = GuestHeap(base: base, size: size)
        var live: [UInt64: Int] = [:]
        var order: [UInt64] = []                 // the live blocks, to pick one at random
        func pick(remove: Bool) -> UInt64 {
            let i = next(order.count)
            let a = order[i]
            if remove { order.swapAt(i, order.count - 1); order.removeLast() }
            return a
        }
        for step in 0..<20_000 {
            let op = next(10)
            if op < 6 || live.isEmpty {
                let n = next(4) == 0 ? next(20_000) : next(300)
                guard let (a, _) = heap.allocate(n) else { XCTFail("exhausted at step \(step)"); return }
                XCTAssertEqual(a % 16, 0)
                XCTAssertGreaterThanOrEqual(a, base)
                XCTAssertLessThanOrEqual(a + UInt64(n), base + size)
                XCTAssertNil(live[a], "handed out twice")
                live[a] = n
                order.append(a)
            } else if op < 9 {
                let a = pick(remove: true)
                XCTAssertEqual(heap.size(of: a), live[a])
                XCTAssertTrue(heap.free(a))
                live[a] = nil
            } else {
                let a = pick(remove: false)
                let n = next(300)
                if heap.resizeInPlace(a, to: n) { live[a] = n }
            }
        }
        // No two live blocks overlap, and the live byte count adds up.
        let sorted = live.sorted { $0.key < $1.key }
        for (x, y) in zip(sorted, sorted.dropFirst()) {
            XCTAssertLessThanOrEqual(x.key + UInt64(max(x.value, 1)), y.key, "overlap")
        }
        XCTAssertEqual(heap.liveBytes, live.values.reduce(0, +))
    }
}
