import CUnicorn
import CrossRunLink
import XCTest

/// Test-only: places a linked aarch64 image in a Unicorn engine at a fixed base, applies its
/// fixups like a loader would, and calls functions in it. No syscalls and no libc: every import
/// is bound to `fakeImport`, which returns `x0 + 100`. (The real aarch64 emulator is separate.)
final class AArch64ImageRunner {
    struct Failure: Error, CustomStringConvertible { var description: String }

    let uc: OpaquePointer
    let image: LinkImage
    let base: UInt64 = 0x40_0000
    let tlsBlock: UInt64 = 0x9000_0000
    /// TPIDR_EL0: deliberately not the TLS block, so the resolver's subtraction matters. The
    /// thread control block there holds the TLS block at `tlsOffset` (the loader's contract).
    let threadPointer: UInt64 = 0x8fff_f000
    let tlsOffset: UInt64 = 0x10
    let stackTop: UInt64 = 0x7001_0000
    /// Where called functions return to (the run stops there).
    let returnAddress: UInt64 = 0xa000_0000
    let fakeImport: UInt64 = 0xb000_0000

    init(_ image: LinkImage) throws {
        var engine: OpaquePointer?
        guard uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &engine) == UC_ERR_OK, let engine else { throw Failure(description: "uc_open") }
        uc = engine
        self.image = image
        var bytes = image.bytes + [UInt8](repeating: 0, count: max(image.size - image.bytes.count, 0))
        func put(_ v: UInt64, _ at: Int) { for i in 0..<8 { bytes[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
        func get(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) } }
        for f in image.fixups {
            switch f {
            case .rebase(let o): put(get(o) &+ base, o)
            case .importSlot(let o, _): put(fakeImport, o)
            case .importValue(let o, _, let addend): put(fakeImport &+ UInt64(bitPattern: addend), o)
            case .tlsBlock(let o): put(tlsOffset, o)
            }
        }
        try map(base, bytes)
        var block = [UInt8](repeating: 0, count: 0x1000)
        if let t = image.tls, t.initializedSize > 0 {
            block.replaceSubrange(0..<t.initializedSize, with: bytes[t.imageOffset..<t.imageOffset + t.initializedSize])
        }
        try map(tlsBlock, block)
        var tcb = [UInt8](repeating: 0, count: 0x1000)
        for i in 0..<8 { tcb[Int(tlsOffset) + i] = UInt8(truncatingIfNeeded: tlsBlock >> (8 * i)) }
        try map(threadPointer, tcb)
        try map(stackTop - 0x10000, [UInt8](repeating: 0, count: 0x10000))
        try map(returnAddress, [UInt8](repeating: 0, count: 0x1000))
        // add x0, x0, #100 ; ret
        try map(fakeImport, [0x00, 0x90, 0x01, 0x91, 0xc0, 0x03, 0x5f, 0xd6] + [UInt8](repeating: 0, count: 0x1000 - 8))
        try set(UC_ARM64_REG_TPIDR_EL0, threadPointer)
    }

    deinit { uc_close(uc) }

    private func map(_ address: UInt64, _ bytes: [UInt8]) throws {
        let size = (bytes.count + 0xfff) & ~0xfff
        guard uc_mem_map(uc, address, size, UInt32(UC_PROT_ALL.rawValue)) == UC_ERR_OK,
              uc_mem_write(uc, address, bytes, bytes.count) == UC_ERR_OK else {
            throw Failure(description: "cannot map 0x\(String(address, radix: 16))")
        }
    }

    func set(_ register: uc_arm64_reg, _ value: UInt64) throws {
        var v = value
        guard uc_reg_write(uc, Int32(register.rawValue), &v) == UC_ERR_OK else { throw Failure(description: "reg write") }
    }

    func get(_ register: uc_arm64_reg) throws -> UInt64 {
        var v: UInt64 = 0
        guard uc_reg_read(uc, Int32(register.rawValue), &v) == UC_ERR_OK else { throw Failure(description: "reg read") }
        return v
    }

    /// `x<n>` for n in 0...30.
    static func x(_ n: Int) -> uc_arm64_reg {
        switch n {
        case 29: return UC_ARM64_REG_X29
        case 30: return UC_ARM64_REG_X30
        default: return uc_arm64_reg(rawValue: UC_ARM64_REG_X0.rawValue + UInt32(n))
        }
    }

    /// Runs from image offset `offset` (with the registers as they are) until it returns, or
    /// until it reaches image offset `stop`.
    func run(at offset: Int, stop: Int? = nil) throws {
        try set(UC_ARM64_REG_SP, stackTop - 0x100)
        try set(Self.x(30), returnAddress)
        let end = stop.map { base + UInt64($0) } ?? returnAddress
        let err = uc_emu_start(uc, base + UInt64(offset), end, 0, 1_000_000)
        guard err == UC_ERR_OK else {
            throw Failure(description: "run failed: \(String(cString: uc_strerror(err))) at pc 0x\(String((try? get(UC_ARM64_REG_PC)) ?? 0, radix: 16))")
        }
        guard try get(UC_ARM64_REG_PC) == end else { throw Failure(description: "did not return") }
    }

    /// Calls function `name` with integer arguments and returns x0.
    func call(_ name: String, _ arguments: [UInt64] = []) throws -> UInt64 {
        guard let f = image.symbol(named: name) else { throw Failure(description: "no symbol \(name)") }
        for (i, a) in arguments.enumerated() { try set(Self.x(i), a) }
        try run(at: f.offset)
        return try get(Self.x(0))
    }

    /// Reads a 64-bit value from guest memory.
    func read64(_ address: UInt64) throws -> UInt64 {
        var v: UInt64 = 0
        guard uc_mem_read(uc, address, &v, 8) == UC_ERR_OK else { throw Failure(description: "read") }
        return v
    }
}
