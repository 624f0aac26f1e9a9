import CrossRunSupport
import XCTest

/// The module graph is what `Package.swift` says and points one way: the dependencies form no
/// cycle, every module a Swift file imports is a declared dependency of its target (not one
/// reached only transitively), and every declared dependency is imported somewhere in the
/// target (no stale edges such as a driver depending on a backend it never uses). The
/// manifest reader is checked on a small manifest of its own.
final class ModuleGraphTests: XCTestCase {
    /// The Swift files of a target: `Sources/NAME` or `Tests/NAME`.
    static func swiftFiles(_ target: PackageManifest.Target, root: String) -> [String] {
        let dir = root + (target.kind == .testTarget ? "/Tests/" : "/Sources/") + target.name
        return FileIO.files(under: dir, suffix: ".swift").map { dir + "/" + $0 }
    }

    /// What is wrong with `target`'s edges, given each of its files' imports: a package module
    /// imported without being declared, or a declared dependency no file imports.
    static func problems(_ target: PackageManifest.Target, files: [(path: String, imports: Set<String>)], local: Set<String>) -> [String] {
        // Products of other packages are declared as `P (package p)`.
        let declared = target.dependencies.map { String($0.split(separator: " ")[0]) }
        var out: [String] = []
        for file in files {
            for module in file.imports.sorted() where local.contains(module) && !declared.contains(module) {
                out.append("\(file.path) imports \(module), which \(target.name) does not declare in Package.swift")
            }
        }
        let imported = files.reduce(into: Set<String>()) { $0.formUnion($1.imports) }
        for module in declared where !imported.contains(module) {
            out.append("\(target.name) declares \(module) in Package.swift but no file of it imports it")
        }
        return out
    }

    func testImportsAreExactlyTheDeclaredDependencies() throws {
        let root = TestSupport.root
        let manifest = try PackageManifest.load(root: root)
        XCTAssertNotNil(manifest.layers(), "the dependencies form a cycle")
        let local = Set(manifest.targets.map(\.name))
        var checked = 0
        for target in manifest.targets {
            let files = try Self.swiftFiles(target, root: root).map { path in
                (path: String(path.dropFirst(root.count + 1)), imports: SwiftSource.imports(String(decoding: try FileIO.read(path), as: UTF8.self)))
            }
            guard !files.isEmpty else { continue }   // C and system-library targets
            checked += 1
            for problem in Self.problems(target, files: files, local: local) { XCTFail(problem) }
        }
        XCTAssertGreaterThanOrEqual(checked, 12)
    }

    func testProblemsNameUndeclaredImportsAndUnusedDependencies() {
        let target = PackageManifest.Target(name: "Driver", kind: .target, dependencies: ["ELF", "Native", "Parser (package p)"], summary: "")
        let files: [(path: String, imports: Set<String>)] = [("a.swift", ["ELF", "Link", "Glibc"]), ("b.swift", ["Parser"])]
        XCTAssertEqual(Self.problems(target, files: files, local: ["ELF", "Link", "Native", "Driver"]), [
            "a.swift imports Link, which Driver does not declare in Package.swift",
            "Driver declares Native in Package.swift but no file of it imports it",
        ])
        XCTAssertEqual(Self.problems(target, files: files + [("c.swift", ["Native", "Link"])], local: ["ELF", "Native"]), [])
    }

    func testManifestReader() throws {
        let text = """
            // swift-tools-version:5.9
            let package = Package(
                name: "P",
                products: [
                    /// A comment (with "quotes" and a ( paren).
                    .library(name: "Lib", targets: ["A", "B"]),
                ],
                dependencies: [.package(url: "https://example.com/x", from: "1.0.0")],
                targets: [
                    .systemLibrary(name: "CSys", pkgConfig: "sys", providers: [.apt(["libsys-dev"])]),
                    /// The bottom.
                    .target(name: "A", linkerSettings: [.linkedLibrary("m")]),
                    /// Uses A and
                    /// a product.
                    .target(name: "B", dependencies: ["A", "CSys", .product(name: "Parser", package: "x")]),
                    .executableTarget(name: "tool", dependencies: [
                        "B",
                    ]),
                    .testTarget(name: "T", dependencies: ["tool", "A"], exclude: ["R"]),
                ]
            )
            """
        let m = try PackageManifest(text: text)
        XCTAssertEqual(m.products, [.init(name: "Lib", targets: ["A", "B"])])
        XCTAssertEqual(m.targets.map(\.name), ["CSys", "A", "B", "tool", "T"])
        XCTAssertEqual(m["B"]?.dependencies, ["A", "CSys", "Parser (package x)"])
        XCTAssertEqual(m["B"]?.summary, "Uses A and a product.")
        XCTAssertEqual(m["A"]?.summary, "The bottom.")
        XCTAssertEqual(m["A"]?.dependencies, [])
        XCTAssertEqual(m["tool"]?.kind, .executableTarget)
        XCTAssertEqual(m["T"]?.dependencies, ["tool", "A"])
        XCTAssertEqual(m.layers(), ["CSys": 0, "A": 0, "B": 1, "tool": 2, "T": 3])
        var cyclic = m
        cyclic.targets[1].dependencies = ["tool"]
        XCTAssertNil(cyclic.layers())
    }

    func testImportScanner() {
        let text = """
            import A
            @testable import B
            #if canImport(C)
            import C
            #endif
            import struct D.Thing
            // import E
            let x = "import F"
            """
        XCTAssertEqual(SwiftSource.imports(text), ["A", "B", "C", "D"])
    }
}
