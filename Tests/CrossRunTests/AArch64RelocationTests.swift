import CUnicorn
import CrossRunDriver
import CrossRunELF
import CrossRunLink
import XCTest

/// AArch64 relocation arithmetic on hand-built objects: every patched instruction field is
/// decoded back and compared with the psABI formula (Page(x) = x & ~0xfff).
final class AArch64RelocationTests: XCTestCase {
    enum R {
        static let abs64: UInt32 = 257, abs32: UInt32 = 258, abs16: UInt32 = 259, prel64: UInt32 = 260
        static let prel32: UInt32 = 261, prel16: UInt32 = 262, ldPrelLo19: UInt32 = 273, adrLo21: UInt32 = 274
        static let adrPage: UInt32 = 275, adrPageNC: UInt32 = 276, addLo12: UInt32 = 277, ldst8: UInt32 = 278
        static let tstbr14: UInt32 = 279, condbr19: UInt32 = 280, jump26: UInt32 = 282, call26: UInt32 = 283
        static let ldst16: UInt32 = 284, ldst32: UInt32 = 285, ldst64: UInt32 = 286, ldst128: UInt32 = 299
        static let gotLdPrel19: UInt32 = 309, gotoffLo15: UInt32 = 310, gotPage: UInt32 = 311, gotLo12: UInt32 = 312
        static let gotpageLo15: UInt32 = 313, plt32: UInt32 = 314, tlsgdPage: UInt32 = 513, tlsiePage: UInt32 = 541
        static let tlsleAdd: UInt32 = 550, descPage: UInt32 = 562, descLd: UInt32 = 563, descAdd: UInt32 = 564
        static let descCall: UInt32 = 569
    }

    /// The text every test starts from; relocations patch these instructions.
    static let text: [UInt32] = [
        0x9000_0000, 0x9100_0000, 0x3940_0001, 0x7940_0001,   // 00 adrp x0 | add x0,x0 | ldrb w1 | ldrh w1
        0xb940_0001, 0xf940_0001, 0x3dc0_0001, 0x1000_0002,   // 10 ldr w1 | ldr x1 | ldr q1 | adr x2
        0x9400_0000, 0x1400_0000, 0x5400_0001, 0x3728_0003,   // 20 bl | b | b.ne | tbnz w3,#5
        0x9000_0004, 0x5800_0005, 0x9400_0000, 0xd65f_03c0,   // 30 adrp x4 | ldr x5,lit | bl | ret
        0xd65f_03c0, 0xd503_201f, 0x9000_0006, 0xf940_00c6,   // 40 target: ret | nop | adrp x6 | ldr x6,[x6]
        0x9000_0007, 0xf940_00e7, 0xf940_0108, 0xf940_0129,   // 50 adrp x7 | ldr x7 | ldr x8 | ldr x9
        0x5800_000a, 0x9000_0000, 0xf940_0001, 0x9100_0000,   // 60 ldr x10,lit | adrp x0 | ldr x1,[x0] | add x0,x0
        0xd63f_0020, 0xd53b_d048, 0x8b00_0100, 0xd65f_03c0,   // 70 blr x1 | mrs x8,tpidr_el0 | add x0,x8,x0 | ret
    ]

    struct Built {
        var builder = ELFBuilder()
        var text = 0, data = 0, tdata = 0, tbss = 0
        var main = 0, target = 0, datum = 0, puts = 0, weakfn = 0, stdoutSym = 0, absolute = 0, small = 0
        var got = 0, tv = 0, tb = 0, readTB = 0
    }

