import CrossRunDriver
import CrossRunNative
import CrossRunRuntime
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `include/` is the contract of the runtime's import table: everything it declares must be
/// provided, and everything provided must exist in the host libraries for native runs.
final class HeaderContractTests: XCTestCase {
    /// Names of the extern functions and variables `include/` declares for `target`.
    static func declarations(target: Target) throws -> Set<String> {
        let include = TestSupport.toolchain.includeDirectory
        let headers = FileIO.files(under: include, suffix: ".h")
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let src = headers.map { "#include <\($0)>" }.joined(separator: "\n") + "\n"
        try FileIO.write(Array(src.utf8), to: dir + "/all.c")
        // _GNU_SOURCE: every declaration, including those glibc's feature macros gate.
        let args = ["--target=\(target.triple)", "-fsyntax-only", "-D_GNU_SOURCE", "-nostdlibinc", "-isystem", include,
                    "-Xclang", "-ast-dump", "-fno-color-diagnostics", dir + "/all.c"]
        let r = try Subprocess.run(TestSupport.toolchain.clang, args, captureOutput: true)
        XCTAssertEqual(r.status, 0, "headers do not compile together for \(target)")
        var names = Set<String>()
        for line in String(decoding: r.output, as: UTF8.self).split(separator: "\n") {
            // Top-level declarations only: "|-FunctionDecl 0x.. <loc> col:N [used] name 'type' [extern|static|inline]"
            guard line.hasPrefix("|-FunctionDecl") || line.hasPrefix("`-FunctionDecl")
                    || line.hasPrefix("|-VarDecl") || line.hasPrefix("`-VarDecl") else { continue }
            // "implicit": builtins clang declares itself (byteswap.h's inline functions use them).
            if line.contains(" static") || line.contains(" inline") || line.contains(" implicit ") { continue }
            let isVar = line.contains("VarDecl")
            if isVar && !line.contains(" extern") { continue }
            guard let quote = line.firstIndex(of: "'") else { continue }
            let words = line[..<quote].split(separator: " ")
            guard let name = words.last, name != "used", name != "referenced" else { continue }
            names.insert(String(name))
        }
        return names
    }

    func testEveryDeclaredFunctionIsInTheImportTable() throws {
        let declared = try Self.declarations(target: .x64)
        XCTAssertGreaterThan(declared.count, 200, "the header set looks incomplete")
        let missing = declared.filter { RuntimeSymbols.all[$0] == nil }.sorted()
        XCTAssertEqual(missing, [], "declared in include/ but not provided by the runtime")
    }

    func testHeadersCompileForEveryTarget() throws {
        for target in [Target.aarch64, .rv64] {
            XCTAssertGreaterThan(try Self.declarations(target: target).count, 200, "\(target)")
        }
    }

    /// Each header compiles as a program's first and only include, on every target, with the
    /// default feature set and with `_GNU_SOURCE` (`<syslog.h>` used a macro only another
    /// header defined: Jim Tcl's syslog extension includes it first).
    func testEveryHeaderCompilesOnItsOwn() throws {
        let include = TestSupport.toolchain.includeDirectory
        let headers = FileIO.files(under: include, suffix: ".h").filter { !$0.hasPrefix("_crossrun") }
        XCTAssertGreaterThan(headers.count, 100, "the header set looks incomplete")
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        var sources: [String] = []
        for (i, header) in headers.enumerated() {
            let path = dir + "/h\(i).c"
            try FileIO.write(Array("#include <\(header)>\nint main(void) { return 0; }\n".utf8), to: path)
            sources.append(path)
        }
        for target in [Target.x64, .aarch64, .rv64] {
            for defines in [[], ["-D_GNU_SOURCE"]] {
                let args = ["--target=\(target.triple)", "-fsyntax-only", "-nostdlibinc", "-isystem", include,
                            "-fno-color-diagnostics"] + defines + sources
                var options = Subprocess.Options()
                options.captureError = true
                let r = try Subprocess.run(TestSupport.toolchain.clang, args, options: options)
                let text = String(decoding: r.error, as: UTF8.self)
                // The test file of each error: named on its own line or in "In file included from".
                let broken = Set(text.split(separator: "\n").compactMap { line -> String? in
                    guard let start = line.range(of: dir + "/h"), let end = line[start.upperBound...].range(of: ".c:") else { return nil }
                    return Int(line[start.upperBound..<end.lowerBound]).map { headers[$0] }
                })
                XCTAssertEqual(r.status, 0, "\(target) \(defines): headers that do not compile alone: \(broken.sorted())\n\(text.prefix(2000))")
            }
        }
    }

    func testEveryTableEntryExistsInTheHostLibraries() throws {
        var missing: [String] = []
        // The guest runtime's functions are linked into every image that uses them, native ones
        // too, so the host's library need not export them (glibc 2.34 keeps `pthread_atfork`
        // only as a compatibility symbol).
        for (name, symbol) in RuntimeSymbols.all where HostSymbols.loaderProvided[name] == nil && !GuestRuntime.functions.contains(name) {
            guard let handle = dlopen(symbol.library.rawValue, RTLD_NOW) else {
                XCTFail("cannot open \(symbol.library.rawValue)")
                continue
            }
            if dlsym(handle, name) == nil { missing.append("\(name) (\(symbol.library.rawValue))") }
        }
        XCTAssertEqual(missing.sorted(), [])
    }
}
