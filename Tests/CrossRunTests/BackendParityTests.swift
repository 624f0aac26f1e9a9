import CrossRunDriver
import CrossRunEmulator
import CrossRunLink
import CrossRunNative
import XCTest

/// Both backends run the same LinkImage: after loading, every segment byte is identical
/// except fixup slots, whose rebased values differ exactly by the two bases.
final class BackendParityTests: XCTestCase {
    func testBothLoadersConsumeIdenticalImageBytes() throws {
        let obj = try TestSupport.compile("""
            int puts(const char *);
            static const char *names[] = {"a", "b", "c"};
            int (*fn)(const char *) = puts;
            int counter = 5;
            int *pc = &counter;
            _Thread_local int tl = 9;
            __attribute__((constructor)) static void init(void) { counter++; }
            int main(void) { fn(names[1]); return *pc + tl; }
            """, flags: ["-O1"])
        let image = try TestSupport.link([obj])
        let native = try NativeImage(image)
        let guest = try GuestProcess(image: image, options: .init(arguments: ["t"], environment: [:], programName: "t"))
        let nativeBase = UInt64(UInt(bitPattern: native.base))
        var rebased = Set<Int>(), bound = Set<Int>()
        for f in image.fixups {
            switch f {
            case .rebase(let o): rebased.insert(o)
            case .importSlot(let o, _), .importValue(let o, _, _), .tlsBlock(let o): bound.insert(o)
            }
        }
        var compared = 0
        for segment in image.segments where segment.permissions != .readWrite || true {
            let count = min(segment.memorySize, max(0, image.bytes.count - segment.offset))
            guard count > 0 else { continue }
            let n = Array(UnsafeRawBufferPointer(start: native.base.advanced(by: segment.offset), count: count))
            let g = try XCTUnwrap(guest.guestBytes(guest.imageBase + UInt64(segment.offset), count))
            var i = 0
            while i < count {
                let offset = segment.offset + i
                if rebased.contains(offset) {
                    let nv = n[i..<i + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
                    let gv = g[i..<i + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
                    XCTAssertEqual(nv - nativeBase, gv - guest.imageBase, "rebased slot at \(offset)")
                    i += 8
                } else if bound.contains(offset) {
                    i += 8   // import addresses differ by design (host libc vs trampolines)
                } else {
                    XCTAssertEqual(n[i], g[i], "byte at image offset \(offset) (\(segment.name))")
                    i += 1
                    compared += 1
                }
            }
        }
        XCTAssertGreaterThan(compared, 100)
        XCTAssertFalse(rebased.isEmpty)
    }
}
