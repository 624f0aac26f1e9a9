import CrossRunDriver
import CrossRunELF
import CrossRunSupport
import XCTest

/// The ELF reader on clang objects for all three arches and archives with long names; every
/// truncation and 3,000 seeded random corruptions of a real object give `ELFError`s, never traps;
/// hostile header fields, string/section/symbol indices.
final class ELFReaderTests: XCTestCase {
    static let sample = """
    int counter = 1;
    static int hidden(int x) { return x * 3; }
    extern int ext(int);
    int visible(int x) { return hidden(x) + ext(counter); }
    """

    func testReadsClangObjectsForAllThreeArches() throws {
        for target in Target.allCases {
            let obj = try TestSupport.compile(Self.sample, target: target)
            XCTAssertEqual(obj.machine, target.machine, "\(target)")
            XCTAssertTrue(obj.sections.contains { $0.name == ".text" && $0.isExecutable }, "\(target)")
            let names = Set(obj.symbols.map(\.name))
            XCTAssertTrue(names.isSuperset(of: ["counter", "visible", "ext"]), "\(target): \(names)")
            let ext = try XCTUnwrap(obj.symbols.first { $0.name == "ext" })
            XCTAssertTrue(ext.isUndefined)
            XCTAssertFalse(obj.relocations.isEmpty, "\(target) has relocations")
        }
    }

