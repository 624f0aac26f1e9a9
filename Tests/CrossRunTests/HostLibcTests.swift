import CrossRunLibc
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The host C library on guest memory, against the host's own results.
final class HostLibcTests: XCTestCase {
    /// snprintf through the trampoline table vs the host's snprintf, for one int or double argument.
    func checkFormat(_ format: String, int: Int64? = nil, double: Double? = nil, string: String? = nil,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let (rt, mem) = try makeRuntime()
        let buffer = mem.bytes([UInt8](repeating: 0xee, count: 512))
        var varInts: [UInt64] = [], varDoubles: [Double] = []
        var hostArgs: [CVarArg] = []
        if let i = int { varInts.append(UInt64(bitPattern: i)); hostArgs.append(i) }
        if let d = double { varDoubles.append(d); hostArgs.append(d) }
        var keep: [CChar] = []
        if let s = string {
            varInts.append(mem.string(s))
            keep = Array(s.utf8CString)
        }
        let frame = FakeFrame(ints: [buffer, 512, mem.string(format)], varInts: varInts, varDoubles: varDoubles)
        try call(rt, "snprintf", frame)
        let got = try mem.string(buffer)
        var host = [CChar](repeating: 0, count: 512)
        let n = keep.withUnsafeBufferPointer { k -> Int32 in
            var args = hostArgs
            if string != nil { args.append(k.baseAddress!) }
            return withVaList(args) { vsnprintf(&host, 512, format, $0) }
        }
        XCTAssertEqual(got, String(nulTerminated: host), "format \(format)", file: file, line: line)
        XCTAssertEqual(Int32(truncatingIfNeeded: frame.result), n, "length for \(format)", file: file, line: line)
    }

    func testIntegerConversions() throws {
        for f in ["%d", "%i", "%5d", "%-5d|", "%+d", "% d", "%05d", "%.3d", "%8.3d", "%lld", "%ld", "%hd", "%hhd", "%zd", "%jd", "%td"] {
            for v: Int64 in [0, 1, -1, 42, -42, 32767, -32768, 70000, Int64(Int32.max), Int64(Int32.min), Int64.max, Int64.min] {
                let wide = f.contains("l") || f.contains("z") || f.contains("j") || f.contains("t")
                try checkFormat(f, int: wide ? v : Int64(Int32(truncatingIfNeeded: v)))
            }
        }
        for f in ["%u", "%x", "%X", "%o", "%#x", "%#o", "%#X", "%08x", "%lu", "%lx", "%llo", "%hu", "%hhx", "%zu", "%.0u"] {
            for v: Int64 in [0, 1, 255, 256, 65535, 4294967295, -1, 0x1234_5678_9abc] {
                try checkFormat(f, int: f.contains("l") || f.contains("z") ? v : Int64(UInt32(truncatingIfNeeded: v)))
            }
        }
    }

    func testFloatingConversions() throws {
        let values: [Double] = [0, -0.0, 1, -1, 0.5, 3.14159265358979, 1e-10, 1e300, 123456789.125, .infinity, -.infinity, .nan, 2.5, 0.000123456]
        for f in ["%f", "%.0f", "%.2f", "%10.3f", "%-10.1f|", "%+f", "%e", "%.3E", "%g", "%G", "%.10g", "%#g", "%a", "%A", "%.2a", "%08.2f", "% e", "%F"] {
            for v in values { try checkFormat(f, double: v) }
        }
    }

    func testStringsCharsAndMisc() throws {
        for f in ["%s", "%10s|", "%-10s|", "%.3s", "%10.2s|", "%%%s%%"] {
            for s in ["", "a", "hello, world", "tab\there"] { try checkFormat(f, string: s) }
        }
        for f in ["%c", "%3c", "%-3c|"] { try checkFormat(f, int: 65) }
        try checkFormat("%p", int: 0x1234)
        try checkFormat("%p", int: 0)
        try checkFormat("%10p|", int: 0)
    }

    func testNullStringAndPercentN() throws {
        let (rt, mem) = try makeRuntime()
        let buffer = mem.bytes([UInt8](repeating: 0, count: 64))
        let counter = mem.bytes([UInt8](repeating: 0xff, count: 8))
        try call(rt, "sprintf", FakeFrame(ints: [buffer, mem.string("[%s] abc%n!")], varInts: [0, counter]))
        XCTAssertEqual(try mem.string(buffer), "[(null)] abc!")
        XCTAssertEqual(try mem.load(counter, as: Int32.self), 12)
        // glibc's NULL rules: "(null)" unless the precision is below 6; width still pads.
        for (format, expected) in [("%.3s|", "|"), ("%5.3s|", "     |"), ("%10s|", "    (null)|"), ("%.8s|", "(null)|"), ("%-8s|", "(null)  |")] {
            try call(rt, "sprintf", FakeFrame(ints: [buffer, mem.string(format)], varInts: [0]))
            XCTAssertEqual(try mem.string(buffer), expected, format)
        }
    }

