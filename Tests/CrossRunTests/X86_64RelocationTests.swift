import CrossRunDriver
import CrossRunELF
import CrossRunLink
import XCTest

/// x86-64 relocation arithmetic on hand-built objects, checked against the psABI formulas.
final class X86_64RelocationTests: XCTestCase {
    enum R { static let r64: UInt32 = 1, pc32: UInt32 = 2, plt32: UInt32 = 4, gotpcrel: UInt32 = 9, r32: UInt32 = 10, r32s: UInt32 = 11, pc64: UInt32 = 24, gottpoff: UInt32 = 22, size32: UInt32 = 32 }

    struct Built {
        var builder = ELFBuilder()
        var text = 0, data = 0
        var main = 0, target = 0, datum = 0, puts = 0, weakfn = 0, stdoutSym = 0
    }

    func base() -> Built {
        var b = Built()
        b.text = b.builder.section(".text", flags: 6, [UInt8](repeating: 0x90, count: 64))
        b.data = b.builder.section(".data", flags: 3, [UInt8](repeating: 0, count: 32))
        b.main = b.builder.symbol("main", section: b.text, size: 16)
        b.target = b.builder.symbol("target", section: b.text, value: 32, size: 8)
        b.datum = b.builder.symbol("datum", section: b.data, value: 24, size: 8, type: 1)
        b.puts = b.builder.symbol("puts", section: 0, type: 0)
        b.weakfn = b.builder.symbol("weakfn", section: 0, type: 0, binding: 2)
        b.stdoutSym = b.builder.symbol("stdout", section: 0, type: 0)
        return b
    }

    func link(_ b: Built) throws -> LinkImage {
        try TestSupport.link([try ObjectFile(bytes: b.builder.build(), name: "hand.o")])
    }

