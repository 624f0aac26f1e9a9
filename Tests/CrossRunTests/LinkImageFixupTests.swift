@testable import CrossRunLink
import XCTest

/// `LinkImage.applyFixups`, the one fixup pass of both loaders: a rebase adds the base, an
/// import slot and an import value (with a negative addend) get the import's address, a TLS
/// slot gets D; a slot past the image's end or an import index that does not exist is skipped,
/// never written.
final class LinkImageFixupTests: XCTestCase {
    func testEveryKindAndNothingOutside() {
        let size = 4096
        let image = LinkImage(machine: .x86_64, pageSize: 4096, bytes: [], size: size, segments: [],
                              imports: [LinkImage.Import(name: "puts", kind: .function)],
                              fixups: [.rebase(offset: 0), .importSlot(offset: 8, index: 0),
                                       .importValue(offset: 16, index: 0, addend: -4), .tlsBlock(offset: 24),
                                       .rebase(offset: size - 4), .importSlot(offset: 32, index: 1),
                                       .rebase(offset: -8)],
                              symbols: [], initializers: [], finalizers: [], tls: nil)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: size + 64, alignment: 16)
        defer { memory.deallocate() }
        memory.initializeMemory(as: UInt8.self, repeating: 0xAA, count: size + 64)
        memory.storeBytes(of: UInt64(0x10), as: UInt64.self)
        var asked: [Int] = []
        image.applyFixups(base: 0x40_0000, importAddresses: [0x7000], tlsBlockOffset: 8) { offset in
            asked.append(offset)
            return memory.advanced(by: offset)
        }
        func word(_ offset: Int) -> UInt64 { memory.advanced(by: offset).loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(word(0), 0x40_0010)
        XCTAssertEqual(word(8), 0x7000)
        XCTAssertEqual(word(16), 0x6FFC)
        XCTAssertEqual(word(24), 8)
        XCTAssertEqual(word(32), 0xAAAA_AAAA_AAAA_AAAA, "import 1 does not exist")
        XCTAssertEqual(word(size - 8), 0xAAAA_AAAA_AAAA_AAAA, "a slot crossing the end is not written")
        XCTAssertEqual(asked, [0, 8, 16, 24])
    }
}
