import CrossRunELF

/// AArch64 relocations ("ELF for the Arm 64-bit Architecture", §5.7), import stubs and the
/// TLS descriptor resolver.
///
/// Image offsets stand in for addresses: the image base is 4 KiB aligned, so `Page(x)`
/// differences and the low 12 bits of an offset are those of the final address.
public struct AArch64Linker: ArchLinker {
    public init() {}
    public var machine: Machine { .aarch64 }
    /// `adrp x16, slot; ldr x16, [x16, :lo12:slot]; br x16; nop`
    public var stubSize: Int { 16 }
    public var stubAlignment: Int { 16 }
    /// Ten instructions: see ``writeTLSResolver(_:at:tlsBlockSlot:)``.
    public var tlsResolverSize: Int { 40 }

    enum R {
        static let none: UInt32 = 0, withdrawnNone: UInt32 = 256
        static let abs64: UInt32 = 257, abs32: UInt32 = 258, abs16: UInt32 = 259
        static let prel64: UInt32 = 260, prel32: UInt32 = 261, prel16: UInt32 = 262
        static let movwAbsFirst: UInt32 = 263, movwAbsLast: UInt32 = 272
        static let ldPrelLo19: UInt32 = 273, adrPrelLo21: UInt32 = 274, adrPrelPgHi21: UInt32 = 275
        static let adrPrelPgHi21NC: UInt32 = 276, addAbsLo12NC: UInt32 = 277, ldst8: UInt32 = 278
        static let tstbr14: UInt32 = 279, condbr19: UInt32 = 280, jump26: UInt32 = 282, call26: UInt32 = 283
        static let ldst16: UInt32 = 284, ldst32: UInt32 = 285, ldst64: UInt32 = 286, ldst128: UInt32 = 299
        static let gotrel64: UInt32 = 307, gotrel32: UInt32 = 308, gotLdPrel19: UInt32 = 309
        static let ld64GotoffLo15: UInt32 = 310, adrGotPage: UInt32 = 311, ld64GotLo12NC: UInt32 = 312
        static let ld64GotpageLo15: UInt32 = 313, plt32: UInt32 = 314
        static let tlsdescAdrPage21: UInt32 = 562, tlsdescLd64Lo12: UInt32 = 563
        static let tlsdescAddLo12: UInt32 = 564, tlsdescCall: UInt32 = 569
    }