    func base() -> Built {
        var b = Built()
        b.builder.machine = 183
        b.text = b.builder.section(".text", flags: 6, Self.text.flatMap { ELFBuilder.le($0) })
        b.data = b.builder.section(".data", flags: 3, [UInt8](repeating: 0, count: 0x1000))
        b.tdata = b.builder.section(".tdata", flags: 0x403, [7, 0, 0, 0, 9, 0, 0, 0])
        b.tbss = b.builder.section(".tbss", flags: 0x403, [], nobitsSize: 32)
        b.main = b.builder.symbol("main", section: b.text, size: 0x40)
        b.target = b.builder.symbol("target", section: b.text, value: 0x40, size: 8)
        b.readTB = b.builder.symbol("read_tb", section: b.text, value: 0x64, size: 0x1c)
        b.datum = b.builder.symbol("datum", section: b.data, value: 0x7f0, size: 64, type: 1)
        b.tv = b.builder.symbol("tv", section: b.tdata, value: 4, size: 4, type: 6)
        b.tb = b.builder.symbol("tb", section: b.tbss, value: 16, size: 8, type: 6)
        b.puts = b.builder.symbol("puts", section: 0, type: 0)
        b.weakfn = b.builder.symbol("weakfn", section: 0, type: 0, binding: 2)
        b.stdoutSym = b.builder.symbol("stdout", section: 0, type: 0)
        b.absolute = b.builder.symbol("abs_sym", section: 0xfff1, value: 0x1234_5678, type: 0)
        b.small = b.builder.symbol("small_sym", section: 0xfff1, value: 0x1234, type: 0)
        b.got = b.builder.symbol("_GLOBAL_OFFSET_TABLE_", section: 0, type: 0)
        return b
    }

    func link(_ b: Built) throws -> LinkImage {
        try TestSupport.link([try ObjectFile(bytes: b.builder.build(), name: "hand.o")])
    }

    // MARK: Decoding

