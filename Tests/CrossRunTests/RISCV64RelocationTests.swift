import CrossRunDriver
import CrossRunELF
import CrossRunLink
import XCTest

/// riscv64 relocation arithmetic on hand-built objects, checked by decoding instruction fields
/// and against encodings produced by clang's assembler.
final class RISCV64RelocationTests: XCTestCase {
    enum R {
        static let r32: UInt32 = 1, r64: UInt32 = 2, branch: UInt32 = 16, jal: UInt32 = 17, call: UInt32 = 18, callPLT: UInt32 = 19
        static let gotHi20: UInt32 = 20, tlsGotHi20: UInt32 = 21, tlsGdHi20: UInt32 = 22, pcrelHi20: UInt32 = 23
        static let lo12I: UInt32 = 24, lo12S: UInt32 = 25, tprelHi20: UInt32 = 29
        static let add8: UInt32 = 33, add16: UInt32 = 34, add32: UInt32 = 35, add64: UInt32 = 36
        static let sub8: UInt32 = 37, sub16: UInt32 = 38, sub32: UInt32 = 39, sub64: UInt32 = 40
        static let align: UInt32 = 43, rvcBranch: UInt32 = 44, rvcJump: UInt32 = 45, relax: UInt32 = 51
        static let sub6: UInt32 = 52, set6: UInt32 = 53, set8: UInt32 = 54, set16: UInt32 = 55, set32: UInt32 = 56
        static let pcrel32: UInt32 = 57, setULEB: UInt32 = 60, subULEB: UInt32 = 61, tlsdescHi20: UInt32 = 62
    }

    // Instructions with zero immediates (from clang's assembler).
    enum I {
        static let beq: UInt32 = 0x00b5_0063, jal: UInt32 = 0x0000_00ef, auipcRA: UInt32 = 0x0000_0097, jalrRA: UInt32 = 0x0000_80e7
        static let auipcA0: UInt32 = 0x0000_0517, auipcA1: UInt32 = 0x0000_0597, auipcA2: UInt32 = 0x0000_0617
        static let sw: UInt32 = 0x00b6_2023, addi: UInt32 = 0x0005_0513, ld: UInt32 = 0x0005_b583, nop: UInt32 = 0x13, ret: UInt32 = 0x8067
        static let cBeqz: UInt16 = 0xc101, cJ: UInt16 = 0xa001, cLi: UInt16 = 0x4505, cNop: UInt16 = 0x0001
    }

    static func words(_ w: [UInt32]) -> [UInt8] { w.flatMap { ELFBuilder.le($0) } }

    func link(_ b: ELFBuilder) throws -> LinkImage {
        try TestSupport.link([try ObjectFile(bytes: b.build(), name: "hand.o")])
    }

    func riscv() -> ELFBuilder { var b = ELFBuilder(); b.machine = 243; return b }

    // MARK: - Reading the image

