import CrossRunSupport
@testable import CrossRunDriver
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The compile cache's warm path: a lookup trusts a file's recorded `stat` stamp instead of
/// reading and hashing it again, and still misses whenever a header's contents changed.
final class CompileCacheStampTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    /// Writes a file dated 10 s ago (its ctime is still now: only time makes it settled).
    @discardableResult
    func file(_ name: String, _ text: String) throws -> String {
        try TestSupport.writeBackdated(text, to: dir + "/" + name)
    }

    /// Lets the files' last change become older than the cache's 20 ms "racy" margin.
    func settle() { usleep(40_000) }

    /// Compiles `source` through a fresh cache instance over the same directory (as a new
    /// process would): its object, statistics and the number of files its lookup hashed.
    func compileInNewProcess(_ source: String) throws -> (object: [UInt8], statistics: CompileCache.Statistics, hashed: Int) {
        let cache = CompileCache(directory: dir + "/cache")
        let scratch = try TestSupport.scratch()
        defer { FileIO.removeTree(scratch) }
        let compiler = Compiler(toolchain: TestSupport.toolchain, cache: cache)
        let object = try compiler.compile(source, displayName: "p.c", target: .x64, options: CompileOptions(), scratch: scratch).bytes
        return (object, cache.statistics, cache.filesHashed)
    }

    func testWarmLookupHashesNoHeaderAndEditsStillMiss() throws {
        try file("value.h", "#define VALUE 41\n")
        let source = try file("p.c", "#include \"value.h\"\n#include <stdio.h>\nint main(void) { printf(\"%d\\n\", VALUE); return 0; }\n")
        settle()
        let first = try compileInNewProcess(source)
        XCTAssertEqual(first.statistics, .init(hits: 0, misses: 1))
        let warm = try compileInNewProcess(source)
        XCTAssertEqual(warm.statistics, .init(hits: 1, misses: 0))
        XCTAssertEqual(warm.hashed, 0, "every file the compile read has its stamp recorded: none is read again")
        XCTAssertEqual(warm.object, first.object)

        // Same size, same (old) mtime, new contents: the ctime differs, so it is hashed and misses.
        try file("value.h", "#define VALUE 42\n")
        let edited = try compileInNewProcess(source)
        XCTAssertEqual(edited.statistics, .init(hits: 0, misses: 1), "an edited header must miss")
        XCTAssertNotEqual(edited.object, first.object)
        settle()
        let again = try compileInNewProcess(source)
        XCTAssertEqual(again.statistics, .init(hits: 1, misses: 0))
        XCTAssertEqual(again.object, edited.object)
        XCTAssertEqual(try compileInNewProcess(source).hashed, 0, "the settled header's stamp is recorded by then")

        // Touched, contents unchanged: hashed once, still a hit, and the new stamp recorded.
        XCTAssertEqual(utimensat(AT_FDCWD, dir + "/value.h", nil, 0), 0)
        settle()
        let touched = try compileInNewProcess(source)
        XCTAssertEqual(touched.statistics, .init(hits: 1, misses: 0))
        XCTAssertEqual(touched.hashed, 1, "only the touched header is read again")
        XCTAssertEqual(touched.object, edited.object)
        XCTAssertEqual(try compileInNewProcess(source).hashed, 0, "the manifest now carries the header's new stamp")
    }

    /// A header rewritten right after a compile (same size, same mtime, perhaps the same clock
    /// tick) is not vouched for by a stamp taken before it had settled.
    func testRewriteWithinTheRacyMarginIsNotHidden() throws {
        try file("value.h", "#define VALUE 41\n")
        let source = try file("p.c", "#include \"value.h\"\nint value(void) { return VALUE; }\n")
        let first = try compileInNewProcess(source)
        try file("value.h", "#define VALUE 43\n")
        let second = try compileInNewProcess(source)
        XCTAssertEqual(second.statistics, .init(hits: 0, misses: 1))
        XCTAssertNotEqual(second.object, first.object)
    }

    /// Whole-second file systems (no fraction in either time) need a whole-second margin.
    func testSettlingMarginFollowsTimestampGranularity() {
        XCTAssertEqual(FileIdentity.settlingMargin(mtimeNanoseconds: 1_700_000_000_000_000_000, ctimeNanoseconds: 1_700_000_005_000_000_000), 2)
        XCTAssertEqual(FileIdentity.settlingMargin(mtimeNanoseconds: 1_700_000_000_000_000_000, ctimeNanoseconds: 1_700_000_005_123_456_789), 0.02)
        XCTAssertEqual(FileIdentity.settlingMargin(mtimeNanoseconds: 1_700_000_000_004_000_000, ctimeNanoseconds: 1_700_000_005_000_000_000), 0.02)
        // This test's own scratch files carry fractions (ext4, tmpfs, btrfs, xfs: nanoseconds).
        let path = dir + "/f"
        XCTAssertNoThrow(try FileIO.write([1], to: path))
        guard let id = FileIdentity(path) else { return XCTFail("stat \(path)") }
        XCTAssertFalse(id.isSettled(at: FileIO.now()), "just written")
        XCTAssertTrue(id.isSettled(at: FileIO.now() + 3), "long ago")
    }

    func testManifestRoundTripAndVersion2() {
        let hash = String(repeating: "ab", count: 32)
        let entry = CompileCache.ManifestEntry(
            result: String(repeating: "c", count: 64), object: .init([1, 2, 3]), diagnostics: .init([]),
            dependencies: [.init(path: "/tmp/with space.h", hash: hash, stamp: "1:2:3:4:5"),
                           .init(path: "/tmp/fresh.h", hash: hash, stamp: nil)])
        let parsed = CompileCache.parseManifest(CompileCache.renderManifest([entry]))
        XCTAssertEqual(parsed.count, 1)
        XCTAssertEqual(parsed.first?.dependencies, entry.dependencies)
        // Version 2 (no stamps) still reads, every file then hashed.
        let v2 = "crossrun-manifest 2\nR \(entry.result) 3 \(entry.object.hash) 0 \(entry.diagnostics.hash)\nD \(hash) /tmp/with space.h\n"
        XCTAssertEqual(CompileCache.parseManifest(Array(v2.utf8)).first?.dependencies,
                       [.init(path: "/tmp/with space.h", hash: hash, stamp: nil)])
        // A damaged dependency line discards the manifest.
        let damaged = "crossrun-manifest 3\nR \(entry.result) 3 \(entry.object.hash) 0 \(entry.diagnostics.hash)\nD nothex - /x.h\n"
        XCTAssertTrue(CompileCache.parseManifest(Array(damaged.utf8)).isEmpty)
    }

    /// Through the CLI, as a user edits a header between runs: each run prints the current text.
    func testEditedHeaderBetweenRunsGivesTheNewOutput() throws {
        try file("message.h", "#define MESSAGE \"one\"\n")
        let source = try file("p.c", "#include <stdio.h>\n#include \"message.h\"\nint main(void) { puts(MESSAGE); return 0; }\n")
        settle()
        let environment = ["CROSSRUN_CACHE_DIR": dir + "/cache"]
        for (text, expected) in [("one", "one\n"), ("one", "one\n"), ("two", "two\n"), ("two", "two\n"), ("six", "six\n")] {
            let path = dir + "/message.h"
            if try FileIO.read(path) != Array("#define MESSAGE \"\(text)\"\n".utf8) {
                try FileIO.write(Array("#define MESSAGE \"\(text)\"\n".utf8), to: path) // mtime now: not cached
                settle()
            }
            for args in [[source], ["--target", "rv64", source]] {
                let out = try TestSupport.runCrossrun(args, environment: environment)
                XCTAssertEqual(out.stdout, expected, "\(args) after writing \(text)")
                XCTAssertEqual(out.status, 0, out.stderr)
            }
        }
    }

    /// A warm run needs no scratch directory (only clang's outputs and stdin do): with an
    /// unusable `$TMPDIR` it still runs from the cache, while a compile names the directory.
    func testWarmRunMakesNoScratchDirectory() throws {
        let source = try file("p.c", "#include <stdio.h>\n#include <stdlib.h>\nstatic int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }\nint main(void) { int v[] = {3, 1, 2}; qsort(v, 3, sizeof *v, cmp); printf(\"%d%d%d\\n\", v[0], v[1], v[2]); return 0; }\n")
        settle()
        var environment = ["CROSSRUN_CACHE_DIR": dir + "/cache"]
        for target in ["x64", "rv64"] {
            XCTAssertEqual(try TestSupport.runCrossrun(["--target", target, source], environment: environment).stdout, "123\n")
        }
        environment["TMPDIR"] = dir + "/missing"
        for target in ["x64", "rv64"] {
            let warm = try TestSupport.runCrossrun(["--target", target, source], environment: environment)
            XCTAssertEqual(warm.stdout, "123\n", warm.stderr)
            XCTAssertEqual(warm.status, 0)
        }
        let cold = try TestSupport.runCrossrun(["--target", "aarch64", source], environment: environment)
        XCTAssertEqual(cold.status, 1)
        XCTAssertTrue(cold.stderr.contains("cannot create a temporary directory in \(dir)/missing"), cold.stderr)
    }
}
