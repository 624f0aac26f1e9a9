import CrossRunDriver
import CrossRunSupport
import XCTest

/// The same programs under every code-generation variant the linker must handle, on every
/// emulated target: optimisation levels, one section per function/object (many small sections
/// and relocations between them), `-fcommon`, and on riscv64 relaxed objects (`-mrelax`:
/// `R_RISCV_RELAX`/`R_RISCV_ALIGN` everywhere, as other compilers emit by default).
final class CrossTargetBuildTests: XCTestCase {
    /// Fixtures exercising calls, varargs, TLS, setjmp, jump tables, long double and arithmetic.
    static let programs = ["abi_calls", "arith_checksums", "varargs", "thread_local", "setjmp_test", "switch_table",
                           "function_tables", "long_double", "statics", "structs"]

    static let variants: [[String]] = [
        ["-O0"], ["-O2"], ["-O1", "-ffunction-sections", "-fdata-sections", "-fcommon"],
        ["-Os", "-ffunction-sections", "-fdata-sections"],
    ]

    func run(_ target: Target, _ flags: [String]) throws {
        for name in Self.programs {
            let f = try Fixture.load(name)
            let dir = try TestSupport.scratch()
            defer { FileIO.removeTree(dir) }
            let out = try TestSupport.runCrossrun(["--target", target.rawValue] + flags + f.flags + f.sources + ["--"] + f.arguments,
                                                  stdin: f.stdin, cwd: dir)
            let what = "\(target) \(flags.joined(separator: " ")) \(name)"
            XCTAssertEqual(out.status, f.exitCode, "\(what): exit status; stderr:\n\(out.stderr)")
            XCTAssertEqual(out.stdout, String(decoding: f.expected(on: target), as: UTF8.self), "\(what): stdout")
        }
    }

    func testAArch64Variants() throws {
        for flags in Self.variants { try run(.aarch64, flags) }
    }

    func testRV64Variants() throws {
        for flags in Self.variants { try run(.rv64, flags) }
    }

    func testRV64RelaxedObjects() throws {
        try run(.rv64, ["-O2", "-mrelax"])
        try run(.rv64, ["-O0", "-mrelax", "-ffunction-sections", "-fdata-sections"])
    }

    func testX64EmulatedVariants() throws {
        try run(.x64, ["--backend", "emu", "-O2", "-ffunction-sections", "-fdata-sections", "-fcommon"])
    }
}