    static let names: [UInt32: String] = [
        0: "NONE", 256: "NONE", 257: "ABS64", 258: "ABS32", 259: "ABS16", 260: "PREL64", 261: "PREL32",
        262: "PREL16", 263: "MOVW_UABS_G0", 264: "MOVW_UABS_G0_NC", 265: "MOVW_UABS_G1", 266: "MOVW_UABS_G1_NC",
        267: "MOVW_UABS_G2", 268: "MOVW_UABS_G2_NC", 269: "MOVW_UABS_G3", 270: "MOVW_SABS_G0",
        271: "MOVW_SABS_G1", 272: "MOVW_SABS_G2", 273: "LD_PREL_LO19", 274: "ADR_PREL_LO21",
        275: "ADR_PREL_PG_HI21", 276: "ADR_PREL_PG_HI21_NC", 277: "ADD_ABS_LO12_NC", 278: "LDST8_ABS_LO12_NC",
        279: "TSTBR14", 280: "CONDBR19", 282: "JUMP26", 283: "CALL26", 284: "LDST16_ABS_LO12_NC",
        285: "LDST32_ABS_LO12_NC", 286: "LDST64_ABS_LO12_NC", 287: "MOVW_PREL_G0", 288: "MOVW_PREL_G0_NC",
        289: "MOVW_PREL_G1", 290: "MOVW_PREL_G1_NC", 291: "MOVW_PREL_G2", 292: "MOVW_PREL_G2_NC",
        293: "MOVW_PREL_G3", 299: "LDST128_ABS_LO12_NC", 300: "MOVW_GOTOFF_G0", 301: "MOVW_GOTOFF_G0_NC",
        302: "MOVW_GOTOFF_G1", 303: "MOVW_GOTOFF_G1_NC", 304: "MOVW_GOTOFF_G2", 305: "MOVW_GOTOFF_G2_NC",
        306: "MOVW_GOTOFF_G3", 307: "GOTREL64", 308: "GOTREL32", 309: "GOT_LD_PREL19", 310: "LD64_GOTOFF_LO15",
        311: "ADR_GOT_PAGE", 312: "LD64_GOT_LO12_NC", 313: "LD64_GOTPAGE_LO15", 314: "PLT32",
        512: "TLSGD_ADR_PREL21", 513: "TLSGD_ADR_PAGE21", 514: "TLSGD_ADD_LO12_NC", 515: "TLSGD_MOVW_G1",
        516: "TLSGD_MOVW_G0_NC", 517: "TLSLD_ADR_PREL21", 518: "TLSLD_ADR_PAGE21", 519: "TLSLD_ADD_LO12_NC",
        528: "TLSLD_ADD_DTPREL_HI12", 529: "TLSLD_ADD_DTPREL_LO12", 530: "TLSLD_ADD_DTPREL_LO12_NC",
        539: "TLSIE_MOVW_GOTTPREL_G1", 540: "TLSIE_MOVW_GOTTPREL_G0_NC", 541: "TLSIE_ADR_GOTTPREL_PAGE21",
        542: "TLSIE_LD64_GOTTPREL_LO12_NC", 543: "TLSIE_LD_GOTTPREL_PREL19", 544: "TLSLE_MOVW_TPREL_G2",
        545: "TLSLE_MOVW_TPREL_G1", 546: "TLSLE_MOVW_TPREL_G1_NC", 547: "TLSLE_MOVW_TPREL_G0",
        548: "TLSLE_MOVW_TPREL_G0_NC", 549: "TLSLE_ADD_TPREL_HI12", 550: "TLSLE_ADD_TPREL_LO12",
        551: "TLSLE_ADD_TPREL_LO12_NC", 560: "TLSDESC_LD_PREL19", 561: "TLSDESC_ADR_PREL21",
        562: "TLSDESC_ADR_PAGE21", 563: "TLSDESC_LD64_LO12", 564: "TLSDESC_ADD_LO12", 565: "TLSDESC_OFF_G1",
        566: "TLSDESC_OFF_G0_NC", 567: "TLSDESC_LDR", 568: "TLSDESC_ADD", 569: "TLSDESC_CALL",
        1024: "COPY", 1025: "GLOB_DAT", 1026: "JUMP_SLOT", 1027: "RELATIVE", 1028: "TLS_DTPMOD64",
        1029: "TLS_DTPREL64", 1030: "TLS_TPREL64", 1031: "TLSDESC", 1032: "IRELATIVE",
    ]

    public func relocationName(_ type: UInt32) -> String {
        if let n = Self.names[type] { return "R_AARCH64_" + n }
        switch type {
        case 520...527, 531...538, 572, 573: return "R_AARCH64_TLSLD_\(type)"
        case 552...559, 570, 571: return "R_AARCH64_TLSLE_\(type)"
        default: return "R_AARCH64_\(type)"
        }
    }

    public func need(for type: UInt32) -> RelocationNeed {
        switch type {
        case R.gotLdPrel19, R.ld64GotoffLo15, R.adrGotPage, R.ld64GotLo12NC, R.ld64GotpageLo15: return .got
        case R.jump26, R.call26: return .call
        case R.prel64, R.prel32, R.prel16, R.ldPrelLo19...R.ldst8, R.tstbr14, R.condbr19,
             R.ldst16, R.ldst32, R.ldst64, R.ldst128, R.plt32:
            return .pcRelative
        case R.tlsdescAdrPage21, R.tlsdescLd64Lo12, R.tlsdescAddLo12: return .tlsDescriptor
        default: return .none
        }
    }

