import CrossRunDriver
import CrossRunFuzz
import CrossRunSupport
import XCTest

/// Fuzzing at scale: `-merge=1`, `-jobs`/`-workers`, `-fork`, `-print_final_stats`, natively
/// and emulated.
///
/// `fuzz -merge=1` of a crafted corpus keeps exactly the inputs that add coverage (smallest first,
/// OUT's own coverage known, a crashing input skipped) on x64/native, x64/emu and rv64/emu, and a
/// second merge adds nothing; `-jobs=2 -workers=1` writes `fuzz-0.log`/`fuzz-1.log` with seeds S
/// and S+1 and the second job starts from the first one's inputs in the shared directory
/// (aarch64/emu and x64/native); `-fork=2` stops both at the first crash (77, artifact, stats);
/// `-print_final_stats=1` lines and counts.
final class FuzzCorpusTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    func write(_ path: String, _ text: String) throws {
        try FileIO.write(Array(text.utf8), to: dir + "/" + path)
    }

    /// One branch per first byte: A, B and C, anything else, and the empty input's early return.
    static let branches = """
        #include <stdint.h>
        #include <stddef.h>
        static volatile int sink;
        int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
            if (n == 0) return 0;
            switch (d[0]) {
            case 'A': sink = 1; break;
            case 'B': sink = 2; break;
            case 'C': sink = 3; break;
            case 'X': *(volatile int *)0 = 1; break;
            default: sink = 4; break;
            }
            return 0;
        }
        """

    func testMergeKeepsExactlyTheInputsThatAddCoverageSmallestFirst() throws {
        try write("branches.c", Self.branches)
        for (target, backend) in [("x64", "native"), ("rv64", "emu"), ("x64", "emu")] {
            for d in ["out", "in1", "in2"] {
                FileIO.removeTree(dir + "/" + d)
                XCTAssertEqual(mkdir(dir + "/" + d, 0o755), 0)
            }
            // OUT already covers C. "AAAA", "Bxyz" and "Cq" cover nothing "A", "B" and "C" do not
            // (and are larger); "X" crashes; "" and "zz" reach the early return and the default.
            for (file, text) in [("out/c", "C"), ("in1/empty", ""), ("in1/aaaa", "AAAA"), ("in1/a", "A"), ("in2/bxyz", "Bxyz"),
                                 ("in2/b", "B"), ("in2/zz", "zz"), ("in2/cq", "Cq"), ("in2/crash", "X")] {
                try write(file, text)
            }
            let out = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", backend, "branches.c", "-merge=1", "out", "in1", "in2"], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target)/\(backend): \(out.stderr)")
            let expected = ["c"] + ["", "A", "B", "zz"].map { SHA1.hex(Array($0.utf8)) }
            XCTAssertEqual(Set(FileIO.entries(of: dir + "/out")), Set(expected), "\(target)/\(backend): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("MERGE-OUTER: 9 files, 1 in the initial corpus"), out.stderr)
            XCTAssertTrue(out.stderr.contains("MERGE-OUTER: 4 new files with "), out.stderr)
            XCTAssertTrue(out.stderr.contains("MERGE-INNER: in2/crash SEGV: not merged"), out.stderr)
            // Merging again adds nothing.
            let again = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", backend, "branches.c", "-merge=1", "out", "in1", "in2"], cwd: dir)
            XCTAssertTrue(again.stderr.contains("MERGE-OUTER: 0 new files with 0 new features added; 0 new coverage edges"), again.stderr)
            XCTAssertEqual(FileIO.entries(of: dir + "/out").count, 5)
        }
        let alone = try TestSupport.runCrossrun(["fuzz", "--target", "rv64", "branches.c", "-merge=1", "out"], cwd: dir)
        XCTAssertEqual(alone.status, 1)
        XCTAssertTrue(alone.stderr.contains("-merge=1 needs the output corpus directory and at least one input directory"), alone.stderr)
        let missing = try TestSupport.runCrossrun(["fuzz", "--target", "rv64", "branches.c", "-merge=1", "out", "nowhere"], cwd: dir)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("nowhere: -merge=1: no such input directory"), missing.stderr)
    }

    static let nested = """
        #include <stdint.h>
        #include <stddef.h>
        static volatile int sink;
        int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
            if (n > 0 && d[0] == 'F') { if (n > 1 && d[1] == 'U') { if (n > 2 && d[2] == 'Z') sink = 3; else sink = 2; } else sink = 1; }
            return 0;
        }
        """

    /// Two jobs, one after the other (`-workers=1`): each logs to its own file with its own
    /// seed, and the second starts from what the first saved in the shared corpus directory.
    func testJobsLogSeparatelyAndShareTheCorpusDirectory() throws {
        try write("nested.c", Self.nested)
        for (target, backend) in [("aarch64", "emu"), ("x64", "native")] {
            FileIO.removeTree(dir + "/corpus")
            for k in 0..<2 { unlink(dir + "/fuzz-\(k).log") }
            let out = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", backend, "nested.c", "corpus",
                                                   "-jobs=2", "-workers=1", "-runs=2000", "-seed=5"], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target)/\(backend): \(out.stderr)")
            for k in 0..<2 { XCTAssertTrue(out.stderr.contains("Job \(k) exited with exit code 0"), out.stderr) }
            let logs = try (0..<2).map { String(decoding: try FileIO.read(dir + "/fuzz-\($0).log"), as: UTF8.self) }
            for (k, log) in logs.enumerated() {
                XCTAssertTrue(log.contains("INFO: Seed: \(5 + k)\n"), "\(target) job \(k): \(log)")
                XCTAssertTrue(log.contains("Done 2000 runs"), "\(target) job \(k): \(log)")
            }
            let saved = FileIO.entries(of: dir + "/corpus")
            XCTAssertFalse(saved.isEmpty)
            for name in saved { XCTAssertEqual(name, SHA1.hex(try FileIO.read(dir + "/corpus/" + name))) }
            XCTAssertTrue(logs[0].contains("0 seed input(s)"), logs[0])
            // Job 0 saved the empty input it starts from and each NEW one.
            let firstSaved = logs[0].split(separator: "\n").filter { $0.contains("\tNEW ") }.count + 1
            XCTAssertGreaterThan(firstSaved, 1)
            XCTAssertTrue(logs[1].contains("\(firstSaved) seed input(s)"), "job 1 starts from job 0's \(firstSaved) inputs: \(logs[1])")
        }
    }

    /// `-fork=2`: both processes fuzz at once; the first crash stops the other and is the status.
    func testForkStopsEveryProcessAtTheFirstCrash() throws {
        try write("magic.c", """
            #include <stdint.h>
            #include <stddef.h>
            int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
                if (n > 2 && d[0] == 'K' && d[1] == 'O' && d[2] == '!') *(volatile int *)0 = 1;
                return 0;
            }
            """)
        let out = try TestSupport.runCrossrun(["fuzz", "magic.c", "-fork=2", "-seed=1", "-runs=100000000", "-print_final_stats=1"], cwd: dir)
        XCTAssertEqual(out.status, 77, out.stderr)
        XCTAssertTrue(out.stderr.contains("exited with exit code 77"), out.stderr)
        XCTAssertTrue(out.stderr.contains("exited with exit code 137"), "the other process was stopped: \(out.stderr)")
        let crash = try XCTUnwrap(FileIO.entries(of: dir).first { $0.hasPrefix("crash-") && !$0.hasSuffix(".txt") })
        XCTAssertEqual(Array(try FileIO.read(dir + "/" + crash).prefix(3)), Array("KO!".utf8))
        let logs = try (0..<2).map { String(decoding: try FileIO.read(dir + "/fuzz-\($0).log"), as: UTF8.self) }.joined()
        XCTAssertTrue(logs.contains("stat::number_of_executed_units: "), "the crashing process prints its stats: \(logs.suffix(2000))")
        let bad = try TestSupport.runCrossrun(["fuzz", "magic.c", "-jobs=2", "--replay", "magic.c"], cwd: dir)
        XCTAssertEqual(bad.status, 1, bad.stderr)
    }

    func testPrintFinalStats() throws {
        try write("nested.c", Self.nested)
        for (target, backend) in [("rv64", "emu"), ("x64", "native")] {
            let out = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", backend, "nested.c", "-runs=500", "-seed=2", "-print_final_stats=1"], cwd: dir)
            XCTAssertEqual(out.status, 0, out.stderr)
            XCTAssertEqual(out.stderr.split(separator: "\n").filter { $0.hasPrefix("stat::") }.map { String($0.prefix { $0 != " " }) },
                           ["stat::number_of_executed_units:", "stat::average_exec_per_sec:", "stat::new_units_added:",
                            "stat::slowest_unit_time_sec:", "stat::peak_rss_mb:"], "\(target): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("stat::number_of_executed_units: 500\n"), out.stderr)
            let added = out.stderr.split(separator: "\n").filter { $0.contains("\tNEW ") }.count
            XCTAssertTrue(out.stderr.contains("stat::new_units_added:          \(added)\n"), "\(target): \(out.stderr)")
            let quiet = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", backend, "nested.c", "-runs=50", "-seed=2"], cwd: dir)
            XCTAssertFalse(quiet.stderr.contains("stat::"), quiet.stderr)
        }
    }
}