    func i32(_ image: LinkImage, _ at: Int) -> Int64 {
        Int64(Int32(bitPattern: image.bytes[at..<at + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }))
    }
    func u64(_ image: LinkImage, _ at: Int) -> UInt64 {
        image.bytes[at..<at + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
    }
    func offset(_ image: LinkImage, _ name: String) throws -> Int { try XCTUnwrap(image.symbols.first { $0.name == name }).offset }

    func testPCRelativeGOTAndAbsolute() throws {
        var b = base()
        b.builder.relocate(section: b.text, offset: 1, type: R.pc32, symbol: b.target, addend: -4)
        b.builder.relocate(section: b.text, offset: 6, type: R.plt32, symbol: b.puts, addend: -4)
        b.builder.relocate(section: b.text, offset: 11, type: R.gotpcrel, symbol: b.datum, addend: -4)
        b.builder.relocate(section: b.text, offset: 16, type: R.pc64, symbol: b.datum, addend: 2)
        b.builder.relocate(section: b.text, offset: 40, type: R.size32, symbol: b.target, addend: 1)
        b.builder.relocate(section: b.data, offset: 0, type: R.r64, symbol: b.datum, addend: 3)
        b.builder.relocate(section: b.data, offset: 8, type: R.r64, symbol: b.puts, addend: 8)
        b.builder.relocate(section: b.data, offset: 16, type: R.r64, symbol: b.weakfn, addend: 5)
        let image = try link(b)
        let text = try offset(image, "main"), target = try offset(image, "target"), datum = try offset(image, "datum")
        let dataStart = datum - 24
        let stub = try offset(image, "puts@plt")

        XCTAssertEqual(i32(image, text + 1), Int64(target - 4 - (text + 1)), "PC32 = S + A - P")
        XCTAssertEqual(i32(image, text + 6), Int64(stub - 4 - (text + 6)), "PLT32 goes through the import stub")
        let got = text + 11 + 4 + Int(i32(image, text + 11))
        XCTAssertEqual(u64(image, got), UInt64(datum), "GOT entry holds the symbol's offset")
        XCTAssertTrue(image.fixups.contains(.rebase(offset: got)), "and is rebased")
        XCTAssertEqual(Int64(bitPattern: u64(image, text + 16)), Int64(datum + 2 - (text + 16)), "PC64")
        XCTAssertEqual(i32(image, text + 40), 9, "SIZE32 = Z + A")
        XCTAssertEqual(u64(image, dataStart), UInt64(datum + 3), "R_X86_64_64 to image data")
        XCTAssertTrue(image.fixups.contains(.rebase(offset: dataStart)))
        let putsIndex = try XCTUnwrap(image.imports.firstIndex { $0.name == "puts" })
        XCTAssertTrue(image.fixups.contains(.importValue(offset: dataStart + 8, index: putsIndex, addend: 8)))
        XCTAssertEqual(u64(image, dataStart + 16), 5, "weak undefined = 0 + A")
        XCTAssertFalse(image.fixups.contains(.rebase(offset: dataStart + 16)))
        // The stub is `jmp *slot(%rip)` with the slot bound to puts.
        XCTAssertEqual(Array(image.bytes[stub..<stub + 2]), [0xff, 0x25])
        let slot = stub + 6 + Int(i32(image, stub + 2))
        XCTAssertTrue(image.fixups.contains(.importSlot(offset: slot, index: putsIndex)))
    }

    func testThirtyTwoBitAbsoluteIsRejectedWithReason() throws {
        for type in [R.r32, R.r32s] {
            var b = base()
            b.builder.relocate(section: b.text, offset: 2, type: type, symbol: b.datum)
            XCTAssertThrowsError(try link(b)) {
                let text = "\($0)"
                XCTAssertTrue(text.hasPrefix("hand.o(.text+0x2): R_X86_64_32"), text)
                XCTAssertTrue(text.contains("position-independent") && text.contains("-fPIC"), text)
            }
        }
    }

    func testRangeOverflowAndUnknownTypes() throws {
        var b = base()
        b.builder.relocate(section: b.text, offset: 1, type: R.pc32, symbol: b.target, addend: 1 << 40)
        XCTAssertThrowsError(try link(b)) { XCTAssertTrue("\($0)".contains("out of range"), "\($0)") }

        var c = base()
        c.builder.relocate(section: c.text, offset: 1, type: 200, symbol: c.target)
        XCTAssertThrowsError(try link(c)) { XCTAssertTrue("\($0)".contains("unsupported relocation R_X86_64_200 against 'target'"), "\($0)") }

        var d = base()
        d.builder.relocate(section: d.text, offset: 1, type: R.gottpoff, symbol: d.target)
        XCTAssertThrowsError(try link(d)) { XCTAssertTrue("\($0)".contains("initial-exec"), "\($0)") }

        var e = base()
        e.builder.relocate(section: e.text, offset: 62, type: R.pc32, symbol: e.target)
        XCTAssertThrowsError(try link(e)) { XCTAssertTrue("\($0)".contains("past the end of the section"), "\($0)") }
    }

    func testPCRelativeToLibraryDataIsRejected() throws {
        var b = base()
        b.builder.relocate(section: b.text, offset: 1, type: R.pc32, symbol: b.stdoutSym, addend: -4)
        XCTAssertThrowsError(try link(b)) { XCTAssertTrue("\($0)".contains("library data 'stdout'"), "\($0)") }
    }

    func testNonPICObjectFromClangIsRejectedClearly() throws {
        // Non-PIC x86-64 code still loads RIP-relatively, but takes addresses as 32-bit immediates.
        let obj = try TestSupport.compile("int g; int *addr(void){ return &g; } int main(void){ return addr() != 0; }",
                                          flags: ["-fno-pic", "-O2"])
        XCTAssertThrowsError(try TestSupport.link([obj])) {
            XCTAssertTrue("\($0)".contains("R_X86_64_32") && "\($0)".contains("compile with -fPIC"), "\($0)")
        }
    }
}
