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

import CrossRunEmulator
import Foundation

/// The engine the binary links is the one the setup pinned, and not a release whose guest
/// stores are known to be slow (doc/ARCHITECTURE.md, "Engine").
final class UnicornEngineVersionTests: XCTestCase {
    /// What `scripts/ensure-deps.sh` wrote into the unicorn.pc it installed ("" when the build
    /// uses another engine, e.g. Debian's libunicorn-dev with CROSSRUN_ENGINE=system).
    private func pinnedVersion() -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["pkg-config", "--variable=crossrun_engine_pin", "unicorn"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "" }
        p.waitUntilExit()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testLinkedEngineIsThePinnedFastRelease() throws {
        let pin = pinnedVersion()
        let linked = Emulator.engineVersionString
        guard !pin.isEmpty else {
            throw XCTSkip("the setup did not pin an engine (linked: Unicorn \(linked))")
        }
        XCTAssertEqual(linked, pin, "the binary links Unicorn \(linked) but the setup installed \(pin)")
        XCTAssertFalse(Emulator.engineIsKnownSlow,
                       "Unicorn \(linked) stores take a slow path; the setup claims the fast \(pin)")
    }

    func testKnownSlowReleasesAreRecognised() {
        XCTAssertTrue(Emulator.isKnownSlow(major: 2, minor: 0, patch: 1))
        XCTAssertTrue(Emulator.isKnownSlow(major: 2, minor: 1, patch: 2))
        XCTAssertTrue(Emulator.isKnownSlow(major: 2, minor: 1, patch: 4))
        XCTAssertFalse(Emulator.isKnownSlow(major: 2, minor: 1, patch: 0))
        XCTAssertFalse(Emulator.isKnownSlow(major: 2, minor: 1, patch: 1))
    }

    func testVersionNamesTheEngine() throws {
        let text = try TestSupport.runCrossrun(["--version"]).stdout
        XCTAssertTrue(text.contains("Unicorn \(Emulator.engineVersionString)"), text)
    }
}
