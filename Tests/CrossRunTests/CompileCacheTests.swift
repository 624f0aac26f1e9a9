@testable import CrossRunDriver
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The compile cache: hits without running clang, misses when any input changes.
final class CompileCacheTests: XCTestCase {
    var dir = ""
    var cache: CompileCache!

    override func setUpWithError() throws {
        dir = try TestSupport.scratch()
        cache = CompileCache(directory: dir + "/cache")
    }

    override func tearDown() { FileIO.removeTree(dir) }

    /// Writes a file dated 10 s ago (the cache refuses inputs newer than the compile).
    func file(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try FileIO.write(Array(text.utf8), to: path)
        var times = [timespec(tv_sec: time(nil) - 10, tv_nsec: 0), timespec(tv_sec: time(nil) - 10, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        return path
    }

    func compile(_ source: String, target: Target = .x64, flags: [String] = []) throws -> [UInt8] {
        let scratch = try TestSupport.scratch()
        defer { FileIO.removeTree(scratch) }
        var options = CompileOptions()
        options.clangFlags = flags
        let compiler = Compiler(toolchain: TestSupport.toolchain, cache: cache)
        return try compiler.compile(source, displayName: "p.c", target: target, options: options, scratch: scratch).bytes
    }

    func testUnchangedSourceHitsAndEditedHeaderMisses() throws {
        _ = try file("value.h", "#define VALUE 41\n")
        let source = try file("p.c", "#include \"value.h\"\n#include <stdio.h>\nint main(void) { printf(\"%d\\n\", VALUE); return 0; }\n")
        let first = try compile(source)
        XCTAssertEqual(cache.statistics, .init(hits: 0, misses: 1))
        let second = try compile(source)
        XCTAssertEqual(cache.statistics, .init(hits: 1, misses: 1), "unchanged source must not run clang")
        XCTAssertEqual(first, second)

        _ = try file("value.h", "#define VALUE 42\n") // same size, new contents
        let third = try compile(source)
        XCTAssertEqual(cache.statistics, .init(hits: 1, misses: 2), "an edited header must miss")
        XCTAssertNotEqual(third, first)
        XCTAssertEqual(try compile(source), third)
        XCTAssertEqual(cache.statistics, .init(hits: 2, misses: 2))

        // Another target, other flags: separate entries.
        _ = try compile(source, target: .rv64)
        _ = try compile(source, flags: ["-O2"])
        XCTAssertEqual(cache.statistics.misses, 4)
    }

    func testSeparateProcessesShareTheCache() throws {
        let source = try file("p.c", "int main(void) { return 0; }\n")
        _ = try compile(source)
        let again = CompileCache(directory: cache.directory)
        let compiler = Compiler(toolchain: TestSupport.toolchain, cache: again)
        let scratch = try TestSupport.scratch()
        defer { FileIO.removeTree(scratch) }
        _ = try compiler.compile(source, displayName: "p.c", target: .x64, options: CompileOptions(), scratch: scratch)
        XCTAssertEqual(again.statistics, .init(hits: 1, misses: 0))
    }

    func testTimeMacrosAndFreshFilesAreNotCached() throws {
        let dated = try file("d.c", "const char *when = __DATE__;\nint main(void) { return 0; }\n")
        _ = try compile(dated)
        _ = try compile(dated)
        XCTAssertEqual(cache.statistics.hits, 0)

        let fresh = dir + "/fresh.c" // written "now": may have changed during the compile
        try FileIO.write(Array("int main(void) { return 0; }\n".utf8), to: fresh)
        _ = try compile(fresh)
        _ = try compile(fresh)
        XCTAssertEqual(cache.statistics.hits, 0)
    }

    func testWarningsAreStoredAndErrorsCarried() throws {
        let source = try file("w.c", "int main(void) { int unused; return 0; }\n")
        var compiler = Compiler(toolchain: TestSupport.toolchain, cache: cache)
        compiler.echoDiagnostics = false
        var options = CompileOptions()
        options.clangFlags = ["-Wunused-variable"]
        let scratch = try TestSupport.scratch()
        defer { FileIO.removeTree(scratch) }
        _ = try compiler.compile(source, displayName: "w.c", target: .x64, options: options, scratch: scratch)
        let key = try XCTUnwrap(cache.key(compiler: TestSupport.toolchain.clang, arguments: compiler.arguments(for: .x64, options: options), source: source))
        let entry = try XCTUnwrap(cache.lookup(key))
        XCTAssertTrue(String(decoding: entry.diagnostics, as: UTF8.self).contains("unused variable 'unused'"))

        let bad = try file("bad.c", "int main(void) { return missing; }\n")
        XCTAssertThrowsError(try compiler.compile(bad, displayName: "bad.c", target: .x64, options: CompileOptions(), scratch: scratch)) { error in
            guard case DriverError.compileFailed(let name, let diagnostics) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "bad.c")
            XCTAssertTrue(diagnostics.contains("use of undeclared identifier 'missing'"), diagnostics)
        }
    }

    func testDependencyFileParsing() {
        let text = "out.o: /a/b.c /x/y\\ z.h \\\n  rel/h.h /d/$$x.h\n/x/y\\ z.h:\n"
        XCTAssertEqual(CompileCache.parseDependencies(Array(text.utf8)), ["/a/b.c", "/x/y z.h", "rel/h.h", "/d/$x.h"])
        XCTAssertTrue(CompileCache.dependsOnWorkingDirectory(["-I", "inc"]))
        XCTAssertTrue(CompileCache.dependsOnWorkingDirectory(["-Iinc"]))
        XCTAssertFalse(CompileCache.dependsOnWorkingDirectory(["-I", "/inc", "-DX=1", "-D", "Y", "-O2", "-isystem", "/i"]))
    }

    func testPruneKeepsEachSubdirectoryWithinItsShare() throws {
        let small = CompileCache(directory: dir + "/small", maxBytes: 1 << 20) // 4 KiB per subdirectory
        let sub = dir + "/small/v1/ab"
        try FileIO.makeDirectories(sub)
        for i in 0..<10 {
            let p = "\(sub)/ab\(i).o"
            try FileIO.write([UInt8](repeating: 0, count: 1000), to: p)
            var times = [timespec(tv_sec: 1000 + i, tv_nsec: 0), timespec(tv_sec: 1000 + i, tv_nsec: 0)]
            utimensat(AT_FDCWD, p, &times, 0)
        }
        small.prune(subdirectoryOf: "abcd")
        let left = FileIO.entries(of: sub).sorted()
        XCTAssertEqual(left, ["ab7.o", "ab8.o", "ab9.o"], "oldest go first, down to 80% of the share")
    }

    func testSHA256KnownAnswers() {
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(SHA256.hex(long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var h = SHA256()
        for chunk in stride(from: 0, to: long.count, by: 7) { h.update(Array(long[chunk..<min(chunk + 7, long.count)])) }
        XCTAssertEqual(SHA256.hexString(h.finalize()), SHA256.hex(long))
    }
}
