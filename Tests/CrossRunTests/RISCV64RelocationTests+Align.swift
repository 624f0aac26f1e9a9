import CrossRunDriver
import CrossRunELF
import CrossRunLink
import XCTest

/// R_RISCV_ALIGN padding deletion, and real clang output with and without relaxation.
extension RISCV64RelocationTests {
    func testAlignDeletesExcessPaddingAndMovesEverythingBehindIt() throws {
        var b = riscv()
        var text = Self.words([I.auipcA0]) + ELFBuilder.le(I.cLi)                   // 0x00 .Lhi, 0x04
        text += ELFBuilder.le(I.cNop) + Self.words([I.nop, I.nop, I.nop])             // 0x06: 14 bytes of padding
        text += Self.words([I.addi, I.beq, I.jal, I.ret])                             // 0x14 LO12_I, 0x18, 0x1c, 0x20 tail
        text += Self.words([I.nop]) + ELFBuilder.le(I.cNop) + ELFBuilder.le(UInt16(0x8082)) // 0x24: 6 bytes, 0x2a last
        let t = b.section(".text", flags: 6, text)
        b.sections[t - 1].align = 2
        let d = b.section(".data", flags: 3, [UInt8](repeating: 0, count: 16))
        let sectionSym = b.symbol("", section: t, type: 3, binding: 0)
        let hi = b.symbol(".Lhi", section: t, value: 0, type: 0, binding: 0)
        let after = b.symbol(".Lafter", section: t, value: 0x20, type: 0, binding: 0)
        let main = b.symbol("main", section: t, size: 0x20)
        _ = b.symbol("tail", section: t, value: 0x20, size: 4)
        let last = b.symbol("last", section: t, value: 0x2a, size: 2)
        let datum = b.symbol("datum", section: d, value: 8, size: 8, type: 1)
        b.relocate(section: t, offset: 0x00, type: R.pcrelHi20, symbol: datum)
        b.relocate(section: t, offset: 0x00, type: R.relax, symbol: 0)
        b.relocate(section: t, offset: 0x06, type: R.align, symbol: 0, addend: 14)
        b.relocate(section: t, offset: 0x14, type: R.lo12I, symbol: hi)
        b.relocate(section: t, offset: 0x18, type: R.branch, symbol: after)
        b.relocate(section: t, offset: 0x1c, type: R.jal, symbol: main)
        b.relocate(section: t, offset: 0x24, type: R.align, symbol: 0, addend: 6)
        b.relocate(section: d, offset: 0, type: R.r64, symbol: sectionSym, addend: 0x20)
        b.relocate(section: d, offset: 8, type: R.add32, symbol: last)
        b.relocate(section: d, offset: 8, type: R.sub32, symbol: main)
        let image = try link(b)
        let m = try offset(image, "main"), data = try offset(image, "datum") - 8

        // 0x06 → 16-byte alignment keeps 10 of 14 bytes; 0x24 (now 0x20) is 8-aligned already.
        XCTAssertEqual(m % 16, 0, "the section's alignment was raised to the ALIGN's")
        XCTAssertEqual(Array(image.bytes[m + 6..<m + 16]), [0x01, 0x00] + Self.words([I.nop, I.nop]), "kept padding is NOPs")
        XCTAssertEqual(pair(image, m, m + 0x10), Int64(data + 8 - m), "LO12 after the padding still pairs with its HI20")
        XCTAssertEqual(bImm(u32(image, m + 0x14)), 8, "branch over nothing deleted")
        XCTAssertEqual(jImm(u32(image, m + 0x18)), -0x18, "jump back across the deleted bytes")
        XCTAssertEqual(try offset(image, "tail"), m + 0x1c)
        XCTAssertEqual(u32(image, m + 0x1c), I.ret)
        XCTAssertEqual(try offset(image, "last"), m + 0x20)
        XCTAssertEqual(u16(image, m + 0x20), 0x8082)
        XCTAssertEqual(image.symbols.first { $0.name == "main" }?.size, 0x1c, "sizes shrink with their symbols")
        XCTAssertEqual(image.symbols.first { $0.name == "tail" }?.size, 4)
        XCTAssertEqual(u64(image, data), UInt64(m + 0x1c), "section symbol + addend follows the move")
        XCTAssertTrue(image.fixups.contains(.rebase(offset: data)))
        XCTAssertEqual(u32(image, data + 8), 0x20, "label difference across deleted padding")
    }

    func testAlignWithTooLittlePaddingIsAnError() throws {
        var b = riscv()
        let t = b.section(".text", flags: 6, Self.words([I.ret, I.nop]))
        _ = b.symbol("main", section: t, size: 8)
        b.relocate(section: t, offset: 1, type: R.align, symbol: 0, addend: 2)
        XCTAssertThrowsError(try link(b)) {
            XCTAssertTrue("\($0)".contains("needs 3 bytes of padding to reach 4-byte alignment, but reserves 2"), "\($0)")
        }
    }

