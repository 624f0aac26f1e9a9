import CrossRunDriver
import CrossRunFuzz
import CrossRunSupport
import XCTest

/// `crossrun fuzz`: a planted bug behind a 4-byte magic and a length check is found on every
/// emulated target, deterministically for a seed; replay and minimize reproduce it; every
/// crash kind is told apart.
final class FuzzTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    static let planted = """
        #include <stdint.h>
        #include <stdlib.h>
        #include <string.h>
        /* A 4-byte magic, a length byte, then a payload copied into an 8-byte buffer. */
        int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
            if (size < 6) return 0;
            uint32_t magic;
            memcpy(&magic, data, 4);
            if (magic != 0x4e555243u) return 0;
            uint8_t len = data[4];
            if (len < 8) return 0;
            if (data[5] != '!') return 0;
            char *buf = malloc(8);
            memcpy(buf, data + 5, size - 5 < len ? size - 5 : len);
            int r = buf[0];
            free(buf);
            return r == 0;
        }
        """

    func write(_ name: String, _ text: String) throws -> String {
        try FileIO.write(Array(text.utf8), to: dir + "/" + name)
        return dir + "/" + name
    }

    func artifacts(_ prefix: String) -> [String] {
        FileIO.entries(of: dir).filter { $0.hasPrefix(prefix) && !$0.hasSuffix(".txt") }.sorted()
    }

    func testPlantedBugIsFoundOnEveryTargetAndBackendDeterministically() throws {
        let harness = try write("planted.c", Self.planted)
        for (target, backend) in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")] {
            var found: [String] = []
            for attempt in 0..<(target == "rv64" || backend == "native" ? 2 : 1) {
                let out = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", backend, harness, "-seed=1", "-runs=200000",
                                                       "-artifact_prefix=\(dir)/\(target)-"], cwd: dir)
                XCTAssertEqual(out.status, 77, "\(target)/\(backend): \(out.stderr.suffix(2000))")
                XCTAssertTrue(out.stderr.contains("==crossrun fuzz== heap-buffer-overflow on \(target)/\(backend)"), "\(target)/\(backend): \(out.stderr.suffix(2000))")
                if backend == "emu" { XCTAssertTrue(out.stderr.contains("(LLVMFuzzerTestOneInput+0x"), "\(target): symbolized frame") }
                // The report's line names the program as every CrossRun message does (the emulator
                // returns what happened; the fuzzer renders it) and, emulated, is printed once (a
                // native child's crash reporter prints its own copy before the fuzzer's report).
                let reportLine = out.stderr.split(separator: "\n").drop { !$0.hasPrefix("==crossrun fuzz== heap-buffer-overflow") }.dropFirst().first.map(String.init) ?? ""
                XCTAssertTrue(reportLine.hasPrefix("crossrun: \(harness): ") && reportLine.contains("heap-buffer-overflow"), "\(target)/\(backend): \(reportLine)")
                if backend == "emu" {
                    XCTAssertEqual(out.stderr.components(separatedBy: reportLine).count, 2, "\(target)/\(backend): the report once")
                }
                let crash = try XCTUnwrap(artifacts("\(target)-crash-").first, target)
                let input = try FileIO.read(dir + "/" + crash)
                XCTAssertEqual(Array(input.prefix(4)), Array("CRUN".utf8), "\(target): the magic was found")
                XCTAssertEqual(crash, "\(target)-crash-" + SHA1.hex(input))
                found.append(crash + " " + (out.stderr.split(separator: "\n").last.map(String.init) ?? ""))
                if attempt == 1 { XCTAssertEqual(found[0], found[1], "same seed, same run") }
                // Keep rv64's last artifact for the replay below.
                if target != "rv64" || attempt == 0 {
                    for f in artifacts("\(target)-") { unlink(dir + "/" + f); unlink(dir + "/" + f + ".txt") }
                }
            }
        }
        // Replay reproduces the report; minimize keeps the crash in fewer bytes.
        let crash = dir + "/" + (try XCTUnwrap(artifacts("rv64-crash-").first))
        let report = String(decoding: try FileIO.read(crash + ".txt"), as: UTF8.self)
        let replay = try TestSupport.runCrossrun(["fuzz", "--target", "rv64", harness, "--replay", crash], cwd: dir)
        XCTAssertEqual(replay.status, 77)
        let firstLines = report.split(separator: "\n").prefix(3).joined(separator: "\n")
        XCTAssertTrue(replay.stderr.contains(firstLines), "replay:\n\(replay.stderr)\nreport:\n\(report)")
        let minimized = try TestSupport.runCrossrun(["fuzz", "--target", "rv64", harness, "--minimize", crash,
                                                     "-artifact_prefix=\(dir)/"], cwd: dir)
        XCTAssertEqual(minimized.status, 0, minimized.stderr)
        let small = try FileIO.read(dir + "/" + (try XCTUnwrap(artifacts("minimized-from-").first)))
        XCTAssertLessThan(small.count, try FileIO.read(crash).count)
        XCTAssertLessThanOrEqual(small.count, 16)
        let again = try TestSupport.runCrossrun(["fuzz", "--target", "rv64", harness, "--replay", dir + "/" + artifacts("minimized-from-")[0]], cwd: dir)
        XCTAssertTrue(again.stderr.contains("heap-buffer-overflow on rv64/emu"), again.stderr)
    }

    func testCrashKindsAndTimeouts() throws {
        let harness = try write("kinds.c", """
            #include <stdint.h>
            #include <stdlib.h>
            static int depth(int n) { volatile char pad[256]; pad[0] = (char)n; return n + depth(n + 1) + pad[0]; }
            int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
                if (size < 2 || data[0] != 'K') return 0;
                switch (data[1]) {
                case 'L': for (;;) {}
                case 'N': return *(volatile int *)0;
                case 'A': abort();
                case 'S': return depth(0);
                case 'U': { char *p = malloc(16); free(p); p[3] = 1; return 0; }
                case 'D': { char *p = malloc(16); free(p); free(p); return 0; }
                case 'R': return data[size];
                case 'O': { char *p = malloc(16); p[16] = 1; return 0; }
                }
                return 0;
            }
            """)
        let expectations: [(String, String, Int32)] = [("KL", "timeout", 70), ("KN", "SEGV", 77), ("KA", "abort", 77),
                                                       ("KS", "stack-overflow", 77), ("KU", "heap-use-after-free", 77),
                                                       ("KD", "double-free", 77), ("KR", "input-overflow", 77),
                                                       ("KO", "heap-buffer-overflow", 77), ("K.", "", 0)]
        var files: [String] = []
        for (input, _, _) in expectations { files.append(try write("in-" + input, input)) }
        for (target, backend) in [("aarch64", "emu"), ("x64", "emu"), ("x64", "native")] {
            for ((_, emulatedKind, status), file) in zip(expectations, files) {
                // Natively, a stack overflow and a read past the input are plain SEGVs.
                let kind = backend == "native" && (emulatedKind == "stack-overflow" || emulatedKind == "input-overflow") ? "SEGV" : emulatedKind
                let out = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", backend, harness, "--replay", file, "-timeout=1"], cwd: dir)
                XCTAssertEqual(out.status, status, "\(target)/\(backend) \(file): \(out.stderr)")
                if !kind.isEmpty {
                    XCTAssertTrue(out.stderr.contains("==crossrun fuzz== \(kind) on \(target)/\(backend)"), "\(target)/\(backend) \(file): \(out.stderr)")
                }
            }
        }
    }

    func testCorpusDirectoryCollectsNewInputsAndBadFlagsAreRefused() throws {
        let harness = try write("planted.c", Self.planted)
        let corpus = dir + "/corpus"
        let out = try TestSupport.runCrossrun(["fuzz", "--target", "aarch64", harness, corpus, "-seed=3", "-runs=300"], cwd: dir)
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stderr.contains("INITED cov: "), out.stderr)
        XCTAssertTrue(out.stderr.contains("Done 300 runs"), out.stderr)
        let saved = FileIO.entries(of: corpus)
        XCTAssertFalse(saved.isEmpty)
        for name in saved { XCTAssertEqual(name, SHA1.hex(try FileIO.read(corpus + "/" + name))) }
        let bad = try TestSupport.runCrossrun(["fuzz", "--target", "rv64", harness, "-max_len=0"], cwd: dir)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("-max_len=0: expected"), bad.stderr)
        let unknown = try TestSupport.runCrossrun(["fuzz", "--target", "rv64", harness, "-runs=x"], cwd: dir)
        XCTAssertTrue(unknown.stderr.contains("-runs=x: expected an integer"), unknown.stderr)
        let missing = try TestSupport.runCrossrun(["fuzz", "--target", "rv64", try write("m.c", "int main(void) { return 0; }\n")], cwd: dir)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("LLVMFuzzerTestOneInput"), missing.stderr)
    }

    func testBuildingBlocks() throws {
        XCTAssertEqual(SHA1.hex(Array("abc".utf8)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(SHA1.hex([]), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(SHA1.hex(Array(repeating: UInt8(ascii: "a"), count: 1000)), "291e9a6c66994949b57ba5e650361e98fc36b1ba")
        let tokens = try Mutator.parseDictionary(Array("# c\nkw1=\"GIF89a\"\n\"\\x00\\xffA\\\\\\\"\"\n\n".utf8), file: "d")
        XCTAssertEqual(tokens, [Array("GIF89a".utf8), [0, 0xff, 0x41, 0x5c, 0x22]])
        XCTAssertThrowsError(try Mutator.parseDictionary(Array("oops\n".utf8), file: "d.dict")) {
            XCTAssertEqual("\($0)", "d.dict:1: not a dictionary entry (expected name=\"value\" or \"value\")")
        }
        var m = Mutator(maxLength: 64)
        m.dictionary = tokens
        func sequence(_ seed: UInt64) -> [[UInt8]] {
            var rng = FuzzRandom(seed: seed)
            var d: [UInt8] = Array("hello fuzz".utf8)
            return (0..<200).map { _ in d = m.mutate(d, other: Array("other".utf8), comparisons: nil, random: &rng).0; return d }
        }
        XCTAssertEqual(sequence(7), sequence(7))
        XCTAssertNotEqual(sequence(7), sequence(8))
        XCTAssertTrue(sequence(9).allSatisfy { $0.count <= 64 })
        m.onlyASCII = true
        XCTAssertTrue(sequence(10).allSatisfy { $0.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (32..<127).contains($0) } })
    }
}

/// How fuzzing failures are rendered: executors return what happened, the fuzzer names the program.
final class FuzzReportTests: XCTestCase {
    func testReportLinesNameTheProgramOnce() {
        XCTAssertEqual(FuzzReport.line("input timed out after 1.0 s", program: "p.c"), "crossrun: p.c: input timed out after 1.0 s")
        XCTAssertEqual(FuzzReport.line("crossrun fuzz heap: double-free", program: "p.c"), "crossrun fuzz heap: double-free",
                       "a line that is already CrossRun's stays as it is")
        XCTAssertEqual(FuzzReport.detail("crossrun: p.c: SIGSEGV at pc 0x10", program: "p.c"), "SIGSEGV at pc 0x10")
        XCTAssertEqual(FuzzReport.detail("crossrun: other.c: SIGSEGV", program: "p.c"), "crossrun: other.c: SIGSEGV")
        let report = Fuzzer.report(kind: "SEGV", target: "rv64/emu", program: "p.c", report: "SIGSEGV at pc 0x10", frames: ["a", "a", "b"])
        XCTAssertEqual(report, "==crossrun fuzz== SEGV on rv64/emu\ncrossrun: p.c: SIGSEGV at pc 0x10\n    #0 a (2 frames)\n    #2 b\n")
    }
}
