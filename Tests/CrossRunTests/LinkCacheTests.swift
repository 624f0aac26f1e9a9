@testable import CrossRunDriver
@testable import CrossRunLink
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The link cache (``LinkCache``): a program `crossrun cc` linked is linked once, and its
/// image loaded at later starts. Serialized images read back field for field (code, data,
/// fixups, symbols, TLS, initializers, debug sections) on every arch; every truncation and
/// flipped byte is refused, as are forged files with valid checksums and hostile counts; a
/// launcher run twice gives the same output from its cached image, a damaged entry is
/// replaced, and a rebuilt program never runs a stale image.
final class LinkCacheTests: XCTestCase {
    static var program: String { program(second: "beta") }

    static func program(second: String) -> String { """
        #include <stdio.h>
        #include <string.h>
        static _Thread_local int counter = 3;
        static int ready;
        __attribute__((constructor)) static void start(void) { ready = 7; }
        const char *names[] = { "alpha", "\(second)", "gamma" };
        int main(int argc, char **argv) {
            counter += argc;
            printf("%s %d %d %d\\n", names[argc % 3], counter, ready, strlen(argv[0]) > 0);
            return 0;
        }
        """
    }

    func testSerializedImagesReadBackExactly() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(Self.program.utf8), to: dir + "/p.c")
        let pipeline = Pipeline(toolchain: TestSupport.toolchain)
        var options = CompileOptions()
        options.clangFlags = ["-g", "-O1"]
        for target in [Target.x64, .aarch64, .rv64] {
            let image = try pipeline.build(inputs: [dir + "/p.c"], target: target, options: options).image
            XCTAssertFalse(image.debugSections.isEmpty, "\(target)")
            XCTAssertNotNil(image.tls, "\(target)")
            let bytes = image.serialized()
            let back = try LinkImage(serialized: bytes)
            XCTAssertEqual(back.machine, image.machine)
            XCTAssertEqual(back.pageSize, image.pageSize)
            XCTAssertEqual(back.bytes, image.bytes)
            XCTAssertEqual(back.size, image.size)
            XCTAssertEqual(back.segments, image.segments)
            XCTAssertEqual(back.imports, image.imports)
            XCTAssertEqual(back.fixups, image.fixups)
            XCTAssertEqual(back.symbols, image.symbols)
            XCTAssertEqual(back.initializers, image.initializers)
            XCTAssertEqual(back.finalizers, image.finalizers)
            XCTAssertEqual(back.tls, image.tls)
            XCTAssertEqual(back.indirectSlots, image.indirectSlots)
            XCTAssertEqual(back.debugSections, image.debugSections)
            XCTAssertEqual(back.serialized(), bytes, "\(target): writing again gives the same bytes")

            // Every truncation (sampled) and flipped byte fails the checksum or the reader.
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
                XCTAssertThrowsError(try LinkImage(serialized: Array(bytes.prefix(cut))), "\(target): cut at \(cut)")
            }
            var generator = SplitMix(seed: 14)
            for _ in 0..<200 {
                var damaged = bytes
                let at = Int(generator.next() % UInt64(bytes.count))
                damaged[at] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
                XCTAssertThrowsError(try LinkImage(serialized: damaged), "\(target): byte \(at) flipped")
            }
        }
    }

    /// Files with a valid checksum but hostile contents: huge counts and lengths, fixups outside
    /// the image, unknown codes. Each is an error, never a trap or a giant allocation.
    func testForgedImagesAreRefused() {
        func forged(_ fields: [Int], raw: [UInt8] = []) -> [UInt8] {
            var out = LinkImage.serializedMagic
            for v in fields { withUnsafeBytes(of: Int64(v).littleEndian) { out.append(contentsOf: $0) } }
            out += raw
            let sum = LinkImage.checksum(out[...])
            withUnsafeBytes(of: sum.littleEndian) { out.append(contentsOf: $0) }
            return out
        }
        let cases: [(String, [UInt8])] = [
            ("unknown machine", forged([7])),
            ("huge byte count", forged([62, 4096, Int.max])),
            ("negative byte count", forged([62, 4096, -1])),
            ("huge segment count", forged([62, 4096, 0, 4096, 1 << 60])),
            ("fixup outside the bytes", forged([62, 4096, 0, 4096, 0, 0, 1, 0, 1 << 40, 0, 0, 0, 0, 0, 0, 0])),
            ("unknown fixup code", forged([62, 4096, 0, 4096, 0, 0, 1, 9, 0])),
            ("page size not a power of two", forged([62, 4095, 0, 4095, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
            ("trailing bytes", forged([62, 4096, 0, 4096, 0, 0, 0, 0, 0, 0, 0, 0, 0], raw: [1])),
        ]
        for (name, bytes) in cases {
            XCTAssertThrowsError(try LinkImage(serialized: bytes), name)
        }
        XCTAssertNoThrow(try LinkImage(serialized: forged([62, 4096, 0, 4096, 0, 0, 0, 0, 0, 0, 0, 0, 0])), "the empty image")
    }

    func testLaunchersRunFromTheLinkCacheAndNeverStale() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let cacheDir = dir + "/cache"
        let environment = ["CROSSRUN_CACHE_DIR": cacheDir]
        func images() -> [String] {
            FileIO.entries(of: cacheDir + "/v1").flatMap { sub in
                FileIO.entries(of: cacheDir + "/v1/" + sub).filter { $0.hasSuffix(".image") }.map { cacheDir + "/v1/" + sub + "/" + $0 }
            }
        }
        for (target, backend) in [("x64", "native"), ("aarch64", "emu")] {
            try FileIO.write(Array(Self.program.utf8), to: dir + "/p.c")
            let linked = try TestSupport.runCrossrun(["cc", "--target", target, "--backend", backend, "-O2", "p.c", "-o", "p"],
                                                     cwd: dir, environment: environment)
            XCTAssertEqual(linked.status, 0, linked.stderr)
            usleep(60_000)   // older than the settling margin: its stamp may key the cache
            let before = Set(images())
            let first = try TestSupport.run(dir + "/p", ["x"], cwd: dir, environment: environment)
            XCTAssertEqual(first.stdout, "gamma 5 7 1\n", "\(target)/\(backend): \(first.stderr)")
            let stored = Set(images()).subtracting(before)
            XCTAssertEqual(stored.count, 1, "\(target)/\(backend): one image stored")
            let second = try TestSupport.run(dir + "/p", ["x", "y"], cwd: dir, environment: environment)
            XCTAssertEqual(second.stdout, "alpha 6 7 1\n", "\(target)/\(backend): \(second.stderr)")
            XCTAssertEqual(Set(images()).subtracting(before).count, 1, "\(target)/\(backend): the second run stored nothing new")

            // A damaged entry is removed and the program linked again.
            guard let entry = stored.first else { continue }
            var damaged = try FileIO.read(entry)
            damaged[damaged.count / 2] ^= 0x5a
            try FileIO.write(damaged, to: entry)
            let repaired = try TestSupport.run(dir + "/p", [], cwd: dir, environment: environment)
            XCTAssertEqual(repaired.stdout, "beta 4 7 1\n", "\(target)/\(backend): \(repaired.stderr)")
            XCTAssertNoThrow(try LinkImage(serialized: try FileIO.read(entry)), "\(target)/\(backend): stored again intact")

            // The program rebuilt: the new image runs, not the cached one.
            try FileIO.write(Array(Self.program(second: "delta").utf8), to: dir + "/p.c")
            XCTAssertEqual(try TestSupport.runCrossrun(["cc", "--target", target, "--backend", backend, "-O2", "p.c", "-o", "p"],
                                                       cwd: dir, environment: environment).status, 0)
            let rebuilt = try TestSupport.run(dir + "/p", [], cwd: dir, environment: environment)
            XCTAssertEqual(rebuilt.stdout, "delta 4 7 1\n", "\(target)/\(backend): \(rebuilt.stderr)")
        }
    }
}
