import CrossRunELF

/// riscv64 relocations (RISC-V ELF psABI, "Relocations"), import stubs and the TLS resolver.
///
/// CrossRun never relaxes code: `R_RISCV_RELAX` is ignored, and the only size change it makes
/// is the one `R_RISCV_ALIGN` demands (see ``preprocess(_:)``).
public struct RISCV64Linker: ArchLinker {
    public init() {}
    public var machine: Machine { .riscv64 }
    /// `auipc t3, hi; ld t3, lo(t3); jalr t1, t3; nop`
    public var stubSize: Int { 16 }
    public var stubAlignment: Int { 16 }
    /// `ld t1, 8(a0); auipc t0, hi; ld t0, lo(t0); add a0, t0, t1; ret`
    public var tlsResolverSize: Int { 28 }

    enum R {
        static let none: UInt32 = 0, r32: UInt32 = 1, r64: UInt32 = 2
        static let dtpmod32: UInt32 = 6, dtpmod64: UInt32 = 7, dtprel32: UInt32 = 8, dtprel64: UInt32 = 9
        static let tprel32: UInt32 = 10, tprel64: UInt32 = 11, tlsdesc: UInt32 = 12
        static let branch: UInt32 = 16, jal: UInt32 = 17, call: UInt32 = 18, callPLT: UInt32 = 19
        static let gotHi20: UInt32 = 20, tlsGotHi20: UInt32 = 21, tlsGdHi20: UInt32 = 22
        static let pcrelHi20: UInt32 = 23, pcrelLo12I: UInt32 = 24, pcrelLo12S: UInt32 = 25
        static let hi20: UInt32 = 26, lo12I: UInt32 = 27, lo12S: UInt32 = 28
        static let tprelHi20: UInt32 = 29, tprelLo12I: UInt32 = 30, tprelLo12S: UInt32 = 31, tprelAdd: UInt32 = 32
        static let add8: UInt32 = 33, add16: UInt32 = 34, add32: UInt32 = 35, add64: UInt32 = 36
        static let sub8: UInt32 = 37, sub16: UInt32 = 38, sub32: UInt32 = 39, sub64: UInt32 = 40
        static let got32PCRel: UInt32 = 41, align: UInt32 = 43, rvcBranch: UInt32 = 44, rvcJump: UInt32 = 45
        static let relax: UInt32 = 51, sub6: UInt32 = 52, set6: UInt32 = 53
        static let set8: UInt32 = 54, set16: UInt32 = 55, set32: UInt32 = 56, pcrel32: UInt32 = 57
        static let plt32: UInt32 = 59, setULEB128: UInt32 = 60, subULEB128: UInt32 = 61
        static let tlsdescHi20: UInt32 = 62, tlsdescLoadLo12: UInt32 = 63, tlsdescAddLo12: UInt32 = 64, tlsdescCall: UInt32 = 65
    }

    static let names: [UInt32: String] = [
        0: "NONE", 1: "32", 2: "64", 3: "RELATIVE", 4: "COPY", 5: "JUMP_SLOT", 6: "TLS_DTPMOD32",
        7: "TLS_DTPMOD64", 8: "TLS_DTPREL32", 9: "TLS_DTPREL64", 10: "TLS_TPREL32", 11: "TLS_TPREL64",
        12: "TLSDESC", 16: "BRANCH", 17: "JAL", 18: "CALL", 19: "CALL_PLT", 20: "GOT_HI20",
        21: "TLS_GOT_HI20", 22: "TLS_GD_HI20", 23: "PCREL_HI20", 24: "PCREL_LO12_I", 25: "PCREL_LO12_S",
        26: "HI20", 27: "LO12_I", 28: "LO12_S", 29: "TPREL_HI20", 30: "TPREL_LO12_I", 31: "TPREL_LO12_S",
        32: "TPREL_ADD", 33: "ADD8", 34: "ADD16", 35: "ADD32", 36: "ADD64", 37: "SUB8", 38: "SUB16",
        39: "SUB32", 40: "SUB64", 41: "GOT32_PCREL", 43: "ALIGN", 44: "RVC_BRANCH", 45: "RVC_JUMP",
        46: "RVC_LUI", 51: "RELAX", 52: "SUB6", 53: "SET6", 54: "SET8", 55: "SET16", 56: "SET32",
        57: "32_PCREL", 58: "IRELATIVE", 59: "PLT32", 60: "SET_ULEB128", 61: "SUB_ULEB128",
        62: "TLSDESC_HI20", 63: "TLSDESC_LOAD_LO12", 64: "TLSDESC_ADD_LO12", 65: "TLSDESC_CALL",
    ]

