@testable import CrossRunDriver
@testable import CrossRunELF
@testable import CrossRunSupport
import XCTest

/// The warm path's faster forms give the answers of the plain ones they replaced (doc/ARCHITECTURE.md,
/// Start-up): the byte-level manifest parser against word splitting on valid and damaged
/// manifests, hand-written stamps against interpolation, SHA-256 on the CPU's SHA extensions
/// against the portable rounds, and the runtime parts' name tests against their own sources.
final class StartupFastPathTests: XCTestCase {
    /// The manifest reading the byte parser replaced: split into lines, then into words.
    static func wordSplittingParse(_ bytes: [UInt8]) -> [CompileCache.ManifestEntry] {
        func words(_ line: ArraySlice<UInt8>, maxSplits: Int = .max, omittingEmpty: Bool = true) -> [Substring] {
            line.split(separator: 0x20, maxSplits: maxSplits, omittingEmptySubsequences: omittingEmpty)
                .map { Substring(String(decoding: $0, as: UTF8.self)) }
        }
        let lines = bytes.split(separator: 0x0a)
        let header = lines.first.map { String(decoding: $0, as: UTF8.self) }
        guard header == CompileCache.manifestHeader || header == CompileCache.manifestHeaderWithoutStamps else { return [] }
        let stamped = header == CompileCache.manifestHeader
        var entries: [CompileCache.ManifestEntry] = []
        for line in lines.dropFirst() {
            if line.starts(with: [0x52, 0x20]) {
                let fields = words(line)
                guard fields.count == 6, CompileCache.isKey(fields[1]),
                      let object = CompileCache.Stamp(size: fields[2], hash: fields[3]),
                      let diagnostics = CompileCache.Stamp(size: fields[4], hash: fields[5]) else { return [] }
                entries.append(.init(result: String(fields[1]), object: object, diagnostics: diagnostics, dependencies: []))
            } else if line.starts(with: [0x44, 0x20]), !entries.isEmpty {
                let fields = words(line.dropFirst(2), maxSplits: stamped ? 2 : 1, omittingEmpty: false)
                guard fields.count == (stamped ? 3 : 2), CompileCache.isKey(fields[0]), let path = fields.last, !path.isEmpty else { return [] }
                let stamp = stamped && fields[1] != "-" ? String(fields[1]) : nil
                entries[entries.count - 1].dependencies.append(.init(path: String(path), hash: String(fields[0]), stamp: stamp))
            } else {
                return []
            }
        }
        return entries.filter { !$0.dependencies.isEmpty }
    }

    func assertSameParse(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        let fast = CompileCache.parseManifest(bytes)
        let plain = Self.wordSplittingParse(bytes)
        XCTAssertEqual(fast.count, plain.count, String(decoding: bytes, as: UTF8.self), file: file, line: line)
        for (a, b) in zip(fast, plain) {
            XCTAssertEqual(a.result, b.result, file: file, line: line)
            XCTAssertEqual(a.object, b.object, file: file, line: line)
            XCTAssertEqual(a.diagnostics, b.diagnostics, file: file, line: line)
            XCTAssertEqual(a.dependencies, b.dependencies, file: file, line: line)
        }
    }

