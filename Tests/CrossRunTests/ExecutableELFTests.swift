import CrossRunDriver
import CrossRunELF
import CrossRunLink
import CrossRunSupport
import XCTest

/// `LinkImage.executableELF(base:)` and the DWARF the linker carries for it: the file is read
/// back by binutils (symbols, line table), and hostile relocations in debug sections never trap.
///
/// `LinkImage.executableELF` read back by binutils on every arch (`nm` names leaf and counter at
/// their load addresses, `addr2line` maps leaf's body to its source line through the relocated
/// `.debug_line`), no debug sections without `-g`, and 150 corruptions per arch of debug-section
/// relocations (offsets, types, symbol indices, addends) that never trap.
final class ExecutableELFTests: XCTestCase {
    static let source = """
        int counter;
        int leaf(int x) {
            counter += x;
            return x * 2;
        }
        int main(void) { return leaf(2); }
        """

    func tool(_ name: String) -> String? {
        ["/usr/bin/", "/usr/local/bin/"].map { $0 + name }.first { FileIO.exists($0) }
    }

    func testSymbolsAndLinesReadBackByBinutils() throws {
        guard let addr2line = tool("addr2line"), let nm = tool("nm") else { throw XCTSkip("binutils (addr2line, nm) not installed") }
        for target in [Target.x64, .aarch64, .rv64] {
            let image = try TestSupport.link([try TestSupport.compile(Self.source, target: target, name: "lines.c", flags: ["-g"])])
            XCTAssertTrue(image.debugSections.contains { $0.name == ".debug_info" }, "\(target)")
            XCTAssertTrue(image.debugSections.contains { $0.name == ".debug_line" }, "\(target)")
            let dir = try TestSupport.scratch()
            defer { FileIO.removeTree(dir) }
            try FileIO.write(image.executableELF(base: 0x400000), to: dir + "/out.elf")
            let leaf = try XCTUnwrap(image.symbol(named: "leaf"))
            let symbols = try TestSupport.run(nm, [dir + "/out.elf"])
            XCTAssertTrue(symbols.stdout.contains(String(format: "%016lx T leaf", 0x400000 + leaf.offset)), "\(target): \(symbols.stdout)")
            XCTAssertTrue(symbols.stdout.contains(" B counter"), "\(target): \(symbols.stdout)")
            // An address past the prologue of leaf maps to its body (lines 3-4), through the relocated line table.
            let body = String(0x400000 + leaf.offset + 16, radix: 16)
            let lines = try TestSupport.run(addr2line, ["-f", "-e", dir + "/out.elf", body])
            XCTAssertTrue(lines.stdout.hasPrefix("leaf\n"), "\(target): \(lines.stdout)")
            XCTAssertTrue(lines.stdout.contains("lines.c:3") || lines.stdout.contains("lines.c:4"), "\(target): \(lines.stdout)")
        }
        // Without -g there is nothing to carry.
        let plain = try TestSupport.link([try TestSupport.compile(Self.source, target: .rv64)])
        XCTAssertEqual(plain.debugSections, [])
    }

    func testInspectWritesTheFileOrNamesWhyNot() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(Self.source.utf8), to: dir + "/p.c")
        let ok = try TestSupport.runCrossrun(["inspect", "--target", "aarch64", "-g", "--elf", dir + "/p.elf", dir + "/p.c"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let bytes = try FileIO.read(dir + "/p.elf")
        XCTAssertEqual(Array(bytes.prefix(4)), [0x7f, 0x45, 0x4c, 0x46])
        XCTAssertEqual(bytes[18], 183, "e_machine aarch64")
        let bad = try TestSupport.runCrossrun(["inspect", "--elf", dir + "/missing/p.elf", dir + "/p.c"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.hasPrefix("crossrun: error: cannot write \(dir)/missing/p.elf:"), bad.stderr)
    }

    /// Seeded corruptions of the relocation entries of debug sections (offsets, types, symbol
    /// indices, addends): each object is read, linked and written as ELF, or refused; never a trap.
    func testHostileDebugRelocationsNeverTrap() throws {
        var seed: UInt64 = 2026
        func next() -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return seed >> 11
        }
        let boundary: [UInt64] = [0, 1, 0xff, 0xffff_ffff, 0x7fff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff, 0xffff_fff0]
        for target in [Target.x64, .aarch64, .rv64] {
            let object = try TestSupport.compile(Self.source, target: target, name: "hostile.c", flags: ["-g"])
            let relocationSections = object.sections.filter { $0.name.hasPrefix(".rela.debug_") && $0.fileRange.count >= 24 }
            XCTAssertFalse(relocationSections.isEmpty, "\(target)")
            var linked = 0
            for _ in 0..<150 {
                var bytes = object.bytes
                for _ in 0..<3 {
                    let section = relocationSections[Int(next() % UInt64(relocationSections.count))]
                    let entry = section.fileRange.lowerBound + 24 * Int(next() % UInt64(section.fileRange.count / 24))
                    let field = Int(next() % 4)   // offset, type (low half of info), symbol (high half), addend
                    let value = boundary[Int(next() % UInt64(boundary.count))] &+ (next() % 3)
                    let (at, width) = [(entry, 8), (entry + 8, 4), (entry + 12, 4), (entry + 16, 8)][field]
                    for i in 0..<width { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
                }
                guard let mutated = try? ObjectFile(bytes: bytes, name: "hostile.o"),
                      let image = try? TestSupport.link([mutated]) else { continue }
                _ = image.executableELF(base: 0x400000)
                linked += 1
            }
            XCTAssertGreaterThan(linked, 0, "\(target): some mutations must link")
        }
    }
}
