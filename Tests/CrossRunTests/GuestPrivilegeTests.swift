import CrossRunDriver
import CrossRunSupport
import XCTest

/// Emulated CPUs run programs at user privilege, as Linux does: privileged instructions fault
/// with Linux's signal (x86-64 #GP: SIGSEGV; aarch64/riscv64 undefined: SIGILL), halting ones
/// too, while the counters Linux lets programs read work. A call to the emulator's
/// return-to-host address faults like a call to any address without code.
final class GuestPrivilegeTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    func file(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try FileIO.write(Array(text.utf8), to: path)
        return path
    }

    /// Case N of the program runs one instruction; case 9 reads the arch's time counter twice.
    static let program = """
        #include <stdio.h>
        int main(int argc, char **argv) {
            int which = argc > 1 ? argv[1][0] - '0' : 0;
            printf("before %d\\n", which);
            fflush(stdout);
        #if defined(__x86_64__)
            unsigned lo = 0, hi = 0; unsigned long v = 0; unsigned char b = 0;
            switch (which) {
            case 0: __asm__ volatile("hlt"); break;
            case 1: __asm__ volatile("cli"); break;
            case 2: __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080)); break;
            case 3: __asm__ volatile("wrmsr" :: "a"(0), "d"(0), "c"(0xc0000080)); break;
            case 4: __asm__ volatile("mov %%cr0, %0" : "=r"(v)); break;
            case 5: __asm__ volatile("outb %%al, $0x80" :: "a"(0)); break;
            case 6: __asm__ volatile("inb $0x80, %%al" : "=a"(b)); break;
            case 9: {
                unsigned long long t[2];
                for (int i = 0; i < 2; i++) { __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); t[i] = (unsigned long long)hi << 32 | lo; }
                printf("counter %s\\n", t[1] >= t[0] && t[0] != 0 ? "ok" : "bad");
                return 0;
            }
            }
        #elif defined(__aarch64__)
            unsigned long v = 0;
            switch (which) {
            case 0: __asm__ volatile("wfi"); break;
            case 1: __asm__ volatile("msr sctlr_el1, xzr"); break;
            case 2: __asm__ volatile("mrs %0, sctlr_el1" : "=r"(v)); break;
            case 3: __asm__ volatile("msr daifset, #2"); break;
            case 4: __asm__ volatile("eret"); break;
            case 9: {
                unsigned long t0, t1;
                __asm__ volatile("mrs %0, cntvct_el0" : "=r"(t0));
                __asm__ volatile("mrs %0, cntvct_el0" : "=r"(t1));
                printf("counter %s\\n", t1 >= t0 ? "ok" : "bad");
                return 0;
            }
            }
        #elif defined(__riscv)
            unsigned long v = 0;
            switch (which) {
            case 0: __asm__ volatile("wfi"); break;
            case 1: __asm__ volatile("csrw mstatus, zero"); break;
            case 2: __asm__ volatile("csrr %0, mstatus" : "=r"(v)); break;
            case 3: __asm__ volatile("mret"); break;
            case 4: __asm__ volatile("csrw sstatus, zero"); break;
            case 9: {
                unsigned long t0, t1, c, n;
                __asm__ volatile("rdtime %0" : "=r"(t0));
                __asm__ volatile("rdcycle %0" : "=r"(c));
                __asm__ volatile("rdinstret %0" : "=r"(n));
                __asm__ volatile("rdtime %0" : "=r"(t1));
                printf("counter %s\\n", t1 >= t0 && t0 != 0 ? "ok" : "bad");
                return 0;
            }
            }
        #endif
            (void)v;
            printf("survived\\n");
            return 0;
        }

        """

    func testPrivilegedAndHaltingInstructionsFaultAsOnLinux() throws {
        let p = try file("priv.c", Self.program)
        let expected: [String: (cases: [Character], status: Int32, signal: String)] = [
            "x64/native": (Array("0123456"), 139, "SIGSEGV"), "x64/emu": (Array("0123456"), 139, "SIGSEGV"),
            "aarch64/emu": (Array("01234"), 132, "SIGILL"), "rv64/emu": (Array("01234"), 132, "SIGILL"),
        ]
        for (label, run) in CLITests.runs {
            let want = try XCTUnwrap(expected[label])
            for c in want.cases {
                let out = try TestSupport.runCrossrun(run + [p, "--", String(c)], cwd: dir)
                XCTAssertEqual(out.status, want.status, "\(label) case \(c): \(out.stdout) \(out.stderr)")
                XCTAssertEqual(out.stdout, "before \(c)\n", "\(label) case \(c)")
                XCTAssertTrue(out.stderr.contains("crossrun: \(p): \(want.signal)") && out.stderr.contains("(main+0x"),
                              "\(label) case \(c): \(out.stderr)")
                XCTAssertFalse(out.stderr.contains("timed out"), "\(label) case \(c): \(out.stderr)")
            }
        }
    }

    /// x86-64 `rdtsc`, aarch64 `cntvct_el0` (EL0 access enabled, as Linux does), riscv64
    /// `rdtime`/`rdcycle`/`rdinstret` (rdtime has no timer device behind it in Unicorn).
    func testTimeCountersLinuxAllowsWork() throws {
        let p = try file("priv.c", Self.program)
        for (label, run) in CLITests.runs {
            let out = try TestSupport.runCrossrun(run + [p, "--", "9"], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(label): \(out.stderr)")
            XCTAssertEqual(out.stdout, "before 9\ncounter ok\n", "\(label): \(out.stderr)")
        }
    }

    /// Reaching 0x100000 (where host-driven calls return) by a call, from `main` or from a
    /// `qsort` comparator the host called, is a SIGSEGV at that address, not a silent exit.
    func testCallToTheReturnAddressFaults() throws {
        let p = try file("ret.c", """
            #include <stdio.h>
            #include <stdlib.h>
            typedef int (*fn)(void);
            fn volatile target = (fn)0x100000;
            static int cmp(const void *a, const void *b) { (void)a; (void)b; return target(); }
            int main(int argc, char **argv) {
                (void)argv;
                puts("calling");
                fflush(stdout);
                if (argc > 1) { int v[2] = {1, 2}; qsort(v, 2, sizeof v[0], cmp); return 7; }
                return target() + 42;
            }

            """)
        for (label, run) in CLITests.runs {
            for extra in [[], ["--", "x"]] {
                let out = try TestSupport.runCrossrun(run + [p] + extra, cwd: dir)
                XCTAssertEqual(out.status, 139, "\(label) \(extra): \(out.stderr)")
                XCTAssertEqual(out.stdout, "calling\n", label)
                XCTAssertTrue(out.stderr.contains("SIGSEGV (invalid memory access) at pc 0x100000 (outside the program image), fault address 0x100000"),
                              "\(label) \(extra): \(out.stderr)")
            }
        }
    }
}
