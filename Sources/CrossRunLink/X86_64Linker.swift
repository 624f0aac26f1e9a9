import CrossRunELF

/// x86-64 relocations (psABI §4.4), import stubs and the TLS resolver.
public struct X86_64Linker: ArchLinker {
    public init() {}
    public var machine: Machine { .x86_64 }
    public var stubSize: Int { 8 }
    public var stubAlignment: Int { 16 }
    public var tlsResolverSize: Int { 16 }

    enum R {
        static let none: UInt32 = 0, r64: UInt32 = 1, pc32: UInt32 = 2, got32: UInt32 = 3, plt32: UInt32 = 4
        static let gotpcrel: UInt32 = 9, r32: UInt32 = 10, r32s: UInt32 = 11, r16: UInt32 = 12, pc16: UInt32 = 13
        static let r8: UInt32 = 14, pc8: UInt32 = 15, dtpmod64: UInt32 = 16, dtpoff64: UInt32 = 17, tpoff64: UInt32 = 18
        static let tlsgd: UInt32 = 19, tlsld: UInt32 = 20, dtpoff32: UInt32 = 21, gottpoff: UInt32 = 22, tpoff32: UInt32 = 23
        static let pc64: UInt32 = 24, gotoff64: UInt32 = 25, gotpc32: UInt32 = 26, got64: UInt32 = 27, gotpcrel64: UInt32 = 28
        static let gotpc64: UInt32 = 29, size32: UInt32 = 32, size64: UInt32 = 33
        static let gotpc32TLSDesc: UInt32 = 34, tlsdescCall: UInt32 = 35, tlsdesc: UInt32 = 36
        static let gotpcrelx: UInt32 = 41, rexGotpcrelx: UInt32 = 42
    }

    static let names: [UInt32: String] = [
        0: "NONE", 1: "64", 2: "PC32", 3: "GOT32", 4: "PLT32", 5: "COPY", 6: "GLOB_DAT", 7: "JUMP_SLOT",
        8: "RELATIVE", 9: "GOTPCREL", 10: "32", 11: "32S", 12: "16", 13: "PC16", 14: "8", 15: "PC8",
        16: "DTPMOD64", 17: "DTPOFF64", 18: "TPOFF64", 19: "TLSGD", 20: "TLSLD", 21: "DTPOFF32",
        22: "GOTTPOFF", 23: "TPOFF32", 24: "PC64", 25: "GOTOFF64", 26: "GOTPC32", 27: "GOT64",
        28: "GOTPCREL64", 29: "GOTPC64", 32: "SIZE32", 33: "SIZE64", 34: "GOTPC32_TLSDESC",
        35: "TLSDESC_CALL", 36: "TLSDESC", 37: "IRELATIVE", 41: "GOTPCRELX", 42: "REX_GOTPCRELX",
    ]

    public func relocationName(_ type: UInt32) -> String {
        "R_X86_64_" + (Self.names[type] ?? "\(type)")
    }

    public func need(for type: UInt32) -> RelocationNeed {
        switch type {
        case R.gotpcrel, R.gotpcrelx, R.rexGotpcrelx, R.got64, R.gotpcrel64: return .got
        case R.plt32: return .call
        case R.pc32, R.pc64, R.pc16, R.pc8: return .pcRelative
        case R.tlsgd: return .tlsGeneralDynamic
        case R.tlsld: return .tlsLocalDynamic
        default: return .none
        }
    }

    public func writeStub(_ image: inout [UInt8], at stub: Int, slot: Int) {
        // jmp *slot(%rip) ; int3 ; int3
        let rel = Int32(truncatingIfNeeded: slot - (stub + 6))
        let bytes: [UInt8] = [0xff, 0x25] + withUnsafeBytes(of: rel.littleEndian, Array.init) + [0xcc, 0xcc]
        image.replaceSubrange(stub..<stub + 8, with: bytes)
    }

    /// The image's `__tls_get_addr(index)`: the loader stores in `tlsBlockSlot` an offset D
    /// from the thread pointer (`FS_BASE`) to the word holding the calling thread's TLS block
    /// (``LinkImage/Fixup/tlsBlock(offset:)``), so each thread finds its own block:
    ///
    ///     mov  slot(%rip), %rax    ; D
    ///     mov  %fs:(%rax), %rax    ; this thread's TLS block
    ///     add  8(%rdi), %rax       ; + index->offset
    ///     ret
    public func writeTLSResolver(_ image: inout [UInt8], at offset: Int, tlsBlockSlot: Int) {
        let rel = Int32(truncatingIfNeeded: tlsBlockSlot - (offset + 7))
        let bytes: [UInt8] = [0x48, 0x8b, 0x05] + withUnsafeBytes(of: rel.littleEndian, Array.init)
            + [0x64, 0x48, 0x8b, 0x00, 0x48, 0x03, 0x47, 0x08, 0xc3]
        image.replaceSubrange(offset..<offset + 16, with: bytes)
    }