    func testArchiveWithLongNames() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let a = try TestSupport.compile("int alpha(void){return 1;}", name: "a_very_long_member_name_alpha.c")
        let b = try TestSupport.compile("int beta(void){return 2;}", name: "b.c")
        try FileIO.write(a.bytes, to: dir + "/a_very_long_member_name_alpha.o")
        try FileIO.write(b.bytes, to: dir + "/b.o")
        let ar = FileIO.directory(of: TestSupport.toolchain.clang) + "/llvm-ar"
        let r = try Subprocess.run(ar, ["rcs", dir + "/lib.a", dir + "/a_very_long_member_name_alpha.o", dir + "/b.o"])
        XCTAssertEqual(r.status, 0)
        let archive = try Archive(bytes: try FileIO.read(dir + "/lib.a"), name: "lib.a")
        XCTAssertEqual(archive.members.map(\.name), ["a_very_long_member_name_alpha.o", "b.o"])
        XCTAssertEqual(archive.members[1].bytes, b.bytes)
    }

    func testRejectsNonRelocatableAndForeignFiles() {
        XCTAssertThrowsError(try ObjectFile(bytes: Array("hello".utf8), name: "x.o")) {
            XCTAssertTrue("\($0)".contains("x.o: not an ELF file"), "\($0)")
        }
        // A real executable: the host's /bin/true.
        if let bytes = try? FileIO.read("/bin/true") {
            XCTAssertThrowsError(try ObjectFile(bytes: bytes, name: "/bin/true")) {
                XCTAssertTrue("\($0)".contains("not a relocatable object"), "\($0)")
            }
        }
        var b = ELFBuilder()
        b.machine = 40 // ARM (32-bit)
        b.section(".text", flags: 6, [0xc3])
        XCTAssertThrowsError(try ObjectFile(bytes: b.build(), name: "arm.o")) {
            XCTAssertTrue("\($0)".contains("unsupported machine 40"), "\($0)")
        }
    }

    /// Every truncation of a real object must give an error, never a trap.
    func testTruncatedObjectsGiveErrors() throws {
        let obj = try TestSupport.compile(Self.sample)
        for length in stride(from: 0, to: obj.bytes.count, by: 7) {
            do {
                _ = try ObjectFile(bytes: Array(obj.bytes[0..<length]), name: "cut.o")
            } catch let e as ELFError {
                XCTAssertEqual(e.file, "cut.o")
            }
        }
    }

    /// Random corruption (fixed seed): parse or throw, never trap.
    func testCorruptedObjectsNeverTrap() throws {
        let obj = try TestSupport.compile(Self.sample)
        var rng = SplitMix(seed: 42)
        var errors = 0
        for _ in 0..<3000 {
            var bytes = obj.bytes
            for _ in 0..<Int(rng.next() % 4 + 1) {
                let i = Int(rng.next() % UInt64(bytes.count))
                bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            do { _ = try ObjectFile(bytes: bytes, name: "fuzz.o") } catch is ELFError { errors += 1 }
        }
        XCTAssertGreaterThan(errors, 0)
    }

    func testHostileFieldsAreReported() throws {
        let good = try TestSupport.compile(Self.sample).bytes
        func patched(_ offset: Int, _ value: [UInt8]) -> [UInt8] {
            var b = good
            b.replaceSubrange(offset..<offset + value.count, with: value)
            return b
        }
        let cases: [(String, [UInt8], String)] = [
            ("section table offset past end", patched(40, ELFBuilder.le(UInt64(1) << 40)), "outside the file"),
            ("huge section count", patched(60, ELFBuilder.le(UInt16(0xfff0))), "section header table"),
            ("bad shstrndx", patched(62, ELFBuilder.le(UInt16(0x7ff0))), "section name table index"),
            ("wrong entry size", patched(58, ELFBuilder.le(UInt16(40))), "section header entry size"),
            ("big endian", patched(5, [2]), "not a little-endian"),
            ("32-bit", patched(4, [1]), "not a 64-bit"),
        ]
        for (what, bytes, expected) in cases {
            XCTAssertThrowsError(try ObjectFile(bytes: bytes, name: "bad.o"), what) {
                XCTAssertTrue("\($0)".hasPrefix("bad.o: "), "\(what): \($0)")
                XCTAssertTrue("\($0)".contains(expected), "\(what): \($0)")
            }
        }
    }

    func testBadStringAndSymbolIndices() {
        var b = ELFBuilder()
        let text = b.section(".text", flags: 6, [0xc3])
        b.symbol("f", section: text)
        var bytes = b.build()
        // Corrupt the symbol's name index (first field of symtab entry 1) to point far outside .strtab.
        let obj = try? ObjectFile(bytes: bytes, name: "ok.o")
        XCTAssertNotNil(obj)
        let symtab = obj!.sections.first { $0.type == SectionType.symtab }!
        let entry = symtab.fileRange.lowerBound + 24
        bytes.replaceSubrange(entry..<entry + 4, with: ELFBuilder.le(UInt32(99999)))
        XCTAssertThrowsError(try ObjectFile(bytes: bytes, name: "s.o")) {
            XCTAssertTrue("\($0)".contains("string index 99999"), "\($0)")
        }
        // Section index out of range.
        var c = ELFBuilder()
        c.section(".text", flags: 6, [0xc3])
        c.symbol("g", section: 200)
        XCTAssertThrowsError(try ObjectFile(bytes: c.build(), name: "i.o")) {
            XCTAssertTrue("\($0)".contains("refers to section 200"), "\($0)")
        }
        // Relocation against a missing symbol.
        var d = ELFBuilder()
        let t = d.section(".text", flags: 6, [0, 0, 0, 0])
        d.relocate(section: t, offset: 0, type: 2, symbol: 77)
        XCTAssertThrowsError(try ObjectFile(bytes: d.build(), name: "r.o")) {
            XCTAssertTrue("\($0)".contains("refers to symbol 77"), "\($0)")
        }
        // Relocation outside its section.
        var e = ELFBuilder()
        let t2 = e.section(".text", flags: 6, [0, 0, 0, 0])
        let s = e.symbol("h", section: t2)
        e.relocate(section: t2, offset: 100, type: 2, symbol: s)
        XCTAssertThrowsError(try ObjectFile(bytes: e.build(), name: "o.o")) {
            XCTAssertTrue("\($0)".contains("lies outside '.text'"), "\($0)")
        }
    }

    func testMalformedArchives() {
        XCTAssertThrowsError(try Archive(bytes: Array("!<thin>\n".utf8), name: "t.a")) {
            XCTAssertTrue("\($0)".contains("thin archives"), "\($0)")
        }
        var header = Array("!<arch>\n".utf8)
        header += Array("m.o/            0           0     0     644     999999    `\n".utf8)
        XCTAssertThrowsError(try Archive(bytes: header, name: "big.a")) {
            XCTAssertTrue("\($0)".contains("past the end"), "\($0)")
        }
        let truncated = Array("!<arch>\nm.o/  ".utf8)
        XCTAssertThrowsError(try Archive(bytes: truncated, name: "cut.a")) {
            XCTAssertTrue("\($0)".contains("truncated member header"), "\($0)")
        }
        var badName = Array("!<arch>\n".utf8)
        badName += Array("/999            0           0     0     644     0         `\n".utf8)
        XCTAssertThrowsError(try Archive(bytes: badName, name: "n.a")) {
            XCTAssertTrue("\($0)".contains("long member name offset 999"), "\($0)")
        }
    }
}

/// A small deterministic PRNG for reproducible fuzz-style tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
