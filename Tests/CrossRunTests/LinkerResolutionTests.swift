import CrossRunDriver
import CrossRunELF
import CrossRunLink
import CrossRunSupport
import XCTest

/// Symbol resolution: weak vs strong (both orders), first weak wins, common merge, duplicates name
/// both files, undefined lists every referencer, entry point, weak undefined = 0, runtime imports,
/// archive pull-in order and exclusion of unneeded members, machine mismatch.
final class LinkerResolutionTests: XCTestCase {
    func c(_ src: String, _ name: String, flags: [String] = []) throws -> ObjectFile {
        try TestSupport.compile(src, name: name, flags: flags)
    }

    func global(_ image: LinkImage, _ name: String) -> LinkImage.SymbolInfo? {
        image.symbols.first { $0.name == name && $0.isGlobal }
    }

    func testStrongBeatsWeakWhicheverComesFirst() throws {
        let weak = try c("__attribute__((weak)) int value(void){return 1;} int main(void){return value();}", "weak.c")
        let strong = try c("int value(void){return 2;}", "strong.c")
        for order in [[weak, strong], [strong, weak]] {
            let image = try TestSupport.link(order)
            XCTAssertEqual(global(image, "value")?.file, "strong.c")
            XCTAssertEqual(image.symbols.filter { $0.name == "value" }.count, 1)
        }
    }

    func testFirstWeakWinsAmongWeaks() throws {
        let a = try c("__attribute__((weak)) int w = 1; int main(void){return 0;}", "a.c")
        let b = try c("__attribute__((weak)) int w = 2;", "b.c")
        XCTAssertEqual(global(try TestSupport.link([a, b]), "w")?.file, "a.c")
    }

    func testCommonSymbolsMergeToLargest() throws {
        let a = try c("int buf[4]; int main(void){return 0;}", "a.c", flags: ["-fcommon"])
        let b = try c("int buf[64];", "b.c", flags: ["-fcommon"])
        let image = try TestSupport.link([a, b])
        let sym = try XCTUnwrap(global(image, "buf"))
        XCTAssertEqual(sym.size, 256)
        let data = try XCTUnwrap(image.segments.first { $0.permissions == .readWrite })
        XCTAssertTrue((data.offset..<data.offset + data.memorySize).contains(sym.offset))
        // A real definition beats a common one.
        let d = try c("int buf[2] = {1, 2};", "d.c")
        XCTAssertEqual(global(try TestSupport.link([a, d]), "buf")?.file, "d.c")
    }

    func testDuplicateStrongDefinitionNamesBothFiles() throws {
        let a = try c("int twice(void){return 1;} int main(void){return 0;}", "first.c")
        let b = try c("int twice(void){return 2;}", "second.c")
        XCTAssertThrowsError(try TestSupport.link([a, b])) {
            XCTAssertEqual("\($0)", "duplicate symbol 'twice': defined in first.c and in second.c")
        }
    }

    func testUndefinedSymbolsListEveryReferencer() throws {
        let a = try c("int missing_a(void); extern int missing_b; int main(void){return missing_a() + missing_b;}", "a.c")
        let b = try c("int missing_a(void); int other(void){return missing_a();}", "b.c")
        XCTAssertThrowsError(try TestSupport.link([a, b])) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("undefined symbol 'missing_a', referenced by a.c, b.c"), text)
            XCTAssertTrue(text.contains("undefined symbol 'missing_b', referenced by a.c"), text)
        }
    }

    func testMissingEntryIsReported() throws {
        let a = try c("int helper(void){return 1;}", "lib.c")
        XCTAssertThrowsError(try TestSupport.link([a])) {
            XCTAssertTrue("\($0)".contains("undefined symbol 'main', referenced by the entry point"), "\($0)")
        }
        XCTAssertNoThrow(try TestSupport.link([a], entry: "helper"))
    }

    func testWeakUndefinedIsZero() throws {
        let a = try c("extern int maybe(void) __attribute__((weak)); int main(void){ return maybe ? 1 : 0; }", "a.c")
        let image = try TestSupport.link([a])
        XCTAssertTrue(image.imports.isEmpty)
        XCTAssertFalse(image.symbols.contains { $0.name == "maybe" && $0.kind != .function })
    }

    func testRuntimeSymbolsBecomeImports() throws {
        let a = try c("int puts(const char*); extern void *stdout; int main(void){ puts(\"x\"); return stdout != 0; }", "a.c")
        let image = try TestSupport.link([a])
        XCTAssertEqual(Set(image.imports.map(\.name)), ["puts", "stdout"])
        XCTAssertEqual(image.imports.first { $0.name == "stdout" }?.kind, .data)
        XCTAssertEqual(image.imports.first { $0.name == "puts" }?.kind, .function)
    }

    func testArchiveMembersArePulledOnDemandInAnyOrder() throws {
        // main → a_fn (member A) → b_fn (member B, stored before A) ; member C is never needed.
        let main = try c("int a_fn(void); int main(void){return a_fn();}", "main.c")
        let memberB = try c("int b_fn(void){return 5;}", "b.c")
        let memberA = try c("int b_fn(void); int a_fn(void){return b_fn();}", "a.c")
        let memberC = try c("int unused_fn(void){return 9;} int a_fn_shadow;", "c.c")
        let archive = try makeArchive([("b.o", memberB), ("a.o", memberA), ("c.o", memberC)])
        let image = try TestSupport.link([main], archives: [archive])
        let files = Set(image.symbols.map(\.file))
        XCTAssertTrue(files.contains("lib.a(a.o)") && files.contains("lib.a(b.o)"), "\(files)")
        XCTAssertFalse(files.contains("lib.a(c.o)"), "unneeded member pulled: \(files)")
        // A definition in an object beats the archive's.
        let own = try c("int a_fn(void){return 1;}", "own.c")
        let image2 = try TestSupport.link([main, own], archives: [archive])
        XCTAssertFalse(image2.symbols.contains { $0.file.hasPrefix("lib.a") })
    }

    func testMachineMismatchIsReported() throws {
        let x = try c("int main(void){return 0;}", "x.c")
        let r = try TestSupport.compile("int f(void){return 0;}", target: .rv64, name: "r.c")
        XCTAssertThrowsError(try TestSupport.link([x, r])) {
            XCTAssertTrue("\($0)".contains("r.c: object is for riscv64, but the link is for x86-64"), "\($0)")
        }
    }

    func makeArchive(_ members: [(String, ObjectFile)]) throws -> Archive {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        var paths: [String] = []
        for (name, obj) in members {
            try FileIO.write(obj.bytes, to: dir + "/" + name)
            paths.append(dir + "/" + name)
        }
        let ar = FileIO.directory(of: TestSupport.toolchain.clang) + "/llvm-ar"
        XCTAssertEqual(try Subprocess.run(ar, ["rc", dir + "/lib.a"] + paths).status, 0)
        return try Archive(bytes: try FileIO.read(dir + "/lib.a"), name: "lib.a")
    }
}
