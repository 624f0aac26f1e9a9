import CUnicorn
import XCTest

/// The emulator dependency: libunicorn opens an engine for each guest architecture and runs code.
final class UnicornEngineTests: XCTestCase {
    struct Case {
        var name: String
        var arch: uc_arch
        var mode: uc_mode
        var code: [UInt8]        // sets the result register to 42
        var resultRegister: Int32
    }

    static let cases: [Case] = [
        Case(name: "x86-64", arch: UC_ARCH_X86, mode: UC_MODE_64,
             code: [0x48, 0xc7, 0xc0, 0x2a, 0x00, 0x00, 0x00],            // mov rax, 42
             resultRegister: Int32(UC_X86_REG_RAX.rawValue)),
        Case(name: "aarch64", arch: UC_ARCH_ARM64, mode: UC_MODE_ARM,
             code: [0x40, 0x05, 0x80, 0xd2],                              // mov x0, #42
             resultRegister: Int32(UC_ARM64_REG_X0.rawValue)),
        Case(name: "riscv64", arch: UC_ARCH_RISCV, mode: UC_MODE_RISCV64,
             code: [0x13, 0x05, 0xa0, 0x02],                              // li a0, 42
             resultRegister: Int32(UC_RISCV_REG_A0.rawValue)),
    ]

    func testOpensAnEngineAndRunsAnInstructionPerArch() throws {
        for c in Self.cases {
            var uc: OpaquePointer?
            XCTAssertEqual(uc_open(c.arch, c.mode, &uc), UC_ERR_OK, c.name)
            let engine = try XCTUnwrap(uc, c.name)
            defer { uc_close(engine) }
            let base: UInt64 = 0x10000
            XCTAssertEqual(uc_mem_map(engine, base, 0x1000, UInt32(UC_PROT_ALL.rawValue)), UC_ERR_OK, c.name)
            XCTAssertEqual(uc_mem_write(engine, base, c.code, c.code.count), UC_ERR_OK, c.name)
            XCTAssertEqual(uc_emu_start(engine, base, base + UInt64(c.code.count), 0, 0), UC_ERR_OK, c.name)
            var value: UInt64 = 0
            XCTAssertEqual(uc_reg_read(engine, c.resultRegister, &value), UC_ERR_OK, c.name)
            XCTAssertEqual(value, 42, c.name)
        }
    }
}