    /// Valid manifests, each byte of them changed to characters that matter to the format,
    /// and every truncation: both readings agree (entries, stamps, paths with spaces, damage).
    func testManifestParserAgreesWithWordSplitting() {
        let hash = String(repeating: "0a", count: 32)
        let entry = CompileCache.ManifestEntry(
            result: String(repeating: "e", count: 64), object: .init([1, 2, 3]), diagnostics: .init([]),
            dependencies: [.init(path: "/tmp/with space.h", hash: hash, stamp: "1:2:3:4:5"),
                           .init(path: "/x.h", hash: hash, stamp: nil)])
        let valid = CompileCache.renderManifest([entry, entry])
        XCTAssertEqual(CompileCache.parseManifest(valid).count, 2)
        let version2 = Array("crossrun-manifest 2\nR \(entry.result) 3 \(entry.object.hash) 0 \(entry.diagnostics.hash)\nD \(hash) /a b.h\n".utf8)
        XCTAssertEqual(CompileCache.parseManifest(version2).first?.dependencies.first?.path, "/a b.h")
        var random = SystemRandomNumberGenerator()
        let alphabet = Array(" \nRD-0x".utf8)
        for base in [valid, version2] {
            assertSameParse(base)
            for cut in 0...base.count { assertSameParse(Array(base[..<cut])) }
            for i in base.indices {
                for c in alphabet where c != base[i] {
                    var changed = base
                    changed[i] = c
                    assertSameParse(changed)
                }
            }
            for _ in 0..<100 {
                var changed = base
                for _ in 0..<3 { changed.insert(alphabet.randomElement(using: &random) ?? 0x20, at: Int.random(in: 0...changed.count, using: &random)) }
                assertSameParse(changed)
            }
        }
        assertSameParse([])
        assertSameParse(Array("\n\ncrossrun-manifest 3\n\n".utf8))
    }

    /// The hand-written stamp is the interpolated one.
    func testStampDigitsAreTheInterpolatedText() throws {
        for path in ["/", "/proc/self/exe", #filePath, TestSupport.toolchain.includeDirectory + "/stdio.h"] {
            guard let id = FileIdentity(path) else { continue }
            XCTAssertEqual(id.stamp, "\(id.device):\(id.inode):\(id.size):\(id.mtimeNanoseconds):\(id.ctimeNanoseconds)", path)
        }
    }

    /// `Hex.string` of an array (the digests' path) writes what the generic form does, for
    /// every byte value, the empty array and odd lengths.
    func testArrayHexIsTheGenericHex() {
        let all = (0...255).map { UInt8($0) }
        for bytes in [all, [], [0], [0xab, 0x01, 0xff], Array(all.reversed())] {
            XCTAssertEqual(Hex.string(bytes), Hex.string(bytes[...]))
        }
        XCTAssertEqual(Hex.string([0x00, 0x0f, 0xf0, 0xff, 0x7a]), "000ff0ff7a")
    }

