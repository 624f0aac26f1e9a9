import CrossRunDriver
import CrossRunSupport
import XCTest

/// `<fenv.h>` flags raised by guest arithmetic itself reach `fetestexcept` on aarch64 and
/// riscv64 (and natively). x86-64 emulation cannot report them: libunicorn 2.0.1 (QEMU 5)
/// never accumulates SSE exception flags into MXCSR — this test pins that limit down too, so
/// a libunicorn upgrade that lifts it shows up here.
final class FloatingPointEnvironmentTests: XCTestCase {
    func testArithmeticRaisesFlags() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let src = dir + "/flags.c"
        try FileIO.write(Array("""
            #include <fenv.h>
            #include <stdio.h>
            #pragma STDC FENV_ACCESS ON
            static volatile double one = 1.0, three = 3.0, zero = 0.0, huge = 1e308, tiny = 1e-308;
            static void show(const char *what) {
                printf("%s:%d%d%d%d%d\\n", what, !!fetestexcept(FE_INVALID), !!fetestexcept(FE_DIVBYZERO),
                       !!fetestexcept(FE_OVERFLOW), !!fetestexcept(FE_UNDERFLOW), !!fetestexcept(FE_INEXACT));
                feclearexcept(FE_ALL_EXCEPT);
            }
            int main(void) {
                volatile double r;
                feclearexcept(FE_ALL_EXCEPT);
                r = one / zero; show("div");
                r = zero / zero; show("nan");
                r = huge * huge; show("over");
                r = tiny * tiny; show("under");
                r = one / three; show("inexact");
                (void)r;
                return 0;
            }
            """.utf8), to: src)
        let real = "div:01000\nnan:10000\nover:00101\nunder:00011\ninexact:00001\n"
        let expected = [("native", ["--backend", "native"], real), ("aarch64", ["--target", "aarch64"], real),
                        ("rv64", ["--target", "rv64"], real),
                        ("x64 emu", ["--backend", "emu"], "div:00000\nnan:00000\nover:00000\nunder:00000\ninexact:00000\n")]
        for (label, run, want) in expected {
            let out = try TestSupport.runCrossrun(run + [src], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(label): \(out.stderr)")
            XCTAssertEqual(out.stdout, want, label)
        }
    }
}
