import CrossRunELF

/// Applies the relocations of one riscv64 section.
///
/// `R_RISCV_PCREL_LO12_*` name the label of the `auipc` that holds the high part, so the
/// section's HI20-style relocations are indexed by offset first; one HI20 may feed any number
/// of LO12s, anywhere in the section.
struct RISCVSectionRelocator {
    typealias R = RISCV64Linker.R
    typealias E = RISCVEncoding

    let arch: RISCV64Linker
    let section: PlacedSection
    let relocations: [Relocation]
    /// `PCREL_HI20`, `GOT_HI20` and `TLS_GD_HI20` relocations by section offset.
    private var highParts: [UInt64: Relocation] = [:]

    init(arch: RISCV64Linker, section: PlacedSection, relocations: [Relocation]) {
        self.arch = arch
        self.section = section
        self.relocations = relocations
        for r in relocations where [R.pcrelHi20, R.gotHi20, R.tlsGdHi20].contains(r.type) && highParts[r.offset] == nil {
            highParts[r.offset] = r
        }
    }

    private func name(_ r: Relocation) -> String { arch.relocationName(r.type) }
    private func place(_ r: Relocation) -> Int { section.offset + Int(r.offset) }

    mutating func run(_ ctx: inout RelocationContext) throws {
        var i = 0
        while i < relocations.count {
            let r = relocations[i]
            i += 1
            let place = place(r), P = Int64(place), A = r.addend
            switch r.type {
            case R.none, R.relax, R.align:
                continue  // ALIGN was honoured before layout (RISCVAlignPass); nothing is relaxed
            case R.r64:
                try ctx.checkBounds(r, size: 8, in: section)
                try ctx.writeAbsolute64(r, at: place)
            case R.r32, R.hi20, R.lo12I, R.lo12S:
                try absolute(r, &ctx)
            case R.call, R.callPLT:
                try ctx.checkBounds(r, size: 8, in: section)
                let v = Int64(try ctx.pcRelativeTarget(r)) &+ A &- P
                if let jal = E.directCall(auipc: ctx.read32(at: place), jalr: ctx.read32(at: place + 4), offset: v) {
                    ctx.write32(jal, at: place)
                    ctx.write32(E.nop, at: place + 4)
                    continue
                }
                let hi = try hi20(v, r, ctx)
                ctx.write32(E.u(ctx.read32(at: place), hi), at: place)
                ctx.write32(E.i(ctx.read32(at: place + 4), E.lo12(v)), at: place + 4)
            case R.branch, R.jal, R.rvcBranch, R.rvcJump:
                try branch(r, &ctx)
            case R.pcrelHi20, R.gotHi20, R.tlsGdHi20:
                try ctx.checkBounds(r, size: 4, in: section)
                let hi = try hi20(try highValue(r, ctx), r, ctx)
                ctx.write32(E.u(ctx.read32(at: place), hi), at: place)
            case R.pcrelLo12I, R.pcrelLo12S:
                try ctx.checkBounds(r, size: 4, in: section)
                let lo = E.lo12(try highValue(try pairedHighPart(r, ctx), ctx))
                let insn = ctx.read32(at: place)
                ctx.write32(r.type == R.pcrelLo12I ? E.i(insn, lo) : E.s(insn, lo), at: place)
            case R.pcrel32, R.plt32, R.got32PCRel:
                try ctx.checkBounds(r, size: 4, in: section)
                let S = r.type == R.got32PCRel ? try ctx.gotEntry(r) : try pcTarget(r, ctx)
                let v = Int64(S) &+ A &- P
                try ctx.checkSigned(v, bits: 32, r, name(r))
                ctx.write32(UInt32(truncatingIfNeeded: v), at: place)
            case R.add8, R.add16, R.add32, R.add64, R.sub8, R.sub16, R.sub32, R.sub64:
                let width = Int(1) << ((r.type - R.add8) % 4)
                try ctx.checkBounds(r, size: width, in: section)
                let v = UInt64(bitPattern: try labelValue(r, ctx))
                let old = read(width, at: place, ctx)
                write(width, r.type <= R.add64 ? old &+ v : old &- v, at: place, &ctx)
            case R.set8, R.set16, R.set32:
                let width = Int(1) << (r.type - R.set8)
                try ctx.checkBounds(r, size: width, in: section)
                write(width, UInt64(bitPattern: try labelValue(r, ctx)), at: place, &ctx)
            case R.set6, R.sub6:
                try ctx.checkBounds(r, size: 1, in: section)
                let v = UInt8(truncatingIfNeeded: try labelValue(r, ctx)), old = ctx.image[place]
                let low = r.type == R.set6 ? v : old &- v
                ctx.write8(old & 0xc0 | low & 0x3f, at: place)
            case R.setULEB128:
                guard i < relocations.count, relocations[i].type == R.subULEB128, relocations[i].offset == r.offset else {
                    throw ctx.error(r, "R_RISCV_SET_ULEB128 is not followed by R_RISCV_SUB_ULEB128 at the same offset")
                }
                let sub = relocations[i]
                i += 1
                try writeULEB128(try labelValue(r, ctx) &- labelValue(sub, ctx), r, &ctx)
            case R.subULEB128:
                throw ctx.error(r, "R_RISCV_SUB_ULEB128 without a preceding R_RISCV_SET_ULEB128 at the same offset")
            case R.dtprel32, R.dtprel64:
                let width = r.type == R.dtprel32 ? 4 : 8
                try ctx.checkBounds(r, size: width, in: section)
                write(width, UInt64(bitPattern: Int64(try ctx.tlsOffset(r)) &+ A), at: place, &ctx)
            case R.tlsGotHi20, R.tprelHi20, R.tprelLo12I, R.tprelLo12S, R.tprelAdd, R.tprel32, R.tprel64:
                throw ctx.error(r, "\(name(r)) against '\(ctx.symbolName(r.symbol))': initial-exec/local-exec TLS needs the host's thread pointer; compile with -fPIC and the default TLS model")
            case R.tlsdesc, R.tlsdescHi20, R.tlsdescLoadLo12, R.tlsdescAddLo12, R.tlsdescCall:
                throw ctx.error(r, "\(name(r)): TLS descriptors (-mtls-dialect=desc) are not supported on riscv64; use the default TLS dialect (trad)")
            default:
                throw ctx.error(r, "unsupported relocation \(name(r)) against '\(ctx.symbolName(r.symbol))'")
            }
        }
    }