    public func relocate(_ section: PlacedSection, _ relocations: [Relocation], _ ctx: inout RelocationContext) throws {
        for r in relocations {
            let place = section.offset + Int(r.offset)
            let P = Int64(place)
            let A = r.addend
            func pc32(_ S: Int) throws {
                try ctx.checkBounds(r, size: 4, in: section)
                let v = Int64(S) &+ A &- P
                try ctx.checkSigned(v, bits: 32, r, relocationName(r.type))
                ctx.write32(UInt32(truncatingIfNeeded: v), at: place)
            }
            switch r.type {
            case R.none:
                continue
            case R.r64:
                try ctx.checkBounds(r, size: 8, in: section)
                try ctx.writeAbsolute64(r, at: place)
            case R.pc32, R.plt32:
                if case .imported = try ctx.target(r.symbol), r.type == R.pc32, ctx.isDataImport(r.symbol) {
                    throw ctx.error(r, "R_X86_64_PC32 against library data '\(ctx.symbolName(r.symbol))' cannot reach it; compile with -fPIC")
                }
                try pc32(try ctx.pcRelativeTarget(r))
            case R.pc64:
                try ctx.checkBounds(r, size: 8, in: section)
                ctx.write64(UInt64(bitPattern: Int64(try ctx.pcRelativeTarget(r)) &+ A &- P), at: place)
            case R.pc16, R.pc8:
                let bits = r.type == R.pc16 ? 16 : 8
                try ctx.checkBounds(r, size: bits / 8, in: section)
                let v = Int64(try ctx.pcRelativeTarget(r)) &+ A &- P
                try ctx.checkSigned(v, bits: bits, r, relocationName(r.type))
                if bits == 16 { ctx.write16(UInt16(truncatingIfNeeded: v), at: place) } else { ctx.write8(UInt8(truncatingIfNeeded: v), at: place) }
            case R.gotpcrel, R.gotpcrelx, R.rexGotpcrelx:
                try pc32(try ctx.gotEntry(r))
            case R.gotpcrel64:
                try ctx.checkBounds(r, size: 8, in: section)
                ctx.write64(UInt64(bitPattern: Int64(try ctx.gotEntry(r)) &+ A &- P), at: place)
            case R.got64:
                try ctx.checkBounds(r, size: 8, in: section)
                ctx.write64(UInt64(bitPattern: Int64(try ctx.gotEntry(r) - ctx.gotBase) &+ A), at: place)
            case R.gotpc32:
                try pc32(ctx.gotBase)
            case R.gotpc64:
                try ctx.checkBounds(r, size: 8, in: section)
                ctx.write64(UInt64(bitPattern: Int64(ctx.gotBase) &+ A &- P), at: place)
            case R.gotoff64:
                try ctx.checkBounds(r, size: 8, in: section)
                guard case .image(let S) = try ctx.target(r.symbol) else {
                    throw ctx.error(r, "R_X86_64_GOTOFF64 against '\(ctx.symbolName(r.symbol))', which is not in the image")
                }
                ctx.write64(UInt64(bitPattern: Int64(S - ctx.gotBase) &+ A), at: place)
            case R.tlsgd:
                try pc32(try ctx.tlsPair(r))
            case R.tlsld:
                try pc32(try ctx.tlsLocalDynamicPair(r))
            case R.dtpoff32:
                try ctx.checkBounds(r, size: 4, in: section)
                let v = Int64(try ctx.tlsOffset(r)) &+ A
                try ctx.checkSigned(v, bits: 32, r, "R_X86_64_DTPOFF32")
                ctx.write32(UInt32(truncatingIfNeeded: v), at: place)
            case R.dtpoff64:
                try ctx.checkBounds(r, size: 8, in: section)
                ctx.write64(UInt64(bitPattern: Int64(try ctx.tlsOffset(r)) &+ A), at: place)
            case R.size32:
                try ctx.checkBounds(r, size: 4, in: section)
                ctx.write32(UInt32(truncatingIfNeeded: Int64(bitPattern: ctx.symbolSize(r.symbol)) &+ A), at: place)
            case R.size64:
                try ctx.checkBounds(r, size: 8, in: section)
                ctx.write64(UInt64(bitPattern: Int64(bitPattern: ctx.symbolSize(r.symbol)) &+ A), at: place)
            case R.r32, R.r32s, R.r16, R.r8, R.got32:
                if case .absolute(let v) = try ctx.target(r.symbol) {
                    // Absolute symbols do not move with the image: the value is fixed.
                    let bits = [R.r32: 32, R.r32s: 32, R.got32: 32, R.r16: 16, R.r8: 8][r.type] ?? 32
                    try ctx.checkBounds(r, size: bits / 8, in: section)
                    let x = Int64(bitPattern: v) &+ A
                    if bits == 32 { ctx.write32(UInt32(truncatingIfNeeded: x), at: place) }
                    else if bits == 16 { ctx.write16(UInt16(truncatingIfNeeded: x), at: place) }
                    else { ctx.write8(UInt8(truncatingIfNeeded: x), at: place) }
                    continue
                }
                throw ctx.error(r, "\(relocationName(r.type)) against '\(ctx.symbolName(r.symbol))': a 32-bit absolute address cannot hold a position-independent image placed anywhere in 64-bit memory; compile with -fPIC (CrossRun's default)")
            case R.gottpoff, R.tpoff32, R.tpoff64:
                throw ctx.error(r, "\(relocationName(r.type)) against '\(ctx.symbolName(r.symbol))': initial-exec/local-exec TLS needs the host's thread pointer; compile with -fPIC and the default TLS model")
            case R.gotpc32TLSDesc, R.tlsdescCall, R.tlsdesc:
                throw ctx.error(r, "\(relocationName(r.type)): TLS descriptors (-mtls-dialect=gnu2) are not supported on x86-64; use the default TLS dialect")
            default:
                throw ctx.error(r, "unsupported relocation \(relocationName(r.type)) against '\(ctx.symbolName(r.symbol))'")
            }
        }
    }
}