    public func writeStub(_ image: inout [UInt8], at stub: Int, slot: Int) {
        // adrp x16, slot ; ldr x16, [x16, #:lo12:slot] ; br x16 ; nop
        // The stub area follows the text and the GOT follows it in rodata, so the page delta
        // only overflows for more than 4 GiB of code, which the image cannot hold.
        let page = Int64(Self.page(Int64(slot)) - Self.page(Int64(stub))) >> 12
        let words: [UInt32] = [
            0x9000_0010 | Self.adrImmediate(page),
            0xf940_0210 | Self.imm12(Int64(slot & 0xfff) >> 3),
            0xd61f_0200,
            0xd503_201f,
        ]
        Self.store(words, into: &image, at: stub)
    }

    /// Writes the image's TLS descriptor resolver.
    ///
    /// Contract (AArch64 TLSDESC, as generated for `-fPIC`): code does
    /// `adrp x0, desc; ldr x1, [x0, :lo12:desc]; add x0, x0, :lo12:desc; blr x1` and then adds
    /// `TPIDR_EL0` to the returned `x0`. Each descriptor is two words in the GOT:
    /// `[address of this resolver, offset of the variable in the TLS block]`. Called with
    /// `x0` = address of the descriptor, the resolver returns in `x0`
    /// `*(u64*)(TPIDR_EL0 + D) + desc[1] − TPIDR_EL0`. The loader stores in `tlsBlockSlot` an offset D from the
    /// thread pointer to the word holding the calling thread's TLS block
    /// (``LinkImage/Fixup/tlsBlock(offset:)``, as for x86-64's `__tls_get_addr`), so each
    /// thread finds its own block. Every register but `x0` is preserved — `x30` too (the
    /// caller's `blr` set it and the resolver returns with `ret`), and the flags (no
    /// `adds`/`subs`); `x1`/`x2` are saved on the stack (16 bytes, keeping `sp` aligned;
    /// AAPCS64 has no red zone).
    ///
    ///     stp  x1, x2, [sp, #-16]!
    ///     adrp x2, tlsBlockSlot
    ///     ldr  x2, [x2, :lo12:tlsBlockSlot] ; D
    ///     mrs  x1, tpidr_el0
    ///     ldr  x2, [x1, x2]                ; this thread's TLS block
    ///     ldr  x0, [x0, #8]                ; desc[1]: offset in the TLS block
    ///     add  x0, x0, x2
    ///     sub  x0, x0, x1
    ///     ldp  x1, x2, [sp], #16
    ///     ret
    public func writeTLSResolver(_ image: inout [UInt8], at offset: Int, tlsBlockSlot: Int) {
        let adrp = offset + 4
        let page = Int64(Self.page(Int64(tlsBlockSlot)) - Self.page(Int64(adrp))) >> 12
        let words: [UInt32] = [
            0xa9bf_0be1,
            0x9000_0002 | Self.adrImmediate(page),
            0xf940_0042 | Self.imm12(Int64(tlsBlockSlot & 0xfff) >> 3),
            0xd53b_d041,
            0xf862_6822,
            0xf940_0400,
            0x8b02_0000,
            0xcb01_0000,
            0xa8c1_0be1,
            0xd65f_03c0,
        ]
        Self.store(words, into: &image, at: offset)
    }

    // MARK: Instruction fields

    static func page(_ x: Int64) -> Int64 { x & ~0xfff }
    /// ADR/ADRP immediate (21 bits: immlo in 30:29, immhi in 23:5).
    static func adrImmediate(_ v: Int64) -> UInt32 {
        UInt32(truncatingIfNeeded: v & 3) << 29 | UInt32(truncatingIfNeeded: (v >> 2) & 0x7ffff) << 5
    }
    static let adrMask: UInt32 = 0x6000_0000 | 0x00ff_ffe0
    /// ADD/LDR/STR unsigned 12-bit immediate (bits 21:10).
    static func imm12(_ v: Int64) -> UInt32 { UInt32(truncatingIfNeeded: v & 0xfff) << 10 }
    static let imm12Mask: UInt32 = 0x003f_fc00

    static func store(_ words: [UInt32], into image: inout [UInt8], at offset: Int) {
        for (i, w) in words.enumerated() {
            for b in 0..<4 { image[offset + 4 * i + b] = UInt8(truncatingIfNeeded: w >> (8 * b)) }
        }
    }

