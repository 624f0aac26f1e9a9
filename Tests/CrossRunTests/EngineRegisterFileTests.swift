import CUnicorn
import XCTest

/// The library-call path reads arguments from and writes results to the engine's integer
/// register file directly (`crossrun_uc_integer_registers`, doc/ARCHITECTURE.md "Library
/// calls"): on the pinned engine it is found for every guest architecture, and it is the
/// registers themselves — what guest code writes is read there, and what is stored there is
/// what the engine's API and the guest code read. On any other engine it is not used.
final class EngineRegisterFileTests: XCTestCase {
    struct Case {
        var name: String
        var arch: uc_arch
        var mode: uc_mode
        /// Copies the first argument register into the result register (the result is then
        /// set by guest code), then sets the second argument register to 7.
        var code: [UInt8]
        /// Slots in the register file: the first argument, the second, the result.
        var argument: Int, second: Int, result: Int
        /// Unicorn ids of the same registers.
        var argumentRegister: Int32, secondRegister: Int32, resultRegister: Int32
    }

    static let cases: [Case] = [
        // mov rax, rdi; mov esi, 7
        Case(name: "x86-64", arch: UC_ARCH_X86, mode: UC_MODE_64, code: [0x48, 0x89, 0xf8, 0xbe, 0x07, 0x00, 0x00, 0x00],
             argument: 7, second: 6, result: 0,
             argumentRegister: Int32(UC_X86_REG_RDI.rawValue), secondRegister: Int32(UC_X86_REG_RSI.rawValue),
             resultRegister: Int32(UC_X86_REG_RAX.rawValue)),
        // add x0, x0, #1; mov x1, #7
        Case(name: "aarch64", arch: UC_ARCH_ARM64, mode: UC_MODE_ARM, code: [0x00, 0x04, 0x00, 0x91, 0xe1, 0x00, 0x80, 0xd2],
             argument: 0, second: 1, result: 0,
             argumentRegister: Int32(UC_ARM64_REG_X0.rawValue), secondRegister: Int32(UC_ARM64_REG_X1.rawValue),
             resultRegister: Int32(UC_ARM64_REG_X0.rawValue)),
        // addi a0, a0, 1; li a1, 7
        Case(name: "riscv64", arch: UC_ARCH_RISCV, mode: UC_MODE_RISCV64, code: [0x13, 0x05, 0x15, 0x00, 0x93, 0x05, 0x70, 0x00],
             argument: 10, second: 11, result: 10,
             argumentRegister: Int32(UC_RISCV_REG_A0.rawValue), secondRegister: Int32(UC_RISCV_REG_A1.rawValue),
             resultRegister: Int32(UC_RISCV_REG_A0.rawValue)),
    ]

    /// Whether the linked engine is the release whose internals the lookup knows (2.1.1).
    private var enginePinned: Bool {
        var major: UInt32 = 0, minor: UInt32 = 0
        let version = uc_version(&major, &minor)
        return major == 2 && minor == 1 && (version >> 8) & 0xff == 1
    }

    func testRegisterFileIsTheGuestsRegisters() throws {
        for c in Self.cases {
            var uc: OpaquePointer?
            XCTAssertEqual(uc_open(c.arch, c.mode, &uc), UC_ERR_OK, c.name)
            let engine = try XCTUnwrap(uc, c.name)
            defer { uc_close(engine) }
            // Values set before the lookup survive it (it restores what it marks).
            var before: UInt64 = 0x1234_5678_9abc_def0
            XCTAssertEqual(uc_reg_write(engine, c.secondRegister, &before), UC_ERR_OK, c.name)
            let found = crossrun_uc_integer_registers(engine, Int32(bitPattern: c.arch.rawValue))
            var after: UInt64 = 0
            XCTAssertEqual(uc_reg_read(engine, c.secondRegister, &after), UC_ERR_OK, c.name)
            XCTAssertEqual(after, before, c.name)
            guard enginePinned else {
                XCTAssertNil(found, "\(c.name): only the pinned engine's layout is known")
                continue
            }
            let file = try XCTUnwrap(found, "\(c.name): the register file of the pinned engine")
            XCTAssertEqual(file[c.second], before, c.name)
            // Stored in the file, run by the guest, read back from the file and through the API.
            file[c.argument] = 41
            var argument: UInt64 = 0
            XCTAssertEqual(uc_reg_read(engine, c.argumentRegister, &argument), UC_ERR_OK, c.name)
            XCTAssertEqual(argument, 41, c.name)
            let base: UInt64 = 0x10000
            XCTAssertEqual(uc_mem_map(engine, base, 0x1000, UInt32(UC_PROT_ALL.rawValue)), UC_ERR_OK, c.name)
            XCTAssertEqual(uc_mem_write(engine, base, c.code, c.code.count), UC_ERR_OK, c.name)
            XCTAssertEqual(uc_emu_start(engine, base, base + UInt64(c.code.count), 0, 0), UC_ERR_OK, c.name)
            let expected: UInt64 = c.arch == UC_ARCH_X86 ? 41 : 42
            XCTAssertEqual(file[c.result], expected, c.name)
            XCTAssertEqual(file[c.second], 7, c.name)
            var value: UInt64 = 0
            XCTAssertEqual(uc_reg_read(engine, c.resultRegister, &value), UC_ERR_OK, c.name)
            XCTAssertEqual(value, expected, c.name)
        }
    }

    func testUnknownArchitectureHasNoRegisterFile() throws {
        var uc: OpaquePointer?
        XCTAssertEqual(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK)
        let engine = try XCTUnwrap(uc)
        defer { uc_close(engine) }
        XCTAssertNil(crossrun_uc_integer_registers(engine, Int32(bitPattern: UC_ARCH_MIPS.rawValue)))
        XCTAssertNil(crossrun_uc_integer_registers(nil, Int32(bitPattern: UC_ARCH_ARM64.rawValue)))
    }
}