    func word(_ image: LinkImage, _ at: Int) -> UInt32 {
        image.bytes[at..<at + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
    }
    func u64(_ image: LinkImage, _ at: Int) -> UInt64 {
        image.bytes[at..<at + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
    }
    func offset(_ image: LinkImage, _ name: String) throws -> Int { try XCTUnwrap(image.symbols.first { $0.name == name }, name).offset }
    /// ADR/ADRP immhi:immlo, sign-extended (ADRP: pages).
    func adrImm(_ w: UInt32) -> Int { ((Int(w >> 5 & 0x7ffff) << 2 | Int(w >> 29 & 3)) << 43) >> 43 }
    /// ADD/LDR/STR imm12 (unscaled field value).
    func imm12(_ w: UInt32) -> Int { Int(w >> 10 & 0xfff) }
    /// Byte offsets of B/BL (imm26), B.cond/CBZ/LDR literal (imm19, bits 23:5), TBZ (imm14, bits 18:5).
    func b26(_ w: UInt32) -> Int { (Int(w & 0x3ff_ffff) << 38) >> 36 }
    func b19(_ w: UInt32) -> Int { (Int(w >> 5 & 0x7ffff) << 45) >> 43 }
    func b14(_ w: UInt32) -> Int { (Int(w >> 5 & 0x3fff) << 50) >> 48 }
    func page(_ x: Int) -> Int { x & ~0xfff }
    /// The address an `adrp` at `at` plus the `ldr xN, [xN, #imm]` after it (at `ldrAt`) read.
    func adrpLdr(_ image: LinkImage, _ at: Int, _ ldrAt: Int) -> Int { page(at) + adrImm(word(image, at)) << 12 + imm12(word(image, ldrAt)) * 8 }

    // MARK: Tests

    func testPageLow12BranchAndDataArithmetic() throws {
        var b = base()
        let t = b.text, d = b.data
        b.builder.relocate(section: t, offset: 0x00, type: R.adrPage, symbol: b.datum, addend: 0x10)
        b.builder.relocate(section: t, offset: 0x04, type: R.addLo12, symbol: b.datum, addend: 0x10)
        b.builder.relocate(section: t, offset: 0x08, type: R.ldst8, symbol: b.datum, addend: 0x11)
        b.builder.relocate(section: t, offset: 0x0c, type: R.ldst16, symbol: b.datum, addend: 0x12)
        b.builder.relocate(section: t, offset: 0x10, type: R.ldst32, symbol: b.datum, addend: 0x14)
        b.builder.relocate(section: t, offset: 0x14, type: R.ldst64, symbol: b.datum, addend: 0x18)
        b.builder.relocate(section: t, offset: 0x18, type: R.ldst128, symbol: b.datum, addend: 0x20)
        b.builder.relocate(section: t, offset: 0x1c, type: R.adrLo21, symbol: b.target, addend: 4)
        b.builder.relocate(section: t, offset: 0x20, type: R.call26, symbol: b.target)
        b.builder.relocate(section: t, offset: 0x24, type: R.jump26, symbol: b.puts)
        b.builder.relocate(section: t, offset: 0x28, type: R.condbr19, symbol: b.target)
        b.builder.relocate(section: t, offset: 0x2c, type: R.tstbr14, symbol: b.target, addend: -0x40)
        b.builder.relocate(section: t, offset: 0x30, type: R.adrPageNC, symbol: b.datum, addend: -0x1000)
        b.builder.relocate(section: t, offset: 0x34, type: R.ldPrelLo19, symbol: b.target)
        b.builder.relocate(section: d, offset: 0x00, type: R.abs64, symbol: b.datum, addend: 3)
        b.builder.relocate(section: d, offset: 0x08, type: R.abs64, symbol: b.puts, addend: 8)
        b.builder.relocate(section: d, offset: 0x10, type: R.abs64, symbol: b.weakfn, addend: 5)
        b.builder.relocate(section: d, offset: 0x18, type: R.prel32, symbol: b.target, addend: 2)
        b.builder.relocate(section: d, offset: 0x1c, type: R.prel16, symbol: b.datum)
        b.builder.relocate(section: d, offset: 0x20, type: R.prel64, symbol: b.target)
        b.builder.relocate(section: d, offset: 0x28, type: R.abs32, symbol: b.absolute, addend: 1)
        b.builder.relocate(section: d, offset: 0x2c, type: R.abs16, symbol: b.small)
        b.builder.relocate(section: d, offset: 0x30, type: R.plt32, symbol: b.puts)
        let image = try link(b)
        let main = try offset(image, "main"), target = try offset(image, "target"), datum = try offset(image, "datum")
        let stub = try offset(image, "puts@plt"), data = datum - 0x7f0
        XCTAssertEqual(main % 4096, 0)
        XCTAssertEqual(datum % 16, 0)

        let s = datum + 0x10
        XCTAssertEqual(adrImm(word(image, main)), (page(s) - page(main)) >> 12, "ADRP = Page(S+A) - Page(P), in pages")
        XCTAssertEqual(word(image, main) & 0x9f00_001f, 0x9000_0000, "ADRP keeps opcode and Rd")
        XCTAssertEqual(imm12(word(image, main + 4)), s & 0xfff, "ADD :lo12:")
        XCTAssertEqual(word(image, main + 4) & ~0x003f_fc00, 0x9100_0000)
        for (at, addend, shift) in [(0x08, 0x11, 0), (0x0c, 0x12, 1), (0x10, 0x14, 2), (0x14, 0x18, 3), (0x18, 0x20, 4)] {
            XCTAssertEqual(imm12(word(image, main + at)), ((datum + addend) & 0xfff) >> shift, "LDST lo12 scaled by \(1 << shift)")
            XCTAssertEqual(word(image, main + at) & ~0x003f_fc00, Self.text[at / 4], "LDST keeps the rest")
        }
        XCTAssertEqual(adrImm(word(image, main + 0x1c)), target + 4 - (main + 0x1c), "ADR = S + A - P")
        XCTAssertEqual(word(image, main + 0x1c) & 0x9f00_001f, 0x1000_0002)
        XCTAssertEqual(b26(word(image, main + 0x20)), target - (main + 0x20), "CALL26")
        XCTAssertEqual(word(image, main + 0x20) >> 26, 0x25, "still a BL")
        XCTAssertEqual(b26(word(image, main + 0x24)), stub - (main + 0x24), "JUMP26 to an import goes through its stub")
        XCTAssertEqual(word(image, main + 0x24) >> 26, 0x05, "still a B")
        XCTAssertEqual(b19(word(image, main + 0x28)), target - (main + 0x28), "CONDBR19")
        XCTAssertEqual(word(image, main + 0x28) & 0xff00_001f, 0x5400_0001, "b.ne kept")
        XCTAssertEqual(b14(word(image, main + 0x2c)), target - 0x40 - (main + 0x2c), "TSTBR14 (backwards)")
        XCTAssertEqual(word(image, main + 0x2c) & 0xfff8_001f, 0x3728_0003, "tbnz w3, #5 kept")
        XCTAssertEqual(adrImm(word(image, main + 0x30)), (page(datum - 0x1000) - page(main + 0x30)) >> 12, "ADR_PREL_PG_HI21_NC")
        XCTAssertEqual(b19(word(image, main + 0x34)), target - (main + 0x34), "LD_PREL_LO19")

        XCTAssertEqual(u64(image, data), UInt64(datum + 3), "ABS64 in the image")
        XCTAssertTrue(image.fixups.contains(.rebase(offset: data)))
        let putsIndex = try XCTUnwrap(image.imports.firstIndex { $0.name == "puts" })
        XCTAssertTrue(image.fixups.contains(.importValue(offset: data + 8, index: putsIndex, addend: 8)), "ABS64 to an import")
        XCTAssertEqual(u64(image, data + 0x10), 5, "ABS64 weak undefined = 0 + A")
        XCTAssertEqual(Int32(truncatingIfNeeded: u64(image, data + 0x18)), Int32(target + 2 - (data + 0x18)), "PREL32")
        XCTAssertEqual(Int16(truncatingIfNeeded: u64(image, data + 0x1c)), Int16(datum - (data + 0x1c)), "PREL16")
        XCTAssertEqual(Int64(bitPattern: u64(image, data + 0x20)), Int64(target - (data + 0x20)), "PREL64")
        XCTAssertEqual(UInt32(truncatingIfNeeded: u64(image, data + 0x28)), 0x1234_5679, "ABS32 of an absolute symbol")
        XCTAssertEqual(UInt16(truncatingIfNeeded: u64(image, data + 0x2c)), 0x1234, "ABS16 of an absolute symbol")
        XCTAssertEqual(Int32(truncatingIfNeeded: u64(image, data + 0x30)), Int32(stub - (data + 0x30)), "PLT32 via the stub")
    }

    func testGOTRelocationsAndImportStub() throws {
        var b = base()
        let t = b.text
        b.builder.relocate(section: t, offset: 0x38, type: R.call26, symbol: b.puts)
        b.builder.relocate(section: t, offset: 0x48, type: R.gotPage, symbol: b.stdoutSym)
        b.builder.relocate(section: t, offset: 0x4c, type: R.gotLo12, symbol: b.stdoutSym)
        b.builder.relocate(section: t, offset: 0x50, type: R.gotPage, symbol: b.datum)
        b.builder.relocate(section: t, offset: 0x54, type: R.gotLo12, symbol: b.datum)
        b.builder.relocate(section: t, offset: 0x58, type: R.gotpageLo15, symbol: b.datum)
        b.builder.relocate(section: t, offset: 0x5c, type: R.gotoffLo15, symbol: b.datum)
        b.builder.relocate(section: t, offset: 0x60, type: R.gotLdPrel19, symbol: b.datum)
        b.builder.relocate(section: b.data, offset: 0, type: R.abs64, symbol: b.got)
        let image = try link(b)
        let main = try offset(image, "main"), datum = try offset(image, "datum"), data = datum - 0x7f0
        let stdoutIndex = try XCTUnwrap(image.imports.firstIndex { $0.name == "stdout" })
        XCTAssertEqual(image.imports[stdoutIndex].kind, .data)
        let putsIndex = try XCTUnwrap(image.imports.firstIndex { $0.name == "puts" })

        let stdoutSlot = adrpLdr(image, main + 0x48, main + 0x4c)
        XCTAssertTrue(image.fixups.contains(.importSlot(offset: stdoutSlot, index: stdoutIndex)), "stdout's GOT slot is bound by the loader")
        let datumSlot = adrpLdr(image, main + 0x50, main + 0x54)
        XCTAssertEqual(u64(image, datumSlot), UInt64(datum), "GOT entry holds the symbol's offset")
        XCTAssertTrue(image.fixups.contains(.rebase(offset: datumSlot)))
        let gotBase = Int(u64(image, data))
        XCTAssertTrue(image.fixups.contains(.rebase(offset: data)), "_GLOBAL_OFFSET_TABLE_ is in the image")
        XCTAssertEqual(imm12(word(image, main + 0x58)) * 8, datumSlot - page(gotBase), "LD64_GOTPAGE_LO15 = G - Page(GOT)")
        XCTAssertEqual(imm12(word(image, main + 0x5c)) * 8, datumSlot - gotBase, "LD64_GOTOFF_LO15 = G - GOT")
        XCTAssertEqual(b19(word(image, main + 0x60)), datumSlot - (main + 0x60), "GOT_LD_PREL19 = G - P")

        // The stub: adrp x16, slot ; ldr x16, [x16, :lo12:slot] ; br x16 ; nop — slot bound to puts.
        let stub = try offset(image, "puts@plt")
        XCTAssertEqual(b26(word(image, main + 0x38)), stub - (main + 0x38), "CALL26 to an import calls its stub")
        XCTAssertEqual(stub % 16, 0)
        XCTAssertEqual(word(image, stub) & 0x9f00_001f, 0x9000_0010, "adrp x16")
        XCTAssertEqual(word(image, stub + 4) & ~0x003f_fc00, 0xf940_0210, "ldr x16, [x16, #imm]")
        XCTAssertEqual(word(image, stub + 8), 0xd61f_0200, "br x16")
        XCTAssertEqual(word(image, stub + 12), 0xd503_201f, "nop")
        let slot = adrpLdr(image, stub, stub + 4)
        XCTAssertTrue(image.fixups.contains(.importSlot(offset: slot, index: putsIndex)))
        XCTAssertTrue(image.segments.contains { $0.permissions == .readExecute && ($0.offset..<$0.offset + $0.memorySize).contains(stub) })
    }

    func testTLSDescriptorSequenceAndResolver() throws {
        var b = base()
        let t = b.text
        b.builder.relocate(section: t, offset: 0x64, type: R.descPage, symbol: b.tb)
        b.builder.relocate(section: t, offset: 0x68, type: R.descLd, symbol: b.tb)
        b.builder.relocate(section: t, offset: 0x6c, type: R.descAdd, symbol: b.tb)
        b.builder.relocate(section: t, offset: 0x70, type: R.descCall, symbol: b.tb)
        let image = try link(b)
        let readTB = try offset(image, "read_tb")
        let tls = try XCTUnwrap(image.tls)
        let tbOffset = try XCTUnwrap(image.symbols.first { $0.name == "tb" && $0.kind == .tls }).offset
        XCTAssertEqual(tbOffset, 16 + 16, "tb: in .tbss (16-aligned) after the 8 bytes of .tdata")
        XCTAssertEqual(tls.initializedSize, 8)

        let desc = adrpLdr(image, readTB, readTB + 4)
        XCTAssertEqual(desc % 8, 0)
        XCTAssertEqual(imm12(word(image, readTB + 8)), desc & 0xfff, "TLSDESC_ADD_LO12 points x0 at the same descriptor")
        XCTAssertEqual(word(image, readTB + 12), 0xd63f_0020, "TLSDESC_CALL leaves the blr alone")
        let resolver = try offset(image, "__tlsdesc_resolver")
        XCTAssertEqual(u64(image, desc), UInt64(resolver), "desc[0] = the resolver")
        XCTAssertTrue(image.fixups.contains(.rebase(offset: desc)), "which moves with the image")
        XCTAssertEqual(u64(image, desc + 8), UInt64(tbOffset), "desc[1] = offset in the TLS block")

        // The resolver's fixed instructions (checked with llvm-objdump) and its slot.
        XCTAssertEqual(word(image, resolver), 0xa9bf_0be1, "stp x1, x2, [sp, #-16]!")
        XCTAssertEqual(word(image, resolver + 4) & 0x9f00_001f, 0x9000_0002, "adrp x2")
        XCTAssertEqual(word(image, resolver + 8) & ~0x003f_fc00, 0xf940_0042, "ldr x2, [x2, #imm]")
        XCTAssertEqual([12, 16, 20, 24, 28, 32, 36].map { word(image, resolver + $0) },
                       [0xd53b_d041, 0xf862_6822, 0xf940_0400, 0x8b02_0000, 0xcb01_0000, 0xa8c1_0be1, 0xd65f_03c0],
                       "mrs tpidr_el0 / ldr x2, [x1, x2] / ldr x0, [x0, #8] / add / sub / ldp / ret")
        let slot = adrpLdr(image, resolver + 4, resolver + 8)
        XCTAssertTrue(image.fixups.contains(.tlsBlock(offset: slot)), "the resolver reads the loader's TLS block slot")

        // Run it: the sequence yields the variable's address; the resolver keeps every register but x0.
        let run = try AArch64ImageRunner(image)
        try run.run(at: readTB, stop: readTB + 0x18)   // up to its `ret` (the blr replaced x30)
        XCTAssertEqual(try run.get(AArch64ImageRunner.x(0)), run.tlsBlock + UInt64(tbOffset), "mrs tpidr_el0 + x0 = &tb")
        for n in 1...29 { try run.set(AArch64ImageRunner.x(n), 0x1000_0000_0000 + UInt64(n)) }
        try run.set(UC_ARM64_REG_NZCV, 0x6000_0000)
        try run.set(AArch64ImageRunner.x(0), run.base + UInt64(desc))
        try run.run(at: resolver)
        XCTAssertEqual(try run.get(AArch64ImageRunner.x(0)), run.tlsBlock + UInt64(tbOffset) &- run.threadPointer)
        for n in 1...29 { XCTAssertEqual(try run.get(AArch64ImageRunner.x(n)), 0x1000_0000_0000 + UInt64(n), "x\(n) preserved") }
        XCTAssertEqual(try run.get(AArch64ImageRunner.x(30)), run.returnAddress, "x30 preserved")
        XCTAssertEqual(try run.get(UC_ARM64_REG_SP), run.stackTop - 0x100, "sp restored")
        XCTAssertEqual(try run.get(UC_ARM64_REG_NZCV), 0x6000_0000, "flags preserved")
    }

    func testRangeAlignmentAndPolicyErrors() throws {
        func expect(_ message: [String], _ edit: (inout Built) -> Void, file: StaticString = #filePath, line: UInt = #line) {
            var b = base()
            edit(&b)
            XCTAssertThrowsError(try link(b), file: file, line: line) { e in
                for m in message { XCTAssertTrue("\(e)".contains(m), "\(e) lacks \(m)", file: file, line: line) }
            }
        }
        // CALL26 to a symbol 150 MiB away (in a big .bss): beyond ±128 MiB.
        expect(["hand.o(.text+0x20): R_AARCH64_CALL26 against 'far' out of range", "±128 MiB"]) { b in
            let bss = b.builder.section(".bss", flags: 3, [], nobitsSize: 200 << 20)
            let far = b.builder.symbol("far", section: bss, value: 150 << 20)
            b.builder.relocate(section: b.text, offset: 0x20, type: R.call26, symbol: far)
        }
        expect(["R_AARCH64_CONDBR19 against 'far' out of range", "±1 MiB"]) { b in
            let bss = b.builder.section(".bss", flags: 3, [], nobitsSize: 4 << 20)
            let far = b.builder.symbol("far", section: bss, value: 2 << 20)
            b.builder.relocate(section: b.text, offset: 0x28, type: R.condbr19, symbol: far)
        }
        // ADRP to 4.5 GiB away: beyond ±4 GiB (the NC variant silently wraps).
        expect(["R_AARCH64_ADR_PREL_PG_HI21 against 'huge' out of range", "±4 GiB"]) { b in
            let bss = b.builder.section(".bss", flags: 3, [], nobitsSize: 5 << 30)
            let huge = b.builder.symbol("huge", section: bss, value: 9 << 29, type: 1)
            b.builder.relocate(section: b.text, offset: 0, type: R.adrPage, symbol: huge)
        }
        // An absolute symbol does not move with the image: no PC-relative page to it.
        expect(["R_AARCH64_ADR_PREL_PG_HI21 cannot refer to absolute symbol 'abs_sym'"]) { b in
            b.builder.relocate(section: b.text, offset: 0, type: R.adrPage, symbol: b.absolute)
        }
        expect(["R_AARCH64_LDST64_ABS_LO12_NC against 'datum'", "not 8-byte aligned"]) { b in
            b.builder.relocate(section: b.text, offset: 0x14, type: R.ldst64, symbol: b.datum, addend: 4)
        }
        expect(["R_AARCH64_LDST128_ABS_LO12_NC against 'datum'", "not 16-byte aligned"]) { b in
            b.builder.relocate(section: b.text, offset: 0x18, type: R.ldst128, symbol: b.datum, addend: 8)
        }
        expect(["R_AARCH64_ABS32 against 'datum'", "position-independent", "-fPIC"]) { b in
            b.builder.relocate(section: b.data, offset: 0, type: R.abs32, symbol: b.datum)
        }
        expect(["R_AARCH64_ABS16 against 'abs_sym' out of range"]) { b in
            b.builder.relocate(section: b.data, offset: 0, type: R.abs16, symbol: b.absolute)
        }
        expect(["R_AARCH64_ADR_PREL_PG_HI21 against library data 'stdout'", "-fPIC"]) { b in
            b.builder.relocate(section: b.text, offset: 0, type: R.adrPage, symbol: b.stdoutSym)
        }
        expect(["R_AARCH64_TLSIE_ADR_GOTTPREL_PAGE21", "initial-exec"]) { b in
            b.builder.relocate(section: b.text, offset: 0, type: R.tlsiePage, symbol: b.tv)
        }
        expect(["R_AARCH64_TLSLE_ADD_TPREL_LO12", "local-exec"]) { b in
            b.builder.relocate(section: b.text, offset: 4, type: R.tlsleAdd, symbol: b.tv)
        }
        expect(["R_AARCH64_TLSGD_ADR_PAGE21", "general-dynamic"]) { b in
            b.builder.relocate(section: b.text, offset: 0, type: R.tlsgdPage, symbol: b.tv)
        }
        expect(["'puts' is used as a thread-local variable"]) { b in
            b.builder.relocate(section: b.text, offset: 0x64, type: R.descPage, symbol: b.puts)
        }
        expect(["unsupported relocation R_AARCH64_GLOB_DAT against 'datum'"]) { b in
            b.builder.relocate(section: b.text, offset: 0, type: 1025, symbol: b.datum)
        }
        expect(["R_AARCH64_CALL26 against 'target': target is not 4-byte aligned"]) { b in
            b.builder.relocate(section: b.text, offset: 0x20, type: R.call26, symbol: b.target, addend: 2)
        }
        expect(["past the end of the section"]) { b in
            b.builder.relocate(section: b.text, offset: UInt64(Self.text.count * 4 - 4), type: R.abs64, symbol: b.target)
        }
    }

    func testNCPageWrapsAndFarCallWithinRange() throws {
        var b = base()
        let bss = b.builder.section(".bss", flags: 3, [], nobitsSize: 5 << 30)
        let huge = b.builder.symbol("huge", section: bss, value: 9 << 29, type: 1)
        b.builder.relocate(section: b.text, offset: 0x30, type: R.adrPageNC, symbol: huge)
        b.builder.relocate(section: b.text, offset: 0x20, type: R.call26, symbol: huge, addend: -(9 << 29) + (100 << 20))
        let image = try link(b)
        let main = try offset(image, "main"), target = try offset(image, "huge")
        let delta = (page(target) - page(main + 0x30)) >> 12
        XCTAssertEqual(adrImm(word(image, main + 0x30)), (delta << 43) >> 43, "NC keeps the low 21 bits")
        XCTAssertEqual(b26(word(image, main + 0x20)), target - (9 << 29) + (100 << 20) - (main + 0x20), "a 100 MiB call fits")
    }
}