    func testSnprintfTruncates() throws {
        let (rt, mem) = try makeRuntime()
        let buffer = mem.bytes([UInt8](repeating: 0x41, count: 16))
        let frame = try call(rt, "snprintf", FakeFrame(ints: [buffer, 5, mem.string("%d-%s")], varInts: [123456, mem.string("xyz")]))
        XCTAssertEqual(try mem.string(buffer), "1234")
        XCTAssertEqual(frame.result, 10)
        XCTAssertEqual(try mem.load(buffer + 5, as: UInt8.self), 0x41, "bytes past the limit are untouched")
    }

    func testStringFunctionsOnEdgeCases() throws {
        let (rt, mem) = try makeRuntime()
        let hello = mem.string("hello")
        XCTAssertEqual(try call(rt, "strlen", FakeFrame(ints: [hello])).result, 5)
        XCTAssertEqual(try call(rt, "strlen", FakeFrame(ints: [mem.string("")])).result, 0)
        XCTAssertEqual(try call(rt, "strchr", FakeFrame(ints: [hello, UInt64(UInt8(ascii: "l"))])).result, hello + 2)
        XCTAssertEqual(try call(rt, "strrchr", FakeFrame(ints: [hello, UInt64(UInt8(ascii: "l"))])).result, hello + 3)
        XCTAssertEqual(try call(rt, "strchr", FakeFrame(ints: [hello, 0])).result, hello + 5, "strchr finds the NUL")
        XCTAssertEqual(try call(rt, "strchr", FakeFrame(ints: [hello, UInt64(UInt8(ascii: "z"))])).result, 0)
        XCTAssertEqual(try call(rt, "strstr", FakeFrame(ints: [hello, mem.string("llo")])).result, hello + 2)
        XCTAssertEqual(try call(rt, "strstr", FakeFrame(ints: [hello, mem.string("")])).result, hello)
        let cmp = try call(rt, "memcmp", FakeFrame(ints: [mem.bytes([0x80]), mem.bytes([0x01]), 1])).result
        XCTAssertGreaterThan(Int32(truncatingIfNeeded: cmp), 0, "memcmp compares unsigned bytes")
        // strncpy pads with NULs; overlapping memmove.
        let dst = mem.bytes([UInt8](repeating: 0x55, count: 8))
        try call(rt, "strncpy", FakeFrame(ints: [dst, mem.string("ab"), 6]))
        XCTAssertEqual(Array(try mem.bytes(dst, 8)), [0x61, 0x62, 0, 0, 0, 0, 0x55, 0x55])
        let overlap = mem.bytes(Array("abcdefgh".utf8))
        try call(rt, "memmove", FakeFrame(ints: [overlap + 2, overlap, 6]))
        XCTAssertEqual(String(decoding: try mem.bytes(overlap, 8), as: UTF8.self), "ababcdef")
        // strtok state across calls.
        let text = mem.string("  a,b,,c ")
        let delims = mem.string(" ,")
        var tokens: [String] = []
        var p = try call(rt, "strtok", FakeFrame(ints: [text, delims])).result
        while p != 0 {
            tokens.append(try mem.string(p))
            p = try call(rt, "strtok", FakeFrame(ints: [0, delims])).result
        }
        XCTAssertEqual(tokens, ["a", "b", "c"])
    }

    func testBadGuestPointersThrowInsteadOfCrashing() throws {
        let (rt, mem) = try makeRuntime()
        XCTAssertThrowsError(try call(rt, "strlen", FakeFrame(ints: [0]))) { XCTAssertTrue($0 is GuestFault) }
        XCTAssertThrowsError(try call(rt, "memcpy", FakeFrame(ints: [mem.bytes([0]), 0xdead_0000, 16]))) {
            XCTAssertEqual(($0 as? GuestFault)?.address, 0xdead_0000)
        }
        XCTAssertThrowsError(try call(rt, "printf", FakeFrame(ints: [mem.string("%s")], varInts: [0x5])))
        // A string that runs off the end of the mapping.
        let end = mem.base + UInt64(mem.size) - 3
        try mem.write([0x41, 0x42, 0x43], at: end)
        XCTAssertThrowsError(try call(rt, "strlen", FakeFrame(ints: [end])))
        // Writes into read-only guest memory.
        mem.readOnly = mem.base + UInt64(mem.size - 4096)..<mem.base + UInt64(mem.size)
        XCTAssertThrowsError(try call(rt, "memset", FakeFrame(ints: [mem.base + UInt64(mem.size - 100), 0, 10]))) {
            XCTAssertEqual(($0 as? GuestFault)?.access, .write)
        }
    }