    // MARK: Relocation

    public func relocate(_ section: PlacedSection, _ relocations: [Relocation], _ ctx: inout RelocationContext) throws {
        for r in relocations {
            guard r.hasAddend || r.type == R.none else {
                throw ctx.error(r, "\(relocationName(r.type)): SHT_REL relocations (implicit addends) are not supported on aarch64; use RELA")
            }
            try apply(r, section, &ctx)
        }
    }

    private func apply(_ r: Relocation, _ section: PlacedSection, _ ctx: inout RelocationContext) throws {
        let place = section.offset + Int(r.offset)
        let P = Int64(place), A = r.addend
        let name = relocationName(r.type)
        let symbol = ctx.symbolName(r.symbol)

        /// Replaces the bits of `mask` in the instruction at the place with `bits`.
        func patch(_ mask: UInt32, _ bits: UInt32) throws {
            try ctx.checkBounds(r, size: 4, in: section)
            ctx.write32(ctx.read32(at: place) & ~mask | (bits & mask), at: place)
        }
        func reach(_ v: Int64, bits: Int, _ limit: String) throws {
            let bound = Int64(1) << (bits - 1)
            guard v >= -bound, v < bound else {
                throw ctx.error(r, "\(name) against '\(symbol)' out of range: the target is \(v) bytes away, beyond \(limit)")
            }
        }
        /// A branch: through the import stub when the target is outside the image.
        func branch(bits: Int, _ limit: String, shift: Int, mask: UInt32) throws {
            let v = Int64(try ctx.pcRelativeTarget(r)) &+ A &- P
            try reach(v, bits: bits, limit)
            guard v & 3 == 0 else { throw ctx.error(r, "\(name) against '\(symbol)': target is not 4-byte aligned") }
            try patch(mask, UInt32(truncatingIfNeeded: v >> 2) << shift)
        }
        func pageDelta(_ S: Int64, check: Bool) throws -> Int64 {
            let v = (Self.page(S) &- Self.page(P)) >> 12
            if check { try reach(v << 12, bits: 33, "±4 GiB") }
            return v
        }
        func noAddend() throws {
            guard A == 0 else { throw ctx.error(r, "\(name) against '\(symbol)' with addend \(A): only a zero addend is supported") }
        }

        switch r.type {
        case R.none, R.withdrawnNone, R.tlsdescCall:
            return  // TLSDESC_CALL only marks the `blr` for linker relaxation: nothing to patch.
        case R.abs64:
            try ctx.checkBounds(r, size: 8, in: section)
            try ctx.writeAbsolute64(r, at: place)
        case R.abs32, R.abs16:
            try absoluteNarrow(r, section, &ctx, bits: r.type == R.abs32 ? 32 : 16)
        case R.prel64, R.prel32, R.prel16, R.plt32:
            let S = r.type == R.plt32 ? Int64(try ctx.pcRelativeTarget(r)) : try address(r, ctx, pcRelative: true)
            let v = S &+ A &- P
            switch r.type {
            case R.prel64:
                try ctx.checkBounds(r, size: 8, in: section)
                ctx.write64(UInt64(bitPattern: v), at: place)
            case R.prel16:
                try reach(v, bits: 16, "±32 KiB")
                try ctx.checkBounds(r, size: 2, in: section)
                ctx.write16(UInt16(truncatingIfNeeded: v), at: place)
            default:
                try reach(v, bits: 32, "±2 GiB")
                try ctx.checkBounds(r, size: 4, in: section)
                ctx.write32(UInt32(truncatingIfNeeded: v), at: place)
            }
        case R.ldPrelLo19:
            let v = try address(r, ctx, pcRelative: true) &+ A &- P
            try reach(v, bits: 21, "±1 MiB")
            guard v & 3 == 0 else { throw ctx.error(r, "\(name) against '\(symbol)': target is not 4-byte aligned") }
            try patch(0x00ff_ffe0, UInt32(truncatingIfNeeded: v >> 2) << 5)
        case R.adrPrelLo21:
            let v = try address(r, ctx, pcRelative: true) &+ A &- P
            try reach(v, bits: 21, "±1 MiB")
            try patch(Self.adrMask, Self.adrImmediate(v))
        case R.adrPrelPgHi21, R.adrPrelPgHi21NC:
            let S = try address(r, ctx, pcRelative: true) &+ A
            try patch(Self.adrMask, Self.adrImmediate(try pageDelta(S, check: r.type == R.adrPrelPgHi21)))
        case R.addAbsLo12NC:
            try patch(Self.imm12Mask, Self.imm12(try address(r, ctx, pcRelative: false) &+ A))
        case R.ldst8, R.ldst16, R.ldst32, R.ldst64, R.ldst128:
            let shift = [R.ldst8: 0, R.ldst16: 1, R.ldst32: 2, R.ldst64: 3, R.ldst128: 4][r.type] ?? 0
            let x = try address(r, ctx, pcRelative: false) &+ A
            guard x & ((1 << shift) - 1) == 0 else {
                throw ctx.error(r, "\(name) against '\(symbol)': target offset 0x\(String(x, radix: 16)) is not \(1 << shift)-byte aligned, as the \(1 << shift)-byte access requires")
            }
            try patch(Self.imm12Mask, Self.imm12((x & 0xfff) >> shift))
        case R.tstbr14:
            try branch(bits: 16, "±32 KiB", shift: 5, mask: 0x0007_ffe0)
        case R.condbr19:
            try branch(bits: 21, "±1 MiB", shift: 5, mask: 0x00ff_ffe0)
        case R.jump26, R.call26:
            try branch(bits: 28, "±128 MiB", shift: 0, mask: 0x03ff_ffff)
        case R.gotrel64, R.gotrel32:
            guard case .image(let S) = try ctx.target(r.symbol) else {
                throw ctx.error(r, "\(name) against '\(symbol)', which is not in the image")
            }
            let v = Int64(S - ctx.gotBase) &+ A
            if r.type == R.gotrel64 {
                try ctx.checkBounds(r, size: 8, in: section)
                ctx.write64(UInt64(bitPattern: v), at: place)
            } else {
                try reach(v, bits: 32, "±2 GiB")
                try ctx.checkBounds(r, size: 4, in: section)
                ctx.write32(UInt32(truncatingIfNeeded: v), at: place)
            }
        case R.gotLdPrel19:
            let v = Int64(try ctx.gotEntry(r)) &+ A &- P
            try reach(v, bits: 21, "±1 MiB")
            try patch(0x00ff_ffe0, UInt32(truncatingIfNeeded: v >> 2) << 5)
        case R.adrGotPage:
            try noAddend()
            try patch(Self.adrMask, Self.adrImmediate(try pageDelta(Int64(try ctx.gotEntry(r)), check: true)))
        case R.ld64GotLo12NC:
            try noAddend()
            try patch(Self.imm12Mask, Self.imm12((Int64(try ctx.gotEntry(r)) & 0xfff) >> 3))
        case R.ld64GotoffLo15, R.ld64GotpageLo15:
            try noAddend()
            let base = r.type == R.ld64GotoffLo15 ? Int64(ctx.gotBase) : Self.page(Int64(ctx.gotBase))
            let v = Int64(try ctx.gotEntry(r)) - base
            guard v >= 0, v < 1 << 15 else {
                throw ctx.error(r, "\(name) against '\(symbol)' out of range: the GOT entry is \(v) bytes from the GOT base (limit 32 KiB)")
            }
            try patch(Self.imm12Mask, Self.imm12(v >> 3))
        case R.tlsdescAdrPage21:
            try noAddend()
            try patch(Self.adrMask, Self.adrImmediate(try pageDelta(Int64(try ctx.tlsDescriptor(r)), check: true)))
        case R.tlsdescLd64Lo12:
            try noAddend()
            try patch(Self.imm12Mask, Self.imm12((Int64(try ctx.tlsDescriptor(r)) & 0xfff) >> 3))
        case R.tlsdescAddLo12:
            try noAddend()
            try patch(Self.imm12Mask, Self.imm12(Int64(try ctx.tlsDescriptor(r))))
        case R.movwAbsFirst...R.movwAbsLast:
            throw ctx.error(r, "\(name) against '\(symbol)': an absolute address built with movz/movk (-mcmodel=large) cannot hold a position-independent image; compile with -fPIC and the default code model")
        case 512...516:
            throw ctx.error(r, "\(name) against '\(symbol)': general-dynamic TLS (-mtls-dialect=trad) is not supported on aarch64; use the default TLS descriptors")
        case 517...538, 572, 573:
            throw ctx.error(r, "\(name) against '\(symbol)': local-dynamic TLS is not supported on aarch64; use the default TLS descriptors")
        case 539...559, 570, 571:
            throw ctx.error(r, "\(name) against '\(symbol)': initial-exec/local-exec TLS needs the host's thread pointer; compile with -fPIC and the default TLS model")
        default:
            throw ctx.error(r, "unsupported relocation \(name) against '\(symbol)'")
        }
    }

