import CrossRunDriver
@testable import CrossRunEmulator
import CrossRunLibc
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Register-only library calls (``RegisterFunction``: `<ctype.h>`), which the trampolines'
/// block hook runs straight on the engine's register file: which imports get them (only the C
/// library's own functions, never a traced, fuzzing or process-specific replacement), that
/// they compute what the frame path (trapping stubs) computes on every target, including
/// values outside unsigned char and garbage in the argument register's upper half, and that a
/// `--timeout` still ends a loop that makes no other call. (Against a native build, and a
/// signal arriving during such a loop: `fixtures/ctype_register_calls`.)
final class RegisterLibraryCallTests: XCTestCase {
    static let program = #"""
        #include <ctype.h>
        #include <stdio.h>
        #include <string.h>

        char out[2048];
        typedef int (*ctype_fn)(int);
        /* Called with a long: the upper half of the argument register is not the int's. */
        typedef int (*wide_fn)(long);

        int main(void) {
            ctype_fn fns[] = {isalnum, isalpha, isdigit, isspace, isupper, islower, isxdigit, isprint,
                              toupper, tolower, toascii, isascii};
            size_t used = 0;
            for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
                ctype_fn volatile fn = fns[f];
                wide_fn volatile wide = (wide_fn)fns[f];
                long sum = 0;
                for (int c = -130; c <= 260; c++) sum = sum * 31 + fn(c);
                for (long c = -1; c <= 255; c++) sum = sum * 31 + wide(c | 0x5a5a000000000000L);
                used += snprintf(out + used, sizeof out - used, "%zu:%ld\n", f, sum);
            }
            return strlen(out) > 0 ? 0 : 1;
        }
        """#

    /// The C library's ctype functions get a register form; a function some other layer
    /// serves (`--trace=libc`, fuzzing's extra functions) or with no register form does not.
    func testRegisterFormsOnlyForTheLibrarysOwnFunctions() throws {
        let image = try TestSupport.link([TestSupport.compile(Self.program, target: .aarch64)])
        func registerForm(_ name: String, _ configure: (inout GuestProcess.Options) -> Void) throws -> Bool {
            var options = GuestProcess.Options(arguments: ["t"], environment: [:], programName: "t")
            configure(&options)
            let guest = try GuestProcess(image: image, options: options)
            guard let index = guest.trapTable.names.firstIndex(of: name) else { throw XCTSkip("\(name) not imported") }
            return guest.registerBodies?[index] != nil
        }
        XCTAssertTrue(try registerForm("toupper") { _ in })
        XCTAssertTrue(try registerForm("isalnum") { _ in })
        XCTAssertFalse(try registerForm("snprintf") { _ in })
        XCTAssertFalse(try registerForm("toupper") { $0.extraFunctions["toupper"] = { _, f in f.returnInt(0) } })
        XCTAssertTrue(try registerForm("isalpha") { $0.extraFunctions["toupper"] = { _, f in f.returnInt(0) } })
        guard let sink = fopen("/dev/null", "w") else { return XCTFail("no /dev/null") }
        defer { fclose(sink) }
        XCTAssertFalse(try registerForm("toupper") { $0.libcTrace = LibcTraceOptions(output: sink) })
        XCTAssertTrue(try registerForm("toupper") {
            var trace = LibcTraceOptions(output: sink)
            trace.only = ["snprintf"]
            $0.libcTrace = trace
        })
    }

    /// The block hook's register-only calls give what the frame path gives (trapping stubs),
    /// byte for byte, on every target.
    func testRegisterCallsMatchTheFramePathOnEveryTarget() throws {
        for target in Target.allCases {
            let image = try TestSupport.link([TestSupport.compile(Self.program, target: target, flags: ["-O1"])])
            guard let buffer = image.symbol(named: "out") else { return XCTFail("\(target): no symbol out") }
            var texts: [String] = []
            for trapping in [false, true] {
                var options = GuestProcess.Options(arguments: ["t"], environment: [:], programName: "t")
                options.trappingLibraryCalls = trapping
                let guest = try GuestProcess(image: image, options: options)
                if !trapping, guest.callRegisters == nil { throw XCTSkip("the engine's register file was not found") }
                let outcome = guest.run()
                XCTAssertEqual(outcome.status, 0, "\(target) trapping \(trapping): \(outcome.report?.text ?? "")")
                let bytes = guest.guestBytes(guest.imageBase + UInt64(buffer.offset), 2048) ?? []
                texts.append(String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self))
            }
            XCTAssertEqual(texts[0].split(separator: "\n").count, 12, "\(target): \(texts[0])")
            XCTAssertEqual(texts[0], texts[1], "\(target): block hook against trapping stubs")
        }
    }

    /// A loop of register-only calls and nothing else still times out.
    func testTimeoutEndsALoopOfRegisterCalls() throws {
        let source = """
            #include <ctype.h>
            int (*volatile fn)(int) = isdigit;
            int main(void) { long n = 0; for (;;) n += fn('0' + (int)(n & 15)); }
            """
        for target in Target.allCases {
            let image = try TestSupport.link([TestSupport.compile(source, target: target)])
            var options = GuestProcess.Options(arguments: ["t"], environment: [:], programName: "t")
            options.timeout = 1
            let outcome = try GuestProcess(image: image, options: options).run()
            XCTAssertTrue(outcome.timedOut, "\(target): status \(outcome.status)")
            XCTAssertEqual(outcome.status, 124, "\(target)")
        }
    }
}