    static let program = """
    #include <stdio.h>
    int counter = 5;
    int common_var;
    static int table[8];
    _Thread_local int tls_counter = 3;
    static int add(int a, int b) { return a + b; }
    static int mul(int a, int b) { return a * b; }
    int (*ops[])(int, int) = { add, mul };
    int dispatch(int k, int x) {
        switch (k) {
        case 0: return x + puts("zero");
        case 1: return ops[0](x, 2);
        case 2: return x * 7 + counter;
        case 3: return table[x & 7];
        case 4: return fputs("four", stdout);
        case 5: return common_var - x;
        case 6: return x << 3;
        case 7: return ops[1](x, x);
        default: return -1;
        }
    }
    int loop(int n) {
        int s = 0;
        for (int i = 0; i < n; i++) { __asm__ volatile(".balign 16"); s += i * counter; }
        return s;
    }
    __attribute__((noinline)) void marker(void) { __asm__ volatile(".balign 64\\n.globl aligned_spot\\naligned_spot:\\nnop"); }
    int main(void) {
        tls_counter++;
        table[3] = ops[1](tls_counter, 2);
        fprintf(stdout, "%d %d\\n", dispatch(3, 3), loop(tls_counter));
        marker();
        return 0;
    }
    """

    func testRealClangObjectsLinkWithAndWithoutRelaxation() throws {
        for relax in [false, true] {
            for opt in ["-O0", "-O2"] {
                let what = "\(relax ? "-mrelax" : "-mno-relax") \(opt)"
                let flags = [opt, "-ffunction-sections", "-fdata-sections", "-fcommon"] + (relax ? ["-mrelax"] : [])
                let object = try TestSupport.compile(Self.program, target: .rv64, name: "rv.c", flags: flags)
                let aligns = object.relocations.values.joined().filter { $0.type == R.align }.count
                if relax { XCTAssertGreaterThan(aligns, 0, "\(what): the object exercises R_RISCV_ALIGN") }
                else { XCTAssertEqual(aligns, 0, what) }
                let image = try TestSupport.link([object])
                XCTAssertEqual(image.machine, .riscv64, what)

                func sym(_ name: String) throws -> LinkImage.SymbolInfo {
                    try XCTUnwrap(image.symbols.first { $0.name == name }, "\(what): \(name)")
                }
                for f in ["main", "dispatch", "loop", "marker"] {
                    let s = try sym(f)
                    XCTAssertEqual(s.kind, .function, what)
                    XCTAssertGreaterThan(s.size, 0, what)
                    let original = try XCTUnwrap(object.symbols.first { $0.name == f })
                    XCTAssertLessThanOrEqual(UInt64(s.size), original.size, "\(what): \(f) only shrinks")
                    let text = try XCTUnwrap(image.segments.first { $0.permissions == .readExecute })
                    XCTAssertTrue((text.offset..<text.offset + text.memorySize).contains(s.offset), what)
                }
                XCTAssertEqual(try sym("aligned_spot").offset % 64, 0, "\(what): .balign 64 is honoured")
                XCTAssertFalse(image.symbols.contains { $0.name.hasPrefix("$") || $0.name.hasPrefix(".L") }, what)

                for (name, kind) in [("puts", LinkImage.ImportKind.function), ("fputs", .function), ("fprintf", .function), ("stdout", .data)] {
                    let index = try XCTUnwrap(image.imports.firstIndex { $0.name == name }, "\(what): \(name)")
                    XCTAssertEqual(image.imports[index].kind, kind, what)
                    XCTAssertTrue(image.fixups.contains { if case .importSlot(_, index) = $0 { return true } else { return false } },
                                  "\(what): \(name) has a GOT slot")
                }
                let ops = try sym("ops").offset, add = try sym("add").offset, mul = try sym("mul").offset
                XCTAssertEqual(u64(image, ops), UInt64(add), what)
                XCTAssertEqual(u64(image, ops + 8), UInt64(mul), what)
                XCTAssertTrue(image.fixups.contains(.rebase(offset: ops)) && image.fixups.contains(.rebase(offset: ops + 8)), what)
                XCTAssertNotNil(image.tls, what)
                XCTAssertEqual(try sym("tls_counter").kind, .tls, what)
                XCTAssertEqual(try sym("__tls_get_addr").size, 28, what)
                XCTAssertTrue(image.fixups.contains { if case .tlsBlock = $0 { return true } else { return false } }, what)
                XCTAssertNotNil(image.symbols.first { $0.name == "common_var" && $0.file == "<common>" }, what)
            }
        }
    }
}