    // MARK: - Values

    /// `S + A - P` of a HI20-style relocation (`S` being the symbol or its stub, its GOT entry,
    /// or its TLS pair), computed at the HI20's own place.
    private func highValue(_ r: Relocation, _ ctx: RelocationContext) throws -> Int64 {
        let S: Int
        switch r.type {
        case R.gotHi20: S = try ctx.gotEntry(r)
        case R.tlsGdHi20: S = try ctx.tlsPair(r)
        default: S = try pcTarget(r, ctx)
        }
        return Int64(S) &+ r.addend &- Int64(place(r))
    }

    /// The HI20-style relocation a `PCREL_LO12` pairs with: the one at its label's offset.
    private func pairedHighPart(_ r: Relocation, _ ctx: RelocationContext) throws -> Relocation {
        let label = ctx.symbolName(r.symbol)
        guard let sym = ctx.symbol(r.symbol), sym.sectionIndex == UInt32(section.section.index) else {
            throw ctx.error(r, "\(name(r)) refers to '\(label)', which is not a label in this section")
        }
        // Like lld, the LO12's addend is ignored: the label alone locates the auipc.
        guard let hi = highParts[sym.value] else {
            throw ctx.error(r, "\(name(r)) refers to '\(label)' at offset 0x\(String(sym.value, radix: 16)), where there is no R_RISCV_PCREL_HI20, R_RISCV_GOT_HI20 or R_RISCV_TLS_GD_HI20 relocation")
        }
        return hi
    }

    /// Where a PC-relative reference lands: the symbol, or the stub of a function outside the image.
    private func pcTarget(_ r: Relocation, _ ctx: RelocationContext) throws -> Int {
        if r.type != R.plt32, ctx.isDataImport(r.symbol) {
            throw ctx.error(r, "\(name(r)) against library data '\(ctx.symbolName(r.symbol))' cannot reach it; compile with -fPIC")
        }
        return try ctx.pcRelativeTarget(r)
    }

    /// `S + A` for label arithmetic (ADD/SUB/SET): differences of two image offsets do not
    /// depend on where the image is placed.
    private func labelValue(_ r: Relocation, _ ctx: RelocationContext) throws -> Int64 {
        switch try ctx.target(r.symbol) {
        case .image(let o): return Int64(o) &+ r.addend
        case .absolute(let v): return Int64(bitPattern: v) &+ r.addend
        case .weakUndefined: return r.addend
        case .imported, .tls, .indirect:
            throw ctx.error(r, "\(name(r)) against '\(ctx.symbolName(r.symbol))', which is not in the image: label arithmetic needs both ends inside the program")
        }
    }

