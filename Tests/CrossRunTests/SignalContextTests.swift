import CUnicorn
import CrossRunDriver
@testable import CrossRunEmulator
import XCTest

/// The `ucontext_t` an emulated `SA_SIGINFO` handler gets (`SignalContextLayout` per arch)
/// matches `include/sys/ucontext.h` compiled for that target: its size, `uc_sigmask`, and the
/// PC, stack pointer and other registers at the fields a program reads (each checked by a
/// `_Static_assert` in a program clang compiles for the target; a wrong offset fails to
/// compile). (What the handler sees at run time: fixture `signal_ucontext`.)
final class SignalContextTests: XCTestCase {
    /// Asserts in C that `layout` puts each Unicorn register at the offset of its field.
    func check(_ layout: SignalContextLayout, target: Target, fields: [(String, Int32)],
               file: StaticString = #filePath, line: UInt = #line) throws {
        var source = "#define _GNU_SOURCE 1\n#include <stddef.h>\n#include <ucontext.h>\n"
        source += "_Static_assert(sizeof(ucontext_t) == \(layout.size), \"size\");\n"
        source += "_Static_assert(offsetof(ucontext_t, uc_sigmask) == \(layout.sigmaskOffset), \"uc_sigmask\");\n"
        for (field, register) in fields {
            let offsets = layout.registers.filter { $0.register == register }.map(\.offset)
            XCTAssertEqual(offsets.count, 1, "\(target): register for \(field)", file: file, line: line)
            guard let offset = offsets.first else { continue }
            source += "_Static_assert(offsetof(ucontext_t, \(field)) == \(offset), \"\(field)\");\n"
        }
        for (offset, target) in layout.pointers {
            source += "_Static_assert(offsetof(ucontext_t, uc_mcontext.fpregs) == \(offset), \"fpregs\");\n"
            source += "_Static_assert(offsetof(ucontext_t, __fpregs_mem) == \(target), \"__fpregs_mem\");\n"
        }
        for entry in layout.registers {
            XCTAssertLessThanOrEqual(Int(entry.offset) + 8, layout.size, "\(target): register past the struct", file: file, line: line)
        }
        XCTAssertNoThrow(try TestSupport.compile(source + "int anchor;\n", target: target), "\(target)", file: file, line: line)
    }

    func testX86_64LayoutMatchesTheHeader() throws {
        func r(_ id: uc_x86_reg) -> Int32 { Int32(id.rawValue) }
        try check(X86_64Guest().signalContextLayout, target: .x64, fields: [
            ("uc_mcontext.gregs[REG_RIP]", r(UC_X86_REG_RIP)), ("uc_mcontext.gregs[REG_RSP]", r(UC_X86_REG_RSP)),
            ("uc_mcontext.gregs[REG_RAX]", r(UC_X86_REG_RAX)), ("uc_mcontext.gregs[REG_RBP]", r(UC_X86_REG_RBP)),
            ("uc_mcontext.gregs[REG_RDI]", r(UC_X86_REG_RDI)), ("uc_mcontext.gregs[REG_R8]", r(UC_X86_REG_R8)),
            ("uc_mcontext.gregs[REG_R15]", r(UC_X86_REG_R15)), ("uc_mcontext.gregs[REG_EFL]", r(UC_X86_REG_EFLAGS)),
        ])
        XCTAssertEqual(X86_64Guest().signalContextLayout.registers.count, 18)
    }

    func testAArch64LayoutMatchesTheHeader() throws {
        func r(_ id: uc_arm64_reg) -> Int32 { Int32(id.rawValue) }
        try check(AArch64Guest().signalContextLayout, target: .aarch64, fields: [
            ("uc_mcontext.pc", r(UC_ARM64_REG_PC)), ("uc_mcontext.sp", r(UC_ARM64_REG_SP)),
            ("uc_mcontext.regs[0]", r(UC_ARM64_REG_X0)), ("uc_mcontext.regs[28]", r(UC_ARM64_REG_X28)),
            ("uc_mcontext.regs[29]", r(UC_ARM64_REG_X29)), ("uc_mcontext.regs[30]", r(UC_ARM64_REG_X30)),
            ("uc_mcontext.pstate", r(UC_ARM64_REG_PSTATE)),
        ])
        XCTAssertEqual(AArch64Guest().signalContextLayout.registers.count, 34)
    }

    func testRISCV64LayoutMatchesTheHeader() throws {
        func r(_ id: uc_riscv_reg) -> Int32 { Int32(id.rawValue) }
        try check(RISCV64Guest().signalContextLayout, target: .rv64, fields: [
            ("uc_mcontext.__gregs[REG_PC]", r(UC_RISCV_REG_PC)), ("uc_mcontext.__gregs[REG_SP]", r(UC_RISCV_REG_X2)),
            ("uc_mcontext.__gregs[REG_RA]", r(UC_RISCV_REG_X1)), ("uc_mcontext.__gregs[REG_A0]", r(UC_RISCV_REG_X10)),
            ("uc_mcontext.__gregs[REG_S0]", r(UC_RISCV_REG_X8)), ("uc_mcontext.__gregs[31]", r(UC_RISCV_REG_X31)),
        ])
        XCTAssertEqual(RISCV64Guest().signalContextLayout.registers.count, 32)
    }
}
