@testable import CrossRunLibc
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// printf and scanf with fields far larger than any host buffer: output streams in bounded
/// pieces, guest buffers take exactly what glibc writes, and nothing is written past them.
/// (The end-to-end fixtures `hard_printf_width` and `hard_scanf_long` compare the same cases
/// with glibc on every target.)
final class FormatBoundsTests: XCTestCase {
    /// 40 × `%30000000d` (1.2 GB) to /dev/null: counted in full, held at most one piece at a time.
    func testHugeWidthsStreamThroughBoundedPieces() throws {
        let (rt, mem) = try makeRuntime()
        let file = try XCTUnwrap(fopen("/dev/null", "w"))
        let stream = HostStream(file: file, owned: true)
        defer { _ = stream.close() }
        var out = PrintfOutput(.stream(stream))
        let format = mem.string(String(repeating: "%30000000d", count: 40))
        var args: any VariadicArguments = ArrayVarArgs(ints: (0..<40).map { UInt64($0) }, doubles: [])
        XCTAssertTrue(try Printf.format(rt, format: format, args: &args, into: &out))
        try out.flush()
        XCTAssertEqual(out.count, 40 * 30_000_000)
        XCTAssertFalse(out.writeFailed)
        XCTAssertLessThanOrEqual(out.largestPending, PrintfOutput.chunk + PrintfExpansion.directWidth)
    }

    /// glibc 2.36 prints a `*` width of INT_MIN as a left-aligned 2^31 and then fails with
    /// EOVERFLOW, the buffer holding what fitted (measured with the host's snprintf).
    func testStarWidthOfIntMinPrintsThenOverflows() throws {
        let (rt, mem) = try makeRuntime()
        let buffer = mem.bytes([UInt8](repeating: 0x78, count: 80))
        let frame = FakeFrame(ints: [buffer, 64, mem.string("ab%*dcd")],
                              varInts: [UInt64(UInt32(bitPattern: Int32.min)), 1])
        try call(rt, "snprintf", frame)
        XCTAssertEqual(Int32(truncatingIfNeeded: frame.result), -1)
        XCTAssertEqual(try rt.memory.load(rt.errnoAddress, as: Int32.self), EOVERFLOW)
        XCTAssertEqual(try rt.memory.string(buffer), "ab1" + String(repeating: " ", count: 60))
        XCTAssertEqual(try rt.memory.load(buffer + 64, as: UInt8.self), 0x78, "nothing past the size")
    }

    /// A written width past INT_MAX fails before its conversion; what came before stays.
    func testWrittenWidthPastIntMaxIsEOVERFLOW() throws {
        let (rt, mem) = try makeRuntime()
        let buffer = mem.bytes([UInt8](repeating: 0x78, count: 16))
        let frame = FakeFrame(ints: [buffer, 16, mem.string("ab%99999999999dcd")], varInts: [1])
        try call(rt, "snprintf", frame)
        XCTAssertEqual(Int32(truncatingIfNeeded: frame.result), -1)
        XCTAssertEqual(try rt.memory.string(buffer), "ab")
    }

    /// `%20ls` writes 21 four-byte characters, `%5000lc` 5000: never more, whatever the token.
    func testWideScanfFieldsStayInsideTheirWidth() throws {
        let (rt, mem) = try makeRuntime()
        let token = String(repeating: "q", count: 200_000)
        let input = mem.string("  " + token + " tail")
        let wide = mem.bytes([UInt8](repeating: 0xee, count: 4 * 21 + 16))
        let count = mem.bytes([UInt8](repeating: 0, count: 8))
        var frame = FakeFrame(ints: [input, mem.string("%20ls%n")], varInts: [wide, count])
        try call(rt, "sscanf", frame)
        XCTAssertEqual(frame.result, 1)
        XCTAssertEqual(try rt.memory.load(count, as: UInt32.self), 22)
        XCTAssertEqual(try rt.memory.load(wide + 4 * 19, as: UInt32.self), UInt32(UInt8(ascii: "q")))
        XCTAssertEqual(try rt.memory.load(wide + 4 * 20, as: UInt32.self), 0)
        XCTAssertEqual(Array(try rt.memory.bytes(wide + 84, 16)), [UInt8](repeating: 0xee, count: 16))

        let chars = mem.bytes([UInt8](repeating: 0xee, count: 4 * 5000 + 16))
        frame = FakeFrame(ints: [input, mem.string(" %5000lc")], varInts: [chars])
        try call(rt, "sscanf", frame)
        XCTAssertEqual(frame.result, 1)
        XCTAssertEqual(try rt.memory.load(chars + 4 * 4999, as: UInt32.self), UInt32(UInt8(ascii: "q")))
        XCTAssertEqual(Array(try rt.memory.bytes(chars + 20000, 16)), [UInt8](repeating: 0xee, count: 16))
    }

    /// `%ms` counts and returns a guest heap block holding the whole token.
    func testAllocatingScanfReturnsAGuestHeapBlock() throws {
        let (rt, mem) = try makeRuntime()
        let token = String(repeating: "xyz", count: 50_000)
        let pointer = mem.bytes([UInt8](repeating: 0, count: 8))
        let frame = FakeFrame(ints: [mem.string(token + " rest"), mem.string("%ms")], varInts: [pointer])
        try call(rt, "sscanf", frame)
        XCTAssertEqual(frame.result, 1)
        let block = try rt.memory.load(pointer, as: UInt64.self)
        XCTAssertNotNil(rt.heap.size(of: block), "a block the guest can free")
        XCTAssertEqual(try rt.memory.string(block), token)
    }
}