    func testAllocatorStress() throws {
        let (rt, mem) = try makeRuntime()
        var rng = SplitMix(seed: 7)
        var live: [(UInt64, Int, UInt8)] = []
        for step in 0..<20_000 {
            if live.isEmpty || rng.next() % 3 != 0 {
                let size = Int(rng.next() % (rng.next() % 8 == 0 ? 20_000 : 200))
                let a = try call(rt, "malloc", FakeFrame(ints: [UInt64(size)])).result
                XCTAssertNotEqual(a, 0)
                XCTAssertEqual(a % 16, 0, "alignment 16")
                let tag = UInt8(truncatingIfNeeded: step)
                if size > 0 { memset(try mem.host(a, size, write: true), Int32(tag), size) }
                live.append((a, size, tag))
            } else {
                let i = Int(rng.next() % UInt64(live.count))
                let (a, size, tag) = live.remove(at: i)
                // Nobody else wrote into this block.
                XCTAssertTrue(try mem.bytes(a, size).allSatisfy { $0 == tag }, "block overwritten")
                try call(rt, "free", FakeFrame(ints: [a]))
            }
        }
        // Blocks never overlap.
        let sorted = live.sorted { $0.0 < $1.0 }
        for (x, y) in zip(sorted, sorted.dropFirst()) { XCTAssertLessThanOrEqual(x.0 + UInt64(x.1), y.0) }
        // realloc keeps contents; calloc zeroes reused memory; double free is reported.
        let a = try call(rt, "malloc", FakeFrame(ints: [10])).result
        try mem.write(Array("0123456789".utf8), at: a)
        let b = try call(rt, "realloc", FakeFrame(ints: [a, 5000])).result
        XCTAssertEqual(String(decoding: try mem.bytes(b, 10), as: UTF8.self), "0123456789")
        try call(rt, "free", FakeFrame(ints: [b]))
        let c = try call(rt, "calloc", FakeFrame(ints: [1000, 5])).result
        XCTAssertTrue(try mem.bytes(c, 5000).allSatisfy { $0 == 0 })
        try call(rt, "free", FakeFrame(ints: [c]))
        XCTAssertThrowsError(try call(rt, "free", FakeFrame(ints: [c]))) {
            guard case GuestTermination.signal(let sig, _)? = $0 as? GuestTermination else { return XCTFail("\($0)") }
            XCTAssertEqual(sig, SIGABRT)
        }
    }

    func testRandMatchesGlibcSequence() throws {
        let (rt, _) = try makeRuntime()
        srand(12345)
        try call(rt, "srand", FakeFrame(ints: [12345]))
        for _ in 0..<1000 {
            XCTAssertEqual(Int32(truncatingIfNeeded: try call(rt, "rand", FakeFrame()).result), rand())
        }
    }

    /// `tmpnam` writes into a caller buffer of `L_tmpnam` (20) bytes: the name must fit.
    func testTmpnamFitsLTmpnam() throws {
        let (rt, mem) = try makeRuntime()
        let buffer = mem.bytes([UInt8](repeating: 0xee, count: 32))
        for _ in 0..<20 {
            let r = try call(rt, "tmpnam", FakeFrame(ints: [buffer])).result
            XCTAssertEqual(r, buffer)
            let name = try rt.memory.string(buffer)
            XCTAssertLessThan(name.utf8.count, 20, name)
            XCTAssertTrue(name.hasPrefix("/tmp/"), name)
            XCTAssertEqual(try rt.memory.load(buffer + 20, as: UInt8.self), 0xee, "wrote past L_tmpnam")
        }
    }

    func testMathIsTheHostsLibm() throws {
        let (rt, _) = try makeRuntime()
        for x in [0.1, 1.0, 2.5, 100.0, -3.75, 1e-8] {
            XCTAssertEqual(try call(rt, "sin", FakeFrame(doubles: [x])).doubleResult.bitPattern, sin(x).bitPattern)
            XCTAssertEqual(try call(rt, "exp", FakeFrame(doubles: [x])).doubleResult.bitPattern, exp(x).bitPattern)
            XCTAssertEqual(try call(rt, "pow", FakeFrame(doubles: [x, 1.5])).doubleResult.bitPattern, pow(x, 1.5).bitPattern)
        }
    }
}