    public func relocationName(_ type: UInt32) -> String {
        "R_RISCV_" + (Self.names[type] ?? "\(type)")
    }

    public func need(for type: UInt32) -> RelocationNeed {
        switch type {
        case R.gotHi20, R.got32PCRel: return .got
        case R.call, R.callPLT, R.jal: return .call
        case R.pcrelHi20, R.branch, R.rvcBranch, R.rvcJump, R.pcrel32, R.plt32:
            return .pcRelative
        case R.tlsGdHi20: return .tlsGeneralDynamic
        case R.tlsdescHi20: return .tlsDescriptor
        default: return .none
        }
    }

    /// Deletes the excess alignment padding of sections carrying `R_RISCV_ALIGN`.
    public func preprocess(_ object: ObjectFile) throws -> ObjectFile {
        try RISCVAlignPass.run(object)
    }

    public func writeStub(_ image: inout [UInt8], at stub: Int, slot: Int) {
        let delta = Int64(slot - stub)
        // Offsets inside one image always fit an auipc pair.
        let hi = RISCVEncoding.hi20(delta) ?? 0, lo = RISCVEncoding.lo12(delta)
        typealias E = RISCVEncoding
        write([E.auipc(E.t3, hi), E.ld(E.t3, E.t3, lo), E.jalr(E.t1, E.t3), E.nop], to: &image, at: stub)
    }

    /// The image's `__tls_get_addr(index)`: the loader stores in `tlsBlockSlot` an offset D
    /// from the thread pointer `tp` to the word holding the calling thread's TLS block
    /// (``LinkImage/Fixup/tlsBlock(offset:)``), so each thread finds its own block:
    ///
    ///     auipc t0, %pcrel_hi(slot)
    ///     ld    t0, %pcrel_lo(slot)(t0)   ; D
    ///     add   t0, t0, tp
    ///     ld    t0, 0(t0)                 ; this thread's TLS block
    ///     ld    t1, 8(a0)                 ; index->offset
    ///     add   a0, t0, t1
    ///     ret
    public func writeTLSResolver(_ image: inout [UInt8], at offset: Int, tlsBlockSlot: Int) {
        let delta = Int64(tlsBlockSlot - offset)
        let hi = RISCVEncoding.hi20(delta) ?? 0, lo = RISCVEncoding.lo12(delta)
        typealias E = RISCVEncoding
        write([E.auipc(E.t0, hi), E.ld(E.t0, E.t0, lo), E.add(E.t0, E.t0, E.tp), E.ld(E.t0, E.t0, 0),
               E.ld(E.t1, E.a0, 8), E.add(E.a0, E.t0, E.t1), E.ret],
              to: &image, at: offset)
    }

    private func write(_ words: [UInt32], to image: inout [UInt8], at offset: Int) {
        for (n, w) in words.enumerated() {
            for b in 0..<4 { image[offset + 4 * n + b] = UInt8(truncatingIfNeeded: w >> (8 * b)) }
        }
    }

    public func relocate(_ section: PlacedSection, _ relocations: [Relocation], _ ctx: inout RelocationContext) throws {
        var relocator = RISCVSectionRelocator(arch: self, section: section, relocations: relocations)
        try relocator.run(&ctx)
    }
}
