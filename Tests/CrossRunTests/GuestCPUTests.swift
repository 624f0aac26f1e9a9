import CrossRunSupport
import CrossRunDriver
import CrossRunLibc
import XCTest

/// The emulated CPUs' descriptions (`GuestCPU`) are what the engine's CPU models answer:
/// x86-64's `/proc/cpuinfo` flags come from CPUID words that must be the ones the engine's
/// CPUID instruction returns; aarch64's and riscv64's files and auxiliary vectors agree with
/// each other. (Fixture `cpu_features` runs the instructions of every reported feature.)
final class GuestCPUTests: XCTestCase {
    func run(_ source: String, _ target: String) throws -> TestSupport.Outcome {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(source.utf8), to: dir + "/prog.c")
        return try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "prog.c"], cwd: dir)
    }

    /// The CPUID words the description is built from are the engine's, word for word.
    func testX86CPUIDWordsAreTheEnginesAndNameTheHostsCommonFeatures() throws {
        let source = """
            #include <stdio.h>
            static void cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
                __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
            }
            int main(void) {
                unsigned l1[4], e1[4], l7[4], d1[4];
                cpuid(1, 0, l1); cpuid(0x80000001, 0, e1); cpuid(7, 0, l7); cpuid(0xd, 1, d1);
                printf("1.edx %08x\\n80000001.edx %08x\\n1.ecx %08x\\n80000001.ecx %08x\\n7.ebx %08x\\nd.1.eax %08x\\n7.ecx %08x\\n",
                       l1[3], e1[3], l1[2], e1[2], l7[1], d1[0], l7[2]);
                return 0;
            }
            """
        let out = try run(source, "x64")
        XCTAssertEqual(out.status, 0, out.stderr)
        let expected = GuestCPU.x86_64CPUID.map { "\($0.word) " + String(format: "%08x", $0.value) }.joined(separator: "\n") + "\n"
        XCTAssertEqual(out.stdout, expected)
        let flags = GuestCPU.x86Flags(GuestCPU.x86_64CPUID)
        for feature in ["sse4_2", "aes", "pclmulqdq", "popcnt", "ssse3", "sse4_1", "cx16", "lahf_lm"] {
            XCTAssertTrue(flags.contains(feature), feature)
        }
        XCTAssertFalse(flags.contains("avx"), "the engine runs no AVX; CPUID must not claim it")
        XCTAssertTrue(GuestCPU.x86_64.cpuinfo.contains("\nflags\t\t: " + flags.joined(separator: " ") + "\n"))
    }

    /// `/proc/cpuinfo` in an emulated guest is the description, not the host's file, and
    /// `getauxval` agrees with it.
    func testCpuinfoAndAuxiliaryVectorAgreeOnEachEmulatedTarget() throws {
        let source = """
            #include <stdio.h>
            #include <sys/auxv.h>
            int main(void) {
                FILE *f = fopen("/proc/cpuinfo", "r");
                if (!f) return 1;
                int c;
                while ((c = getc(f)) != EOF) putchar(c);
                fclose(f);
                printf("hwcap %lx %lx\\n", getauxval(AT_HWCAP), getauxval(AT_HWCAP2));
                return 0;
            }
            """
        for (target, cpu) in [("x64", GuestCPU.x86_64), ("aarch64", GuestCPU.aarch64), ("rv64", GuestCPU.riscv64)] {
            let out = try run(source, target)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, cpu.cpuinfo + "hwcap \(String(cpu.hwcap, radix: 16)) \(String(cpu.hwcap2, radix: 16))\n", target)
        }
        let features = GuestCPU.aarch64Features
        XCTAssertTrue(GuestCPU.aarch64.cpuinfo.contains("Features\t: fp asimd aes pmull sha1 sha2 crc32 atomics "))
        XCTAssertEqual(GuestCPU.aarch64.hwcap & 0x1f9, 0x1f9, "fp, aes, pmull, sha1, sha2, crc32, atomics")
        XCTAssertEqual(features.filter { $0.hwcap2 }.map(\.name), ["dcpodp", "flagm2", "frint"])
        XCTAssertTrue(GuestCPU.riscv64.cpuinfo.contains("\nisa\t\t: rv64imafdc\n"))
    }

    /// The feature lines are the feature names separated by single spaces (built with a loop
    /// for start-up speed: the same text the generic `joined(separator:)` gave).
    func testFeatureLinesJoinTheNamesWithSpaces() {
        let arm = "\nFeatures\t: " + GuestCPU.aarch64Features.map(\.name).joined(separator: " ") + "\n"
        XCTAssertTrue(GuestCPU.aarch64.cpuinfo.contains(arm), GuestCPU.aarch64.cpuinfo)
        let x86 = "\nflags\t\t: " + GuestCPU.x86Flags(GuestCPU.x86_64CPUID).joined(separator: " ") + "\n"
        XCTAssertTrue(GuestCPU.x86_64.cpuinfo.contains(x86), GuestCPU.x86_64.cpuinfo)
        XCTAssertTrue(GuestCPU.x86_64.cpuinfo.contains(" sse4_2 "))
    }
}