    /// SHA-256 on the SHA extensions (where this CPU has them) and the portable rounds give the
    /// same state for every block count, and the hasher the known answer whatever the chunking.
    func testHardwareSHA256AgreesWithThePortableRounds() {
        var random = SystemRandomNumberGenerator()
        for blocks in [1, 2, 3, 7, 16] {
            let data = (0..<(64 * blocks)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var fast = SHA256Function()
            var portable = SHA256Function()
            data.withUnsafeBufferPointer { p in
                guard let base = p.baseAddress else { return }
                fast.compress(base, count: blocks)
                portable.portableCompress(base, count: blocks)
            }
            XCTAssertEqual(fast.digest, portable.digest, "\(blocks) blocks")
        }
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(SHA256.hex(million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        var h = SHA256()
        var offset = 0
        while offset < million.count {
            let n = min(Int.random(in: 1...300, using: &random), million.count - offset)
            h.update(Array(million[offset..<(offset + n)]))
            offset += n
        }
        XCTAssertEqual(Hex.string(h.finalize()), SHA256.hex(million))
    }

    /// Each runtime part's name test accepts exactly the functions its own sources define (for
    /// programs), per target, with the string and complex parts included; no part accepts a
    /// name the runtime does not define.
    func testRuntimePartsAcceptExactlyTheirOwnFunctions() throws {
        // Each part compiled once, for the first target that has it (which functions a part
        // defines does not depend on the target, only which parts a target has).
        var definedBy: [[String]: Set<String>] = [:]
        for target in [Target.x64, .aarch64, .rv64] {
            var everything = Set<String>()
            for part in GuestRuntime.parts(for: target, strings: true, complex: true) {
                if definedBy[part.sources] == nil {
                    var defined = Set<String>()
                    for source in part.sources {
                        let text = try FileIO.read(TestSupport.toolchain.home + "/" + source)
                        let object = try TestSupport.compile(String(decoding: text, as: UTF8.self), target: target,
                                                             name: String(source.split(separator: "/").last ?? "x.c"),
                                                             flags: GuestRuntime.flags + ["-I", TestSupport.toolchain.home + "/runtime"])
                        for s in object.symbols where !s.isUndefined && s.binding != .local && s.type == .function
                            && (!s.name.hasPrefix("__crossrun_") || s.name.hasPrefix("__crossrun_cleanup_")) {
                            defined.insert(s.name)
                        }
                    }
                    definedBy[part.sources] = defined
                }
                let defined = definedBy[part.sources] ?? []
                XCTAssertFalse(defined.isEmpty, "\(part.sources)")
                for name in defined { XCTAssertTrue(part.defines(name), "\(target) \(part.sources): \(name)") }
                everything.formUnion(defined)
            }
            let probes = everything.flatMap { [$0 + "_", String($0.dropLast()), "A" + $0] } + ["printf", "malloc", "c", "__atomic_", "pthread_"]
            for part in GuestRuntime.parts(for: target, strings: true, complex: true) {
                for name in probes where !everything.contains(name) {
                    XCTAssertFalse(part.defines(name), "\(target) \(part.sources): \(name)")
                }
            }
        }
    }

    /// `FileIO.realPath` (one `O_PATH` open and the kernel's name for it) answers what
    /// `realpath(3)` answers, for files, directories, chains of links, relative paths, `..`
    /// through a linked directory, /proc's magic links, a FIFO, and every failing kind
    /// (missing, dangling, looping, a file used as a directory, empty).
    func testRealPathAgreesWithTheCLibrary() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array("x".utf8), to: dir + "/file")
        mkdir(dir + "/sub", 0o755)
        mkdir(dir + "/sub/deeper", 0o755)
        try FileIO.write(Array("y".utf8), to: dir + "/sub/deeper/inner")
        symlink("file", dir + "/link")
        symlink(dir + "/link", dir + "/link2")
        symlink("sub/deeper", dir + "/dirlink")
        symlink("missing", dir + "/dangling")
        symlink("loop", dir + "/loop")
        mkfifo(dir + "/fifo", 0o644)
        let here = FileIO.currentDirectory()
        XCTAssertEqual(chdir(dir + "/sub"), 0)
        defer { _ = chdir(here) }
        let paths = [
            dir + "/file", dir + "/link", dir + "/link2", dir + "/sub", dir + "/sub/", dir + "/dirlink",
            dir + "/dirlink/inner", dir + "/dirlink/../deeper/inner", dir + "/sub/./deeper//inner", "deeper/inner",
            ".", "..", "../link", dir + "/fifo", "/proc/self/exe", "/proc/self/cwd", "/", "/proc/self/fd/0",
            dir + "/missing", dir + "/dangling", dir + "/loop", dir + "/file/", dir + "/file/x", "",
        ]
        let existing = Set(paths.prefix(18))
        for path in paths {
            let reference: String? = realpath(path, nil).map { p in defer { free(p) }; return String(cString: p) }
            XCTAssertEqual(FileIO.realPath(path), reference, "'\(path)'")
            // The kernel's answer itself, not the fallback, for everything that exists (a
            // descriptor 0 that is a pipe has no path: then the fallback answers).
            let kernel = FileIO.kernelPath(path)
            if existing.contains(path) && path != "/proc/self/fd/0" { XCTAssertNotNil(kernel, "'\(path)'") }
            if let kernel { XCTAssertEqual(kernel, reference, "'\(path)'") }
        }
        XCTAssertEqual(FileIO.realPath(dir + "/link2").map { FileIO.directory(of: $0) }, FileIO.realPath(dir))
    }
}
