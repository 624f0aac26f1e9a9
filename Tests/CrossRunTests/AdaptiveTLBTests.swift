import CrossRunDriver
@testable import CrossRunEmulator
import XCTest

/// The emulator's adaptive TLB (`crossrun_uc_adaptive_tlb`, doc/ARCHITECTURE.md "Speed"): a
/// program whose working set is larger than the engine's first 256-entry TLB makes it grow,
/// through flushes taken inside a TLB fill, and everything it stores reads back intact; one
/// that fits is never flushed; memory permissions still hold after the switch to the engine's
/// virtual TLB mode.
final class AdaptiveTLBTests: XCTestCase {
    /// Strided stores over 32 MiB (8192 pages), then reads back in the other direction; exit
    /// status 0 only if every byte is what was stored. `argc > 1`: then writes a string literal.
    static let program = """
        #include <stdlib.h>
        #include <string.h>
        int main(int argc, char **argv) {
            unsigned long size = 32ul << 20, stride = 4096 + 24;
            unsigned char *p = malloc(size);
            if (!p) return 2;
            for (int pass = 0; pass < 6; pass++) {
                unsigned long k = 0;
                for (unsigned long i = pass; i < size; i += stride, k++) p[i] = (unsigned char)(k * 13 + pass);
                while (k-- > 0) {
                    unsigned long i = pass + k * stride;
                    if (p[i] != (unsigned char)(k * 13 + pass)) return 1;
                }
            }
            if (argc > 1) { volatile char *text = (volatile char *)"read-only"; text[0] = 'R'; }
            return 0;
        }
        """

    /// A working set of 16 pages, walked many times.
    static let small = """
        int main(void) {
            static unsigned char cells[16 * 4096];
            unsigned sum = 0;
            for (int round = 0; round < 200; round++)
                for (unsigned i = 0; i < sizeof cells; i += 512) { cells[i] += (unsigned char)round; sum += cells[i]; }
            return sum == 0xdeadbeef;
        }
        """

    private func process(_ source: String, _ target: Target, arguments: [String] = ["t"]) throws -> GuestProcess {
        let image = try TestSupport.link([TestSupport.compile(source, target: target, flags: ["-O1"])])
        return try GuestProcess(image: image, options: .init(arguments: arguments, environment: [:], programName: "t"))
    }

    func testLargeWorkingSetGrowsTheTLBAndKeepsEveryStore() throws {
        for target in Target.allCases {
            let guest = try process(Self.program, target)
            let outcome = guest.run()
            XCTAssertEqual(outcome.status, 0, "\(target): \(outcome.report?.text ?? "")")
            let policy = guest.tlbPolicy.pointee
            XCTAssertGreaterThan(policy.flushes, 2, "\(target): the TLB was not grown")
            XCTAssertGreaterThanOrEqual(policy.estimate, 2048, "\(target)")
            XCTAssertLessThanOrEqual(policy.estimate, policy.cap, "\(target)")
        }
    }

    func testSmallWorkingSetIsNeverFlushed() throws {
        for target in Target.allCases {
            let guest = try process(Self.small, target)
            let outcome = guest.run()
            XCTAssertEqual(outcome.status, 0, "\(target): \(outcome.report?.text ?? "")")
            XCTAssertEqual(guest.tlbPolicy.pointee.flushes, 0, "\(target)")
        }
    }

    func testReadOnlyMemoryStillFaultsAfterGrowth() throws {
        for target in Target.allCases {
            let guest = try process(Self.program, target, arguments: ["t", "write"])
            let outcome = guest.run()
            XCTAssertEqual(outcome.signal, SIGSEGV, "\(target): \(outcome)")
            XCTAssertGreaterThan(guest.tlbPolicy.pointee.flushes, 2, "\(target)")
        }
    }
}