    private func hi20(_ v: Int64, _ r: Relocation, _ ctx: RelocationContext) throws -> Int64 {
        guard let hi = E.hi20(v) else {
            throw ctx.error(r, "\(name(r)) against '\(ctx.symbolName(r.symbol))' out of range: \(v) is beyond the ±2 GiB an auipc pair reaches")
        }
        return hi
    }

    // MARK: - Instruction kinds

    /// BRANCH (±4 KiB), JAL (±1 MiB), RVC_BRANCH (±256 B), RVC_JUMP (±2 KiB).
    private func branch(_ r: Relocation, _ ctx: inout RelocationContext) throws {
        let place = place(r)
        let compressed = r.type == R.rvcBranch || r.type == R.rvcJump
        try ctx.checkBounds(r, size: compressed ? 2 : 4, in: section)
        let v = Int64(try ctx.pcRelativeTarget(r)) &+ r.addend &- Int64(place)
        let bits = [R.branch: 13, R.jal: 21, R.rvcBranch: 9, R.rvcJump: 12][r.type] ?? 13
        try ctx.checkSigned(v, bits: bits, r, name(r))
        guard v & 1 == 0 else {
            throw ctx.error(r, "\(name(r)) against '\(ctx.symbolName(r.symbol))': target offset \(v) is not 2-byte aligned")
        }
        switch r.type {
        case R.branch: ctx.write32(E.b(ctx.read32(at: place), v), at: place)
        case R.jal: ctx.write32(E.j(ctx.read32(at: place), v), at: place)
        case R.rvcBranch: ctx.write16(E.cb(ctx.read16(at: place), v), at: place)
        default: ctx.write16(E.cj(ctx.read16(at: place), v), at: place)
        }
    }

    /// 32 / HI20 / LO12_I / LO12_S: absolute addresses, which a position-independent image
    /// can only hold for absolute symbols.
    private func absolute(_ r: Relocation, _ ctx: inout RelocationContext) throws {
        guard case .absolute(let value) = try ctx.target(r.symbol) else {
            throw ctx.error(r, "\(name(r)) against '\(ctx.symbolName(r.symbol))': a 32-bit absolute address cannot hold a position-independent image placed anywhere in 64-bit memory; compile with -fPIC (CrossRun's default)")
        }
        let place = place(r)
        try ctx.checkBounds(r, size: 4, in: section)
        let v = Int64(bitPattern: value) &+ r.addend
        switch r.type {
        case R.r32: ctx.write32(UInt32(truncatingIfNeeded: v), at: place)
        case R.hi20: ctx.write32(E.u(ctx.read32(at: place), try hi20(v, r, ctx)), at: place)
        case R.lo12I: ctx.write32(E.i(ctx.read32(at: place), E.lo12(v)), at: place)
        default: ctx.write32(E.s(ctx.read32(at: place), E.lo12(v)), at: place)
        }
    }

    // MARK: - Data fields

    private func read(_ width: Int, at o: Int, _ ctx: RelocationContext) -> UInt64 {
        (0..<width).reduce(0) { $0 | UInt64(ctx.image[o + $1]) << (8 * $1) }
    }

    private func write(_ width: Int, _ v: UInt64, at o: Int, _ ctx: inout RelocationContext) {
        for b in 0..<width { ctx.image[o + b] = UInt8(truncatingIfNeeded: v >> (8 * b)) }
    }

    /// Rewrites the ULEB128 at `r`'s place with `value`, keeping its encoded length.
    private func writeULEB128(_ value: Int64, _ r: Relocation, _ ctx: inout RelocationContext) throws {
        let place = place(r), end = section.offset + Int(section.section.size)
        var length = 1
        while place + length - 1 < end, ctx.image[place + length - 1] & 0x80 != 0, length < 10 { length += 1 }
        guard place + length <= end else { throw ctx.error(r, "\(name(r)): the ULEB128 runs past the end of the section") }
        guard value >= 0, length >= 10 || value < Int64(1) << (7 * length) else {
            throw ctx.error(r, "\(name(r)) against '\(ctx.symbolName(r.symbol))' out of range: \(value) does not fit in a \(length)-byte ULEB128")
        }
        var v = UInt64(value)
        for b in 0..<length {
            ctx.image[place + b] = UInt8(v & 0x7f) | (b < length - 1 ? 0x80 : 0)
            v >>= 7
        }
    }
}
