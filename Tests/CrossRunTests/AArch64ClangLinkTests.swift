import CrossRunDriver
import CrossRunELF
import CrossRunLink
import XCTest

extension AArch64RelocationTests {
    /// C exercising what clang emits for aarch64 with -fPIC: GOT loads of globals (common,
    /// defined, extern library data), static data through ADRP + LDSTn lo12 (8/16/32/64/128-bit),
    /// TLS descriptors, function pointer tables, switch tables, calls to imports.
    static let cSource = """
        #include <stdio.h>
        #include <string.h>
        int counter;                         /* common (-fcommon) */
        static int table[64];
        static long hits;
        static short sh;
        static unsigned char ch;
        static long double ldv = 1.5L;       /* ldr q0: LDST128 */
        _Thread_local int tlv = 3;
        static _Thread_local long tarr[4];
        long big[4] = {1, 2, 3, 4};
        static int add(int a, int b) { return a + b; }
        static int sub(int a, int b) { return a - b; }
        int (*ops[2])(int, int) = {add, sub};
        const char *msg = "hello";
        int sw(int x) { switch (x) { case 0: return 10; case 1: return 22; case 2: return 35; case 3: return 41;
                                     case 4: return 57; case 5: return 66; case 6: return 71; default: return -1; } }
        int sw2(int x, int y) { switch (x) { case 0: y += 3; break; case 1: y *= 7; break; case 2: y -= 11; break;
                                             case 3: y ^= 5; break; case 4: y <<= 2; break; case 5: y = -y; break;
                                             default: y = 0; } return y; }
        int bump(int i) { tarr[i & 3] += i; tlv += 1; return tlv + (int)tarr[i & 3]; }
        int apply(int which, int a, int b) { return ops[which & 1](a, b); }
        int store(int i, int v) { table[i & 63] = v; counter += v; hits++; sh += 2; ch += 3;
                                  return table[i & 63] + counter + (int)hits + sh + ch; }
        long pick(int i) { return big[i & 3]; }
        long double getld(void) { return ldv; }
        const char *getmsg(void) { return msg; }
        FILE *getout(void) { return stdout; }
        size_t len1(const char *s) { return strlen(s) + 1; }
        int main(int argc, char **argv) {
            fprintf(stdout, "%s %d %d\\n", msg, sw(argc), bump(argc));
            return apply(argc, 1, 2) + store(argc, 3) + (int)pick(argc);
        }
        """

    func testClangOutputLinksAndRunsAtO0AndO2() throws {
        for level in ["-O0", "-O2"] {
            let object = try TestSupport.compile(Self.cSource, target: .aarch64,
                                                 flags: [level, "-ffunction-sections", "-fdata-sections", "-fcommon"])
            XCTAssertEqual(object.machine, .aarch64)
            let image = try TestSupport.link([object])
            XCTAssertEqual(image.machine, .aarch64, level)
            let names = Set(image.imports.map(\.name))
            XCTAssertTrue(names.isSuperset(of: ["fprintf", "stdout", "strlen"]), "\(level): \(names)")
            XCTAssertEqual(image.imports.first { $0.name == "stdout" }?.kind, .data, level)
            let stdoutIndex = try XCTUnwrap(image.imports.firstIndex { $0.name == "stdout" })
            XCTAssertTrue(image.fixups.contains { if case .importSlot(_, stdoutIndex) = $0 { return true } else { return false } },
                          "\(level): stdout is reached through a GOT slot")
            XCTAssertNotNil(image.symbol(named: "fprintf@plt"), level)
            XCTAssertEqual(image.symbols.first { $0.name == "tlv" }?.kind, .tls, level)
            XCTAssertNotNil(image.symbol(named: "__tlsdesc_resolver"), level)
            XCTAssertNotNil(image.symbol(named: "counter"), "\(level): the common symbol is allocated")
            XCTAssertTrue(image.fixups.contains { if case .tlsBlock = $0 { return true } else { return false } }, level)

            // No aarch64 emulator yet: run the import-free functions (and a fake strlen) in Unicorn.
            let run = try AArch64ImageRunner(image)
            XCTAssertEqual(try (0...7).map { try run.call("sw", [$0]) }, [10, 22, 35, 41, 57, 66, 71, UInt64(UInt32(bitPattern: -1))], level)
            XCTAssertEqual(try (0...6).map { try run.call("sw2", [$0, 10]) },
                           [13, 70, UInt64(UInt32(bitPattern: -1)), 15, 40, UInt64(UInt32(bitPattern: -10)), 0], level)
            XCTAssertEqual(try run.call("bump", [2]), 4 + 2, "\(level): tlv 3→4, tarr[2] = 2")
            XCTAssertEqual(try run.call("bump", [2]), 5 + 4, level)
            XCTAssertEqual(try run.call("apply", [0, 5, 3]), 8, level)
            XCTAssertEqual(try run.call("apply", [1, 5, 3]), 2, level)
            XCTAssertEqual(try run.call("store", [2, 7]), 7 + 7 + 1 + 2 + 3, level)
            XCTAssertEqual(try run.call("store", [3, 1]), 1 + 8 + 2 + 4 + 6, level)
            XCTAssertEqual(try run.call("pick", [6]), 3, level)
            let msg = try run.call("getmsg") - run.base
            XCTAssertEqual(Array(image.bytes[Int(msg)..<Int(msg) + 6]), Array("hello\0".utf8), level)
            XCTAssertEqual(try run.call("getout"), try run.read64(run.fakeImport), "\(level): *(GOT slot of stdout)")
            XCTAssertEqual(try run.call("len1", [1000]), 1101, "\(level): the call to strlen goes through its stub")
        }
    }
}