    /// `S` for relocations that form a symbol's address PC-relatively (`pcRelative`: ADRP, ADR,
    /// PREL, LDR literal) or from its low 12 bits (the `:lo12:` halves, exact for any fixed value).
    /// Functions outside the image are reached through their import stub.
    private func address(_ r: Relocation, _ ctx: RelocationContext, pcRelative: Bool) throws -> Int64 {
        let name = relocationName(r.type), symbol = ctx.symbolName(r.symbol)
        switch try ctx.target(r.symbol) {
        case .image(let o):
            return Int64(o)
        case .indirect:
            return Int64(try ctx.pcRelativeTarget(r))   // its stub, its canonical address then
        case .imported:
            if ctx.isDataImport(r.symbol) {
                throw ctx.error(r, "\(name) against library data '\(symbol)' cannot reach it; compile with -fPIC (extern data goes through the GOT)")
            }
            return Int64(try ctx.pcRelativeTarget(r))
        case .absolute(let v):
            guard !pcRelative else {
                throw ctx.error(r, "\(name) cannot refer to absolute symbol '\(symbol)' from a position-independent image; use the GOT (compile with -fPIC)")
            }
            return Int64(bitPattern: v)
        case .weakUndefined:
            guard !pcRelative else {
                throw ctx.error(r, "\(name) against undefined weak '\(symbol)': address 0 cannot be formed PC-relatively in a position-independent image; compile with -fPIC")
            }
            return 0
        case .tls:
            throw ctx.error(r, "\(name) against thread-local '\(symbol)': use a TLS access sequence (the default TLS descriptors)")
        }
    }

