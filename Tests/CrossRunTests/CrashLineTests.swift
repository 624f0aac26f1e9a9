import CrossRunDriver
import CrossRunLink
import CrossRunSupport
import XCTest

/// Crash and timeout reports name the source line (`at crash.c:5`) on every configuration when
/// the program was built with `-g`, read from the image's `.debug_line` (DWARF 4 and 5), and
/// not without it; the line-table reader survives hostile and truncated sections.
///
/// A `-g` program storing through NULL in a named function reports `(store_null+0x…) at crash.c:5`
/// on all four configurations, with DWARF 5 and 4, and no line without `-g`; a `-g` timeout in a
/// spinning function names only the loop's line; a load faulting in the middle of a
/// straight-line block names its own line and instruction, not the block's first (emulated
/// x86-64 reports the offset native x86-64 does); an emulated deadlock's frames name their calls'
/// lines on three targets; `LineTable` maps the function to lines 3–6 on every arch; every
/// truncation and 2,400 corruptions of real `.debug_line` sections never trap.
final class CrashLineTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    static let configurations: [[String]] = [
        ["--target", "x64", "--backend", "native"], ["--target", "x64", "--backend", "emu"],
        ["--target", "aarch64"], ["--target", "rv64"],
    ]

    /// The store through NULL is line 5.
    static let crash = """
        #include <stdio.h>
        int *volatile target = 0;
        void store_null(int v) {
            puts("storing"); fflush(stdout);
            *target = v;
        }
        int main(void) {
            store_null(7);
            return 0;
        }

        """

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try FileIO.write(Array(text.utf8), to: path)
        return path
    }

    /// A faulting load in the middle of one translated block: lines 4–6 run before it in the
    /// same block (no call, no branch), so a report that named the block's start would say
    /// line 4.
    static let midBlock = """
        #include <stdio.h>
        struct s { long a, b, c; };
        __attribute__((noinline)) long f(struct s *p, long k) {
            long x = k * 3;
            x += k >> 2;
            x ^= 0x55;
            return x + p->c;
        }
        int main(int argc, char **argv) {
            struct s *p = argc > 5 ? (struct s *)argv : 0;
            printf("%ld\\n", f(p, argc));
            return 0;
        }

        """

    func testFaultInTheMiddleOfABlockNamesItsOwnInstruction() throws {
        _ = try write("mid.c", Self.midBlock)
        var offsets: [String: String] = [:]
        for configuration in Self.configurations {
            let out = try TestSupport.runCrossrun(["-g", "-O1"] + configuration + ["mid.c"], cwd: dir)
            let what = "\(configuration)"
            XCTAssertEqual(out.status, 139, "\(what): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains(") at mid.c:7, fault address 0x10"), "\(what): \(out.stderr)")
            guard let r = out.stderr.range(of: #"\(f\+0x[0-9a-f]+\)"#, options: .regularExpression) else {
                XCTFail("\(what): no symbolized PC: \(out.stderr)")
                continue
            }
            XCTAssertNotEqual(String(out.stderr[r]), "(f+0x0)", what)
            offsets[configuration.joined(separator: " ")] = String(out.stderr[r])
        }
        XCTAssertEqual(offsets["--target x64 --backend native"], offsets["--target x64 --backend emu"])
    }

    func testCrashReportNamesTheSourceLineOnEveryConfiguration() throws {
        _ = try write("crash.c", Self.crash)
        for configuration in Self.configurations {
            for dwarf in [["-g"], ["-g", "-gdwarf-4"]] {
                let out = try TestSupport.runCrossrun(dwarf + configuration + ["crash.c"], cwd: dir)
                let what = "\(configuration) \(dwarf)"
                XCTAssertEqual(out.status, 139, "\(what): \(out.stderr)")
                XCTAssertEqual(out.stdout, "storing\n", what)
                XCTAssertTrue(out.stderr.contains("(store_null+0x"), "\(what): \(out.stderr)")
                XCTAssertTrue(out.stderr.contains(") at crash.c:5, fault address 0x0"), "\(what): \(out.stderr)")
            }
            let plain = try TestSupport.runCrossrun(configuration + ["crash.c"], cwd: dir)
            XCTAssertEqual(plain.status, 139, "\(configuration): \(plain.stderr)")
            XCTAssertTrue(plain.stderr.contains("(store_null+0x"), "\(configuration): \(plain.stderr)")
            XCTAssertFalse(plain.stderr.contains(" at crash.c"), "\(configuration): \(plain.stderr)")
        }
    }

    /// A timeout names the spinning function and, where the PC has a line, line 3 (clang gives
    /// some loop instructions line 0, which is no line).
    func testTimeoutReportNamesOnlyTheLoopsLine() throws {
        _ = try write("spin.c", "volatile unsigned long counter;\nvoid spin(void) {\n    for (;;) counter++;\n}\nint main(void) { spin(); return 0; }\n")
        for configuration in Self.configurations {
            let out = try TestSupport.runCrossrun(["-g", "--timeout", "1"] + configuration + ["spin.c"], cwd: dir)
            XCTAssertEqual(out.status, 124, "\(configuration): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("(spin+0x"), "\(configuration): \(out.stderr)")
            if out.stderr.contains(" at spin.c") {
                XCTAssertTrue(out.stderr.contains(") at spin.c:3"), "\(configuration): \(out.stderr)")
            }
        }
    }

    /// An emulated deadlock's frames name the lines of their calls (a return address's line is
    /// the call's, the byte before it), the blocked thread's own frame in the library none.
    func testDeadlockFramesNameTheirCallsLines() throws {
        _ = try write("dead.c", """
            #include <pthread.h>
            pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
            void wait_forever(void) {
                pthread_mutex_lock(&m);
                pthread_mutex_lock(&m);
            }
            int main(void) { wait_forever(); return 0; }

            """)
        for target in ["x64", "aarch64", "rv64"] {
            let out = try TestSupport.runCrossrun(["-g", "--target", target, "--backend", "emu", "dead.c"], cwd: dir)
            XCTAssertEqual(out.status, 125, "\(target): \(out.stderr)")
            XCTAssertTrue(out.stderr.range(of: #"\(wait_forever\+0x[0-9a-f]+\) at dead.c:5 <- 0x[0-9a-f]+ \(main\+0x[0-9a-f]+\) at dead.c:7"#,
                                           options: .regularExpression) != nil, "\(target): \(out.stderr)")
        }
    }

    func lineSection(_ target: Target, flags: [String] = ["-g"]) throws -> (LinkImage, [UInt8]) {
        let image = try TestSupport.link([try TestSupport.compile(Self.crash, target: target, name: "crash.c", flags: flags)])
        let line = try XCTUnwrap(image.debugSections.first { $0.name == ".debug_line" }, "\(target)")
        return (image, line.bytes)
    }

    /// The reader maps `store_null`'s body to lines 3–6 of crash.c on every arch, DWARF 4 and 5.
    func testLineTableMapsTheFunctionToItsLines() throws {
        for target in [Target.x64, .aarch64, .rv64] {
            for flags in [["-g"], ["-g", "-gdwarf-4"]] {
                let (image, _) = try lineSection(target, flags: flags)
                let table = LineTable(image)
                let fn = try XCTUnwrap(image.symbol(named: "store_null"))
                let start = try XCTUnwrap(table.location(ofOffset: UInt64(fn.offset)), "\(target) \(flags)")
                XCTAssertEqual(start.file, "crash.c")
                XCTAssertEqual(start.line, 3, "\(target) \(flags)")
                let lines = Set((fn.offset..<fn.offset + fn.size).compactMap { table.location(ofOffset: UInt64($0))?.line })
                XCTAssertEqual(lines, [3, 4, 5, 6], "\(target) \(flags)")
                XCTAssertNil(table.location(ofOffset: UInt64(image.size) + 100))
            }
        }
        XCTAssertEqual(LineTable(try TestSupport.link([try TestSupport.compile(Self.crash, name: "crash.c")])).rows, [])
    }

    /// Truncations and byte corruptions of real sections never trap (a trap fails the test
    /// process); whatever is read stays bounded.
    func testHostileLineSectionsNeverTrap() throws {
        var seed: UInt64 = 0x5eed_1ce
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        var read = 0
        for target in [Target.x64, .aarch64, .rv64] {
            for flags in [["-g"], ["-g", "-gdwarf-4"]] {
                let (image, bytes) = try lineSection(target, flags: flags)
                let lineStr = image.debugSections.first { $0.name == ".debug_line_str" }?.bytes ?? []
                for cut in 0..<bytes.count { read += LineTable(debugLine: Array(bytes[..<cut]), lineStr: lineStr).rows.count }
                for _ in 0..<400 {
                    var b = bytes
                    for _ in 0..<(1 + Int(next() % 4)) {
                        let i = Int(next() % UInt64(b.count))
                        b[i] = [0x00, 0xff, 0x7f, 0x80, UInt8(truncatingIfNeeded: next())][Int(next() % 5)]
                    }
                    let t = LineTable(debugLine: b, lineStr: Array(lineStr.prefix(Int(next() % UInt64(lineStr.count + 1)))))
                    XCTAssertLessThanOrEqual(t.rows.count, LineTable.rowLimit)
                    _ = t.location(ofOffset: next())
                    read += t.rows.count
                }
            }
        }
        XCTAssertGreaterThan(read, 0)
        // A unit that claims more than the section holds, and a 64-bit unit length: nothing read.
        XCTAssertEqual(LineTable(debugLine: [0xf0, 0xff, 0xff, 0xff, 5, 0]).rows, [])
        XCTAssertEqual(LineTable(debugLine: [0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 0xff, count: 8)).rows, [])
    }
}
