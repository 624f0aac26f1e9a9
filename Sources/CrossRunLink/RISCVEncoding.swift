/// Immediate fields of RISC-V instruction formats (unprivileged ISA §2.3, RVC §16.2):
/// each function returns `insn` with its immediate replaced by the low bits of `imm`.
enum RISCVEncoding {
    /// U-type (`lui`, `auipc`): imm[31:12] in bits 31:12; `imm` is the 20-bit field value.
    static func u(_ insn: UInt32, _ imm: Int64) -> UInt32 {
        (insn & 0xfff) | (UInt32(truncatingIfNeeded: imm) & 0xf_ffff) << 12
    }

    /// I-type (`addi`, loads, `jalr`): imm[11:0] in bits 31:20.
    static func i(_ insn: UInt32, _ imm: Int64) -> UInt32 {
        (insn & 0x000f_ffff) | (UInt32(truncatingIfNeeded: imm) & 0xfff) << 20
    }

    /// S-type (stores): imm[11:5] in bits 31:25, imm[4:0] in bits 11:7.
    static func s(_ insn: UInt32, _ imm: Int64) -> UInt32 {
        let v = UInt32(truncatingIfNeeded: imm)
        return (insn & 0x01ff_f07f) | (v >> 5 & 0x7f) << 25 | (v & 0x1f) << 7
    }

    /// B-type (conditional branches): imm[12|10:5] in bits 31:25, imm[4:1|11] in bits 11:7.
    static func b(_ insn: UInt32, _ imm: Int64) -> UInt32 {
        let v = UInt32(truncatingIfNeeded: imm)
        return (insn & 0x01ff_f07f) | (v >> 12 & 1) << 31 | (v >> 5 & 0x3f) << 25 | (v >> 1 & 0xf) << 8 | (v >> 11 & 1) << 7
    }

    /// J-type (`jal`): imm[20|10:1|11|19:12] in bits 31:12.
    static func j(_ insn: UInt32, _ imm: Int64) -> UInt32 {
        let v = UInt32(truncatingIfNeeded: imm)
        return (insn & 0xfff) | (v >> 20 & 1) << 31 | (v >> 1 & 0x3ff) << 21 | (v >> 11 & 1) << 20 | (v >> 12 & 0xff) << 12
    }

    /// A call pair `auipc rT, hi; jalr rD, lo(rT)` (R_RISCV_CALL/CALL_PLT) as `jal rD, offset`
    /// when the target is within `jal`'s ±1 MiB; the caller puts a `nop` in the `jalr`'s slot, so
    /// no size changes. What GNU ld's call relaxation does, without deleting bytes: the only
    /// effect lost is `rT` holding the target's upper part, which a call pair's temporary never
    /// carries past the jump. Worth it under the emulator: `jalr` is an indirect jump, looked up
    /// at run time (~10 ns a call), where `jal` chains translated blocks directly. nil when the
    /// pair is not the canonical one or the target is out of range (the pair is patched then).
    static func directCall(auipc: UInt32, jalr: UInt32, offset: Int64) -> UInt32? {
        let auipcRD = auipc >> 7 & 0x1f
        guard auipc & 0x7f == 0x17, jalr & 0x7f == 0x67, jalr >> 12 & 7 == 0, jalr >> 15 & 0x1f == auipcRD,
              offset & 1 == 0, offset >= -(1 << 20), offset < 1 << 20 else { return nil }
        let rd = jalr >> 7 & 0x1f
        return j(0x6f | rd << 7, offset)
    }

    /// CB-type (`c.beqz`, `c.bnez`): offset[8|4:3] in bits 12:10, offset[7:6|2:1|5] in bits 6:2.
    static func cb(_ insn: UInt16, _ imm: Int64) -> UInt16 {
        let v = UInt16(truncatingIfNeeded: imm)
        return (insn & 0xe383) | (v >> 8 & 1) << 12 | (v >> 3 & 3) << 10 | (v >> 6 & 3) << 5 | (v >> 1 & 3) << 3 | (v >> 5 & 1) << 2
    }

    /// CJ-type (`c.j`, `c.jal`): offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2.
    static func cj(_ insn: UInt16, _ imm: Int64) -> UInt16 {
        let v = UInt16(truncatingIfNeeded: imm)
        return (insn & 0xe003) | (v >> 11 & 1) << 12 | (v >> 4 & 1) << 11 | (v >> 8 & 3) << 9 | (v >> 10 & 1) << 8
            | (v >> 6 & 1) << 7 | (v >> 7 & 1) << 6 | (v >> 1 & 7) << 3 | (v >> 5 & 1) << 2
    }

    /// The `%pcrel_hi` part of a 32-bit offset: rounded so that adding the sign-extended low
    /// 12 bits gives `value` back. Nil when `value` is outside the ±2 GiB an `auipc` pair reaches.
    static func hi20(_ value: Int64) -> Int64? {
        let hi = (value &+ 0x800) >> 12
        return hi >= -(1 << 19) && hi < 1 << 19 ? hi : nil
    }

    /// The `%pcrel_lo` part: the low 12 bits of `value`, sign-extended.
    static func lo12(_ value: Int64) -> Int64 { ((value & 0xfff) ^ 0x800) - 0x800 }

    // Registers and whole instructions the linker writes itself.
    static let tp: UInt32 = 4, t0: UInt32 = 5, t1: UInt32 = 6, t3: UInt32 = 28, a0: UInt32 = 10
    static func auipc(_ rd: UInt32, _ hi: Int64) -> UInt32 { u(0x17 | rd << 7, hi) }
    static func ld(_ rd: UInt32, _ rs1: UInt32, _ imm: Int64) -> UInt32 { i(0x3003 | rd << 7 | rs1 << 15, imm) }
    static func jalr(_ rd: UInt32, _ rs1: UInt32) -> UInt32 { 0x67 | rd << 7 | rs1 << 15 }
    static func add(_ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 { 0x33 | rd << 7 | rs1 << 15 | rs2 << 20 }
    static let nop: UInt32 = 0x0000_0013
    static let ret: UInt32 = 0x0000_8067
}