    /// ABS32/ABS16: only values that do not move with the image fit.
    private func absoluteNarrow(_ r: Relocation, _ section: PlacedSection, _ ctx: inout RelocationContext, bits: Int) throws {
        let place = section.offset + Int(r.offset), name = relocationName(r.type), symbol = ctx.symbolName(r.symbol)
        let value: Int64
        switch try ctx.target(r.symbol) {
        case .absolute(let v): value = Int64(bitPattern: v) &+ r.addend
        case .weakUndefined: value = r.addend
        default:
            throw ctx.error(r, "\(name) against '\(symbol)': a \(bits)-bit absolute address cannot hold a position-independent image placed anywhere in 64-bit memory; compile with -fPIC (CrossRun's default)")
        }
        // Signed or unsigned interpretation: -2^(bits-1) <= X < 2^bits.
        guard value >= -(Int64(1) << (bits - 1)), value < Int64(1) << bits else {
            throw ctx.error(r, "\(name) against '\(symbol)' out of range: \(value) does not fit in \(bits) bits")
        }
        try ctx.checkBounds(r, size: bits / 8, in: section)
        if bits == 32 { ctx.write32(UInt32(truncatingIfNeeded: value), at: place) } else { ctx.write16(UInt16(truncatingIfNeeded: value), at: place) }
    }
}