    func u16(_ image: LinkImage, _ at: Int) -> UInt16 { UInt16(image.bytes[at]) | UInt16(image.bytes[at + 1]) << 8 }
    func u32(_ image: LinkImage, _ at: Int) -> UInt32 {
        image.bytes[at..<at + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
    }
    func u64(_ image: LinkImage, _ at: Int) -> UInt64 {
        image.bytes[at..<at + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
    }
    func offset(_ image: LinkImage, _ name: String) throws -> Int { try XCTUnwrap(image.symbols.first { $0.name == name }, name).offset }

    // MARK: - Decoding immediates (independently of the linker's encoder)

    func sext(_ v: UInt32, _ bits: Int) -> Int64 { Int64(Int32(bitPattern: v << (32 - bits)) >> (32 - bits)) }
    func uImm(_ x: UInt32) -> Int64 { sext(x >> 12, 20) }
    func iImm(_ x: UInt32) -> Int64 { sext(x >> 20, 12) }
    func sImm(_ x: UInt32) -> Int64 { sext((x >> 25) << 5 | (x >> 7 & 0x1f), 12) }
    func bImm(_ x: UInt32) -> Int64 {
        sext((x >> 31 & 1) << 12 | (x >> 7 & 1) << 11 | (x >> 25 & 0x3f) << 5 | (x >> 8 & 0xf) << 1, 13)
    }
    func jImm(_ x: UInt32) -> Int64 {
        sext((x >> 31 & 1) << 20 | (x >> 12 & 0xff) << 12 | (x >> 20 & 1) << 11 | (x >> 21 & 0x3ff) << 1, 21)
    }
    func cbImm(_ h: UInt16) -> Int64 {
        let x = UInt32(h)
        return sext((x >> 12 & 1) << 8 | (x >> 5 & 3) << 6 | (x >> 2 & 1) << 5 | (x >> 10 & 3) << 3 | (x >> 3 & 3) << 1, 9)
    }
    func cjImm(_ h: UInt16) -> Int64 {
        let x = UInt32(h)
        return sext((x >> 12 & 1) << 11 | (x >> 8 & 1) << 10 | (x >> 9 & 3) << 8 | (x >> 6 & 1) << 7 | (x >> 7 & 1) << 6
                    | (x >> 2 & 1) << 5 | (x >> 11 & 1) << 4 | (x >> 3 & 7) << 1, 12)
    }
    /// Where the call at `at` goes, relative to `at`: a `jal ra` with a `nop` after it (a call
    /// pair within ±1 MiB), else the `auipc`/`jalr` pair's sum.
    func callOffset(_ image: LinkImage, _ at: Int) -> Int64 {
        let first = u32(image, at)
        if first & 0x7f == 0x6f {
            XCTAssertEqual(first & 0xfff, 0x0ef, "jal ra")
            XCTAssertEqual(u32(image, at + 4), I.nop, "a nop in the jalr's slot")
            return jImm(first)
        }
        return pair(image, at, at + 4)
    }

    /// The value an `auipc` at `hi` plus the I- or S-immediate of the instruction at `lo` add up to.
    func pair(_ image: LinkImage, _ hi: Int, _ lo: Int, store: Bool = false) -> Int64 {
        (uImm(u32(image, hi)) << 12) + (store ? sImm(u32(image, lo)) : iImm(u32(image, lo)))
    }

    // MARK: - Tests

    func testEncodingsMatchTheAssembler() throws {
        // Each relocation targets `main` (text offset 0) with an addend giving a chosen offset;
        // expected words are what clang assembles for the same offsets.
        var b = riscv()
        var text = Self.words([I.beq, I.jal]) + ELFBuilder.le(I.cBeqz) + ELFBuilder.le(I.cJ)
        text += Self.words([I.auipcA2, I.nop, I.sw])
        let t = b.section(".text", flags: 6, text)
        let main = b.symbol("main", section: t, size: UInt64(text.count))
        let hi = b.symbol(".Lpcrel_hi0", section: t, value: 0xc, type: 0, binding: 0)
        b.relocate(section: t, offset: 0, type: R.branch, symbol: main, addend: 0 - 0xffe)
        b.relocate(section: t, offset: 4, type: R.jal, symbol: main, addend: 4 + 0xabcde)
        b.relocate(section: t, offset: 8, type: R.rvcBranch, symbol: main, addend: 8 + 0x1e)
        b.relocate(section: t, offset: 0xa, type: R.rvcJump, symbol: main, addend: 0xa - 0x7fe)
        b.relocate(section: t, offset: 0xc, type: R.pcrelHi20, symbol: main, addend: 0xc - 0x7ff)
        b.relocate(section: t, offset: 0x14, type: R.lo12S, symbol: hi)
        let image = try link(b)
        let m = try offset(image, "main")
        XCTAssertEqual(u32(image, m), 0x80b5_0163, "beq a0, a1, .-0xffe")
        XCTAssertEqual(u32(image, m + 4), 0x4dfa_b0ef, "jal ra, .+0xabcde")
        XCTAssertEqual(u16(image, m + 8), 0xcd19, "c.beqz a0, .+0x1e")
        XCTAssertEqual(u16(image, m + 0xa), 0xb009, "c.j .-0x7fe")
        XCTAssertEqual(u32(image, m + 0xc), I.auipcA2, "auipc a2, 0")
        XCTAssertEqual(u32(image, m + 0x14), 0x80b6_20a3, "sw a1, -0x7ff(a2)")
    }

    /// Text used by the arithmetic test; see the offsets in the comments.
    static let arithmeticText = words([
        I.auipcA0, I.addi,            // 0x00 .Lhi0: datum+4      0x04 LO12_I
        I.auipcA1, I.ld,              // 0x08 .Lgot: GOT(stdout)  0x0c LO12_I
        I.nop, I.sw,                  // 0x10                     0x14 LO12_S of .Lhi0
        I.auipcA0, I.addi,            // 0x18 .Ltls: TLS_GD tv    0x1c LO12_I
        I.auipcRA, I.jalrRA,          // 0x20 CALL_PLT __tls_get_addr
        I.auipcRA, I.jalrRA,          // 0x28 CALL_PLT puts
        I.auipcRA, I.jalrRA,          // 0x30 CALL target
        I.beq, I.jal,                 // 0x38 BRANCH target, 0x3c JAL puts
        I.ret, I.nop, I.nop, I.nop,   // 0x40 target
    ])

    func testPCRelativeGOTTLSAndCalls() throws {
        var b = riscv()
        let t = b.section(".text", flags: 6, Self.arithmeticText)
        let d = b.section(".data", flags: 3, [UInt8](repeating: 0, count: 16))
        let tdata = b.section(".tdata", flags: 0x403, [7, 0, 0, 0, 0, 0, 0, 0])
        let hi0 = b.symbol(".Lhi0", section: t, value: 0, type: 0, binding: 0)
        let got = b.symbol(".Lgot", section: t, value: 8, type: 0, binding: 0)
        let tls = b.symbol(".Ltls", section: t, value: 0x18, type: 0, binding: 0)
        _ = b.symbol("main", section: t, size: 0x50)
        let target = b.symbol("target", section: t, value: 0x40, size: 4)
        let datum = b.symbol("datum", section: d, value: 8, size: 8, type: 1)
        _ = b.symbol("pad", section: tdata, value: 0, size: 4, type: 6)
        let tv = b.symbol("tv", section: tdata, value: 4, size: 4, type: 6)
        let stdoutSym = b.symbol("stdout", section: 0, type: 0)
        let puts = b.symbol("puts", section: 0, type: 0)
        let getAddr = b.symbol("__tls_get_addr", section: 0, type: 0)
        b.relocate(section: t, offset: 0x00, type: R.pcrelHi20, symbol: datum, addend: 4)
        b.relocate(section: t, offset: 0x00, type: R.relax, symbol: 0)
        b.relocate(section: t, offset: 0x04, type: R.lo12I, symbol: hi0)
        b.relocate(section: t, offset: 0x08, type: R.gotHi20, symbol: stdoutSym)
        b.relocate(section: t, offset: 0x0c, type: R.lo12I, symbol: got)
        b.relocate(section: t, offset: 0x14, type: R.lo12S, symbol: hi0)
        b.relocate(section: t, offset: 0x18, type: R.tlsGdHi20, symbol: tv)
        b.relocate(section: t, offset: 0x1c, type: R.lo12I, symbol: tls)
        b.relocate(section: t, offset: 0x20, type: R.callPLT, symbol: getAddr)
        b.relocate(section: t, offset: 0x28, type: R.callPLT, symbol: puts)
        b.relocate(section: t, offset: 0x30, type: R.call, symbol: target)
        b.relocate(section: t, offset: 0x38, type: R.branch, symbol: target)
        b.relocate(section: t, offset: 0x3c, type: R.jal, symbol: puts)
        let image = try link(b)
        let text = try offset(image, "main"), datumAt = try offset(image, "datum")

        XCTAssertEqual(pair(image, text, text + 4), Int64(datumAt + 4 - text), "PCREL_HI20 + LO12_I = S + A - P_hi")
        XCTAssertEqual(pair(image, text, text + 0x14, store: true), Int64(datumAt + 4 - text),
                       "a second, non-adjacent LO12 (S-type) of the same HI20")
        XCTAssertEqual(u32(image, text + 0x14) & 0x01ff_f07f, I.sw & 0x01ff_f07f, "registers and opcode kept")

        let slot = text + 8 + Int(pair(image, text + 8, text + 0xc))
        let stdoutIndex = try XCTUnwrap(image.imports.firstIndex { $0.name == "stdout" })
        XCTAssertTrue(image.fixups.contains(.importSlot(offset: slot, index: stdoutIndex)), "GOT_HI20 reaches stdout's GOT slot")

        let tlsPair = text + 0x18 + Int(pair(image, text + 0x18, text + 0x1c))
        XCTAssertEqual(u64(image, tlsPair), 1, "module id")
        XCTAssertEqual(u64(image, tlsPair + 8), 4, "offset of tv in the TLS block")

        let resolver = try offset(image, "__tls_get_addr")
        XCTAssertEqual(text + 0x20 + Int(callOffset(image, text + 0x20)), resolver, "CALL_PLT to the image's own resolver")
        // auipc t0, hi; ld t0, lo(t0); add t0, t0, tp; ld t0, 0(t0); ld t1, 8(a0); add a0, t0, t1; ret
        XCTAssertEqual(u32(image, resolver) & 0xfff, 0x297)
        XCTAssertEqual(u32(image, resolver + 4) & 0x000f_ffff, 0x0002_b283)
        XCTAssertEqual(u32(image, resolver + 8), 0x0042_82b3, "add t0, t0, tp")
        XCTAssertEqual(u32(image, resolver + 12), 0x0002_b283, "ld t0, 0(t0): this thread's block")
        XCTAssertEqual(u32(image, resolver + 16), 0x0085_3303)
        XCTAssertEqual(u32(image, resolver + 20), 0x0062_8533)
        XCTAssertEqual(u32(image, resolver + 24), 0x0000_8067)
        let block = resolver + Int(pair(image, resolver, resolver + 4))
        XCTAssertTrue(image.fixups.contains(.tlsBlock(offset: block)), "the resolver reads the TLS block slot")

        let stub = try offset(image, "puts@plt")
        XCTAssertEqual(text + 0x28 + Int(callOffset(image, text + 0x28)), stub, "CALL_PLT to an import goes through its stub")
        // auipc t3, hi; ld t3, lo(t3); jalr t1, t3; nop
        XCTAssertEqual(u32(image, stub) & 0xfff, 0xe17)
        XCTAssertEqual(u32(image, stub + 4) & 0x000f_ffff, 0x000e_3e03)
        XCTAssertEqual(u32(image, stub + 8), 0x000e_0367)
        XCTAssertEqual(u32(image, stub + 12), 0x13)
        let putsSlot = stub + Int(pair(image, stub, stub + 4))
        let putsIndex = try XCTUnwrap(image.imports.firstIndex { $0.name == "puts" })
        XCTAssertTrue(image.fixups.contains(.importSlot(offset: putsSlot, index: putsIndex)))

        XCTAssertEqual(callOffset(image, text + 0x30), 0x10, "CALL to a local function")
        XCTAssertEqual(u32(image, text + 0x30), 0x0100_00ef, "within reach the pair is jal ra, +0x10; nop")
        XCTAssertEqual(bImm(u32(image, text + 0x38)), 8, "BRANCH")
        XCTAssertEqual(jImm(u32(image, text + 0x3c)), Int64(stub - (text + 0x3c)), "JAL to an import reaches its stub")
    }

    /// A call pair within ±1 MiB becomes `jal rd` + `nop` (rd from the `jalr`: `ra` for a call,
    /// `x0` for a tail call); one beyond, or an `auipc`/`jalr` pair that is not the canonical
    /// one (the `jalr` reads another register than the `auipc` wrote), stays a patched pair.
    func testCallPairsBecomeJalWithinReach() throws {
        let auipcT1: UInt32 = 0x0000_0317, jalrX0T1: UInt32 = 0x0003_0067, auipcT0: UInt32 = 0x0000_0297
        let far = 0x10_0040   // 1 MiB + 0x40: out of jal's reach from 0x18
        var text = Self.words([I.auipcRA, I.jalrRA,     // 0x00 CALL near
                               auipcT1, jalrX0T1,       // 0x08 CALL near (tail)
                               auipcT0, I.jalrRA,       // 0x10 CALL near, jalr reads ra, not t0
                               I.auipcRA, I.jalrRA,     // 0x18 CALL far
                               I.ret, I.nop, I.nop, I.nop])   // 0x20 near
        text += [UInt8](repeating: 0, count: far - text.count) + Self.words([I.ret])
        var b = riscv()
        let t = b.section(".text", flags: 6, text)
        _ = b.symbol("main", section: t, size: 0x20)
        let near = b.symbol("near", section: t, value: 0x20, size: 4)
        let farSymbol = b.symbol("far", section: t, value: UInt64(far), size: 4)
        b.relocate(section: t, offset: 0x00, type: R.call, symbol: near)
        b.relocate(section: t, offset: 0x08, type: R.callPLT, symbol: near)
        b.relocate(section: t, offset: 0x10, type: R.call, symbol: near)
        b.relocate(section: t, offset: 0x18, type: R.call, symbol: farSymbol)
        let image = try link(b)
        let m = try offset(image, "main")
        XCTAssertEqual(u32(image, m), 0x0200_00ef, "jal ra, +0x20")
        XCTAssertEqual(u32(image, m + 4), I.nop)
        XCTAssertEqual(u32(image, m + 8), 0x0180_006f, "jal x0, +0x18 (the tail call)")
        XCTAssertEqual(u32(image, m + 0xc), I.nop)
        XCTAssertEqual(u32(image, m + 0x10) & 0xfff, auipcT0 & 0xfff, "a non-canonical pair stays auipc …")
        XCTAssertEqual(u32(image, m + 0x14) & 0x000f_ffff, I.jalrRA & 0x000f_ffff, "… and jalr")
        XCTAssertEqual(pair(image, m + 0x10, m + 0x14), 0x10)
        XCTAssertEqual(u32(image, m + 0x18) & 0xfff, I.auipcRA & 0xfff, "out of reach: the pair stays")
        XCTAssertEqual(pair(image, m + 0x18, m + 0x1c), Int64(far - 0x18))
    }

    func testDataRelocationsAndLabelArithmetic() throws {
        var b = riscv()
        let t = b.section(".text", flags: 6, Self.words([I.ret, I.nop, I.nop, I.nop]))
        var data = [UInt8](repeating: 0, count: 48)
        data[8] = 0x00; data[9] = 0x01        // ADD64 on 0x100
        data[16] = 0x10                       // ADD32 on 0x10
        data[23] = 0xc5                       // SET6/SUB6 keep the top two bits
        data[38] = 0x80; data[39] = 0x00      // a two-byte ULEB128
        let d = b.section(".data", flags: 3, data)
        let main = b.symbol("main", section: t, size: 4)
        let end = b.symbol(".Lend", section: t, value: 0x10, type: 0, binding: 0)
        let datum = b.symbol("datum", section: d, value: 0, size: 8, type: 1)
        let puts = b.symbol("puts", section: 0, type: 0)
        func diff(_ offset: UInt64, _ add: UInt32, _ sub: UInt32, addend: Int64 = 0) {
            b.relocate(section: d, offset: offset, type: add, symbol: end, addend: addend)
            b.relocate(section: d, offset: offset, type: sub, symbol: main)
        }
        b.relocate(section: d, offset: 0, type: R.r64, symbol: datum, addend: 3)
        diff(8, R.add64, R.sub64)
        diff(16, R.add32, R.sub32)
        diff(20, R.add16, R.sub16, addend: 0x100)
        diff(22, R.add8, R.sub8)
        diff(23, R.set6, R.sub6, addend: 3)
        diff(24, R.set8, R.sub8)
        diff(26, R.set16, R.sub16, addend: 0x1000)
        diff(28, R.set32, R.sub32, addend: 0x10000)
        b.relocate(section: d, offset: 32, type: R.pcrel32, symbol: main, addend: 2)
        diff(38, R.setULEB, R.subULEB, addend: 0x130)
        b.relocate(section: d, offset: 40, type: R.r64, symbol: puts, addend: 8)
        let image = try link(b)
        let m = try offset(image, "main"), at = try offset(image, "datum")

        XCTAssertEqual(u64(image, at), UInt64(at + 3), "R_RISCV_64")
        XCTAssertTrue(image.fixups.contains(.rebase(offset: at)))
        XCTAssertEqual(u64(image, at + 8), 0x110, "ADD64/SUB64 add the difference to what is there")
        XCTAssertEqual(u32(image, at + 16), 0x20, "ADD32/SUB32")
        XCTAssertEqual(u16(image, at + 20), 0x110, "ADD16/SUB16")
        XCTAssertEqual(image.bytes[at + 22], 0x10, "ADD8/SUB8")
        XCTAssertEqual(image.bytes[at + 23], 0xc0 | 0x13, "SET6/SUB6 change the low six bits only")
        XCTAssertEqual(image.bytes[at + 24], 0x10, "SET8/SUB8")
        XCTAssertEqual(u16(image, at + 26), 0x1010, "SET16/SUB16")
        XCTAssertEqual(u32(image, at + 28), 0x10010, "SET32/SUB32")
        XCTAssertEqual(Int64(Int32(bitPattern: u32(image, at + 32))), Int64(m + 2 - (at + 32)), "32_PCREL")
        XCTAssertEqual(Array(image.bytes[at + 38..<at + 40]), [0xc0, 0x02], "SET/SUB_ULEB128 keep the field's length")
        let putsIndex = try XCTUnwrap(image.imports.firstIndex { $0.name == "puts" })
        XCTAssertTrue(image.fixups.contains(.importValue(offset: at + 40, index: putsIndex, addend: 8)))
    }

    func testRangeAndModelErrors() throws {
        func failing(_ type: UInt32, at offset: UInt64 = 0, addend: Int64 = 0, symbol: String = "main",
                     _ expect: String, file: StaticString = #filePath, line: UInt = #line) {
            var b = riscv()
            let t = b.section(".text", flags: 6, Self.words([I.beq, I.jal, I.addi, I.nop]))
            let d = b.section(".data", flags: 3, [UInt8](repeating: 0, count: 8))
            var symbols = ["main": b.symbol("main", section: t, size: 16)]
            symbols["datum"] = b.symbol("datum", section: d, size: 8, type: 1)
            let tbss = b.section(".tbss", flags: 0x403, [], nobitsSize: 4)
            symbols["tv"] = b.symbol("tv", section: tbss, size: 4, type: 6)
            symbols["stdout"] = b.symbol("stdout", section: 0, type: 0)
            symbols[".Lnohi"] = b.symbol(".Lnohi", section: t, value: 4, type: 0, binding: 0)
            b.relocate(section: t, offset: offset, type: type, symbol: symbols[symbol] ?? 0, addend: addend)
            XCTAssertThrowsError(try link(b), file: file, line: line) {
                XCTAssertTrue("\($0)".contains(expect), "\($0)", file: file, line: line)
            }
        }
        failing(R.branch, addend: 4096, "hand.o(.text+0x0): R_RISCV_BRANCH against 'main' out of range: 4096 does not fit in 13 signed bits")
        failing(R.branch, addend: -4098, "R_RISCV_BRANCH against 'main' out of range")
        failing(R.jal, at: 4, addend: 4 + (1 << 20), "R_RISCV_JAL against 'main' out of range")
        failing(R.jal, at: 4, addend: 4 - (1 << 20) - 2, "R_RISCV_JAL against 'main' out of range")
        failing(R.jal, at: 4, addend: 5, "not 2-byte aligned")
        failing(R.call, addend: 1 << 31, "R_RISCV_CALL against 'main' out of range")
        failing(R.r32, symbol: "datum", "R_RISCV_32 against 'datum': a 32-bit absolute address cannot hold a position-independent image")
        failing(R.r32, symbol: "datum", "compile with -fPIC")
        failing(R.pcrelHi20, symbol: "stdout", "R_RISCV_PCREL_HI20 against library data 'stdout' cannot reach it; compile with -fPIC")
        failing(R.lo12I, at: 8, symbol: ".Lnohi", "R_RISCV_PCREL_LO12_I refers to '.Lnohi' at offset 0x4, where there is no R_RISCV_PCREL_HI20")
        failing(R.lo12I, at: 8, symbol: "datum", "not a label in this section")
        failing(R.tlsGotHi20, symbol: "tv", "initial-exec/local-exec TLS")
        failing(R.tprelHi20, symbol: "tv", "initial-exec/local-exec TLS")
        failing(R.tlsdescHi20, symbol: "tv", "TLS descriptors")
        failing(R.add32, symbol: "stdout", "label arithmetic needs both ends inside the program")
        failing(R.subULEB, "without a preceding R_RISCV_SET_ULEB128")
        failing(200, "unsupported relocation R_RISCV_200 against 'main'")
        failing(R.jal, at: 14, "runs past the end of the section")
    }
}
