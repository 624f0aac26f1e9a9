@testable import CrossRunDriver
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The compile cache: hits without running clang, misses when any input changes.
///
/// A second compile hits without clang, an edited header misses, other targets/flags are other
/// entries, the cache is shared between instances, `__DATE__` and fresh files are not cached,
/// warnings stored, errors carry clang's diagnostics, `-MD` file parsing, LRU pruning, SHA-256
/// known answers.
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
        try TestSupport.writeBackdated(text, to: dir + "/" + name)
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

    /// Only a real use of a time macro disables caching: TinyCC's sources name them in strings
    /// and in longer identifiers (`TOK___DATE__`), and every run recompiled all of tcc.
    func testTimeMacroScanFindsUsesNotMentions() {
        let uses = ["x = __DATE__;", "#define W __TIME__\n", "f(__TIMESTAMP__)", "a = __DA\\\nTE__;",
                    "/* c */ __TIME__", "'x' __DATE__"]
        let mentions = ["DEF(TOK___DATE__, \"__DATE__\")", "// __TIME__ here\n", "/* __TIMESTAMP__ */",
                        "'\\'' x", "s = \"a \\\" __DATE__\";", "n = 0x1e+__LINE__;", "__DATE__X y", "my__TIME__",
                        "/* unterminated __DATE__", "\"open __TIME__"]
        for u in uses { XCTAssertTrue(CompileCache.mentionsTime(Array(u.utf8)), u) }
        for m in mentions { XCTAssertFalse(CompileCache.mentionsTime(Array(m.utf8)), m) }
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
        func name(_ i: Int) -> String { "ab" + String(repeating: String(i), count: 62) + ".o" }
        for i in 0..<10 {
            let p = "\(sub)/\(name(i))"
            try FileIO.write([UInt8](repeating: 0, count: 1000), to: p)
            var times = [timespec(tv_sec: 1000 + i, tv_nsec: 0), timespec(tv_sec: 1000 + i, tv_nsec: 0)]
            utimensat(AT_FDCWD, p, &times, 0)
        }
        // Not the cache's: never counted nor removed, however old and big.
        let foreign = "\(sub)/notes.txt"
        try FileIO.write([UInt8](repeating: 1, count: 8000), to: foreign)
        var old = [timespec(tv_sec: 1, tv_nsec: 0), timespec(tv_sec: 1, tv_nsec: 0)]
        utimensat(AT_FDCWD, foreign, &old, 0)
        small.prune(subdirectoryOf: "abcd")
        let left = FileIO.entries(of: sub).sorted()
        XCTAssertEqual(left, [name(7), name(8), name(9), "notes.txt"], "oldest go first, down to 80% of the share")
    }

    /// An object larger than its subdirectory's share of the limit (Janet's amalgamation with
    /// `-g`: 3.6 MB against 2 MiB) is still cached: the store's own prune leaves it, and the
    /// next compile hits. Older entries of that subdirectory are what goes.
    func testObjectLargerThanItsShareIsStillCached() throws {
        cache = CompileCache(directory: dir + "/small", maxBytes: 1 << 20)   // 4 KiB per subdirectory
        var text = "#include <stdio.h>\n"
        for i in 0..<200 { text += "int f\(i)(int x) { return printf(\"%d\\n\", x * \(i) + \(i * 7)); }\n" }
        text += "int main(void) { return f1(2) < 0; }\n"
        let source = try file("big.c", text)
        let first = try compile(source, flags: ["-g"])
        XCTAssertGreaterThan(first.count, 4096, "the object must be over the subdirectory's share")
        XCTAssertEqual(cache.statistics, .init(hits: 0, misses: 1))
        XCTAssertEqual(try compile(source, flags: ["-g"]), first)
        XCTAssertEqual(cache.statistics, .init(hits: 1, misses: 1), "an object over the share must still be cached")
    }

    /// A cached object that was truncated or modified is noticed (size + SHA-256 in the
    /// manifest), removed and compiled again, and the new one is used from then on.
    func testDamagedObjectsAreRebuilt() throws {
        let source = try file("p.c", "int value(void) { return 42; }\nint main(void) { return value() - 42; }\n")
        let good = try compile(source)
        let objects = FileIO.files(under: cache.directory + "/v1", suffix: ".o")
        XCTAssertEqual(objects.count, 1)
        let object = cache.directory + "/v1/" + objects[0]
        for damage in ["truncate", "modify", "empty"] {
            var bytes = try FileIO.read(object)
            switch damage {
            case "truncate": bytes.removeLast(bytes.count / 2)
            case "modify": bytes[bytes.count / 2] ^= 0xff
            default: bytes = []
            }
            try FileIO.write(bytes, to: object)
            let before = cache.statistics
            XCTAssertEqual(try compile(source), good, damage)
            XCTAssertEqual(cache.statistics, .init(hits: before.hits, misses: before.misses + 1), "\(damage): must compile again")
            XCTAssertEqual(try FileIO.read(object), good, "\(damage): the entry is written again")
            XCTAssertEqual(try compile(source), good)
            XCTAssertEqual(cache.statistics, .init(hits: before.hits + 1, misses: before.misses + 1), "\(damage): then hits")
        }
        // A version-1 manifest (no sizes or hashes) is not trusted either.
        let manifests = FileIO.files(under: cache.directory + "/v1", suffix: ".manifest")
        let manifest = cache.directory + "/v1/" + manifests[0]
        let text = String(decoding: try FileIO.read(manifest), as: UTF8.self)
        let v1 = text.split(separator: "\n").map { line -> String in
            if line.hasPrefix("crossrun-manifest") { return "crossrun-manifest 1" }
            return line.hasPrefix("R ") ? String(line.split(separator: " ").prefix(2).joined(separator: " ")) : String(line)
        }.joined(separator: "\n") + "\n"
        try FileIO.write(Array(v1.utf8), to: manifest)
        let before = cache.statistics
        XCTAssertEqual(try compile(source), good)
        XCTAssertEqual(cache.statistics.misses, before.misses + 1)
    }

    /// `clear` removes the cache's own entries and temporaries, and nothing else under `v1/`.
    func testClearRemovesOnlyTheCachesOwnFiles() throws {
        let source = try file("p.c", "int main(void) { return 0; }\n")
        _ = try compile(source)
        let v1 = cache.directory + "/v1"
        let own = FileIO.files(under: v1, suffix: "")
        XCTAssertGreaterThanOrEqual(own.count, 3, "\(own)")   // manifest, object, compiler identity
        let key = String(repeating: "c", count: 64)
        try FileIO.makeDirectories(v1 + "/cc")
        try FileIO.write([1], to: v1 + "/cc/\(key).o.123.456.tmp")   // a crashed writer's temporary
        let foreign = [v1 + "/cc/readme", v1 + "/cc/\(key).o.bak", v1 + "/cc/" + String(repeating: "d", count: 64) + ".o",
                       v1 + "/mine/\(key).o", v1 + "/compilers/notes"]
        try FileIO.makeDirectories(v1 + "/mine")
        for f in foreign { try FileIO.write([7], to: f) }
        let outside = dir + "/precious.o"
        try FileIO.write([9], to: outside)
        XCTAssertEqual(symlink(outside, v1 + "/cc/\(key).manifest"), 0)
        XCTAssertEqual(cache.usage().files, own.count + 1)
        XCTAssertGreaterThan(cache.clear(), 0)
        XCTAssertEqual(cache.usage().files, 0)
        let kept = (foreign + [v1 + "/cc/\(key).manifest"]).map { String($0.dropFirst(v1.count + 1)) }
        XCTAssertEqual(FileIO.files(under: v1, suffix: ""), kept.sorted())
        XCTAssertEqual(try FileIO.read(outside), [9], "a link is not the cache's file, and never followed")
    }

    func testSHA256KnownAnswers() {
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(SHA256.hex(long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var h = SHA256()
        for chunk in stride(from: 0, to: long.count, by: 7) { h.update(Array(long[chunk..<min(chunk + 7, long.count)])) }
        XCTAssertEqual(Hex.string(h.finalize()), SHA256.hex(long))
    }
}
