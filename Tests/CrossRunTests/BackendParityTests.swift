import CrossRunDriver
import CrossRunEmulator
import CrossRunLink
import CrossRunNative
import XCTest

/// Both backends run the same LinkImage: after loading, every segment byte (code, read-only
/// data and writable data) is identical except fixup slots, whose rebased values differ exactly
/// by the two bases; the comparison itself is shown to catch a changed byte and a wrongly
/// rebased slot.
final class BackendParityTests: XCTestCase {
    static let source = """
        int puts(const char *);
        static const char *names[] = {"a", "b", "c"};
        int (*fn)(const char *) = puts;
        int counter = 5;
        int *pc = &counter;
        _Thread_local int tl = 9;
        __attribute__((constructor)) static void init(void) { counter++; }
        int main(void) { fn(names[1]); return *pc + tl; }
        """

    /// One loader's view of the image: each segment's stored bytes as loaded, and its base.
    struct Loaded {
        var base: UInt64
        var segments: [[UInt8]]
    }

    /// What comparing two loaded copies of `image` found.
    struct Comparison {
        /// Ordinary bytes compared.
        var compared = 0
        /// Rebased slots compared.
        var rebased = 0
        /// One line per difference.
        var differences: [String] = []
    }

    /// The stored bytes of each segment (the zero tail past `image.bytes` is not stored).
    static func storedCount(_ image: LinkImage, _ segment: LinkImage.Segment) -> Int {
        min(segment.memorySize, max(0, image.bytes.count - segment.offset))
    }

    /// Compares two loaded copies of `image`: ordinary bytes must be equal, rebased slots must
    /// hold the same offset from their copy's base, and import slots (host functions natively,
    /// trampolines under the emulator) and the TLS block slot may differ.
    static func compare(_ image: LinkImage, _ a: Loaded, _ b: Loaded) -> Comparison {
        var rebased = Set<Int>(), bound = Set<Int>()
        for f in image.fixups {
            switch f {
            case .rebase(let o): rebased.insert(o)
            case .importSlot(let o, _), .importValue(let o, _, _), .tlsBlock(let o): bound.insert(o)
            }
        }
        func word(_ bytes: [UInt8], _ i: Int) -> UInt64 {
            bytes[i..<i + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        }
        var result = Comparison()
        for (s, segment) in image.segments.enumerated() {
            let x = a.segments[s], y = b.segments[s]
            var i = 0
            while i < x.count {
                let offset = segment.offset + i
                if rebased.contains(offset) || bound.contains(offset) {
                    guard i + 8 <= x.count else {
                        result.differences.append("slot at image offset \(offset) runs past the end of \(segment.name)")
                        break
                    }
                    if rebased.contains(offset) {
                        let (u, v) = (word(x, i) &- a.base, word(y, i) &- b.base)
                        if u != v { result.differences.append("rebased slot at image offset \(offset): +0x\(String(u, radix: 16)) vs +0x\(String(v, radix: 16))") }
                        result.rebased += 1
                    }
                    i += 8
                } else {
                    if x[i] != y[i] { result.differences.append("byte at image offset \(offset) (\(segment.name)): \(x[i]) vs \(y[i])") }
                    result.compared += 1
                    i += 1
                }
            }
        }
        return result
    }

    /// Loads `image` with both loaders and returns their copies (native first).
    static func loadBoth(_ image: LinkImage) throws -> (native: Loaded, guest: Loaded, keep: (NativeImage, GuestProcess)) {
        let native = try NativeImage(image)
        let guest = try GuestProcess(image: image, options: .init(arguments: ["t"], environment: [:], programName: "t"))
        var n = Loaded(base: UInt64(UInt(bitPattern: native.base)), segments: [])
        var g = Loaded(base: guest.imageBase, segments: [])
        for segment in image.segments {
            let count = storedCount(image, segment)
            n.segments.append(Array(UnsafeRawBufferPointer(start: native.base.advanced(by: segment.offset), count: count)))
            g.segments.append(try XCTUnwrap(guest.guestBytes(guest.imageBase + UInt64(segment.offset), count)))
        }
        return (n, g, (native, guest))
    }

    func testBothLoadersConsumeIdenticalImageBytes() throws {
        let image = try TestSupport.link([try TestSupport.compile(Self.source, flags: ["-O1"])])
        XCTAssertEqual(Set(image.segments.map(\.permissions)), [.readExecute, .read, .readWrite], "code, read-only and writable data are all compared")
        let (native, guest, loaders) = try Self.loadBoth(image)
        let result = Self.compare(image, native, guest)
        XCTAssertEqual(result.differences, [])
        XCTAssertGreaterThan(result.compared, 100)
        XCTAssertGreaterThan(result.rebased, 0)
        withExtendedLifetime(loaders) {}
    }

    /// The comparison can fail: a changed byte in any segment and a slot rebased against the
    /// wrong base are each reported once, at their offset; an import slot may differ.
    func testComparisonReportsEveryKindOfDifference() throws {
        let image = try TestSupport.link([try TestSupport.compile(Self.source, flags: ["-O1"])])
        let (native, guest, loaders) = try Self.loadBoth(image)
        var rebasedOffsets: [Int] = [], importOffsets: [Int] = [], slots = Set<Int>()
        for f in image.fixups {
            switch f {
            case .rebase(let o): rebasedOffsets.append(o); slots.formUnion(o..<o + 8)
            case .importSlot(let o, _), .importValue(let o, _, _): importOffsets.append(o); slots.formUnion(o..<o + 8)
            case .tlsBlock(let o): slots.formUnion(o..<o + 8)
            }
        }
        for (s, segment) in image.segments.enumerated() {
            guard let i = (0..<guest.segments[s].count).first(where: { !slots.contains(segment.offset + $0) }) else { continue }
            var changed = guest
            changed.segments[s][i] ^= 0x5a
            XCTAssertEqual(Self.compare(image, native, changed).differences.count, 1, segment.name)
            XCTAssertEqual(Self.compare(image, native, changed).differences.first?.hasPrefix("byte at image offset \(segment.offset + i) "), true)
        }
        func segmentIndex(_ offset: Int) throws -> (Int, Int) {
            let s = try XCTUnwrap(image.segments.firstIndex { offset >= $0.offset && offset < $0.offset + Self.storedCount(image, $0) })
            return (s, offset - image.segments[s].offset)
        }
        let (rs, ri) = try segmentIndex(try XCTUnwrap(rebasedOffsets.first))
        var misrebased = guest
        misrebased.segments[rs][ri] &+= 8
        XCTAssertEqual(Self.compare(image, native, misrebased).differences.map { $0.hasPrefix("rebased slot at image offset \(rebasedOffsets[0])") }, [true])
        let (isx, ii) = try segmentIndex(try XCTUnwrap(importOffsets.first))
        var otherImport = guest
        otherImport.segments[isx][ii] ^= 0xff
        XCTAssertEqual(Self.compare(image, native, otherImport).differences, [], "import addresses differ by design")
        withExtendedLifetime(loaders) {}
    }
}
