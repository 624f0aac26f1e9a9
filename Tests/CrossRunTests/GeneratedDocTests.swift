import CrossRunSupport
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The generated parts of the hand-written docs: `doc/TESTING.md`'s table of test classes
/// (name, files, and what each covers, from the class's and its extensions' `///` comments) and
/// `doc/ARCHITECTURE.md`'s module graph (every target, its layer and its dependencies, exactly
/// as `Package.swift` declares them). Each lies between `BEGIN GENERATED`/`END GENERATED`
/// markers; the test fails when one is stale, and `CROSSRUN_UPDATE_DOCS=1 swift test --filter
/// GeneratedDocTests` rewrites them (as `LibcDocTests` does for doc/LIBC.md).
final class GeneratedDocTests: XCTestCase {
    /// A test class: where it is declared and extended, and its comments.
    struct TestClass {
        var name: String
        var files: [String]
        var summary: [String]
    }

    /// Every `XCTestCase` subclass and `@Suite struct` in `Tests/CrossRunTests`, by name.
    static func testClasses(root: String) throws -> [TestClass] {
        let dir = root + "/Tests/CrossRunTests"
        let files = FileIO.files(under: dir, suffix: ".swift").filter { !$0.contains("/") }
        var classes: [String: TestClass] = [:]
        var extensions: [(name: String, file: String, summary: String)] = []
        for file in files {
            let bytes = try FileIO.read(dir + "/" + file)
            let text = String(decoding: bytes, as: UTF8.self)
            var offset = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                defer { offset += line.utf8.count + 1 }
                let words = line.split(separator: " ").map(String.init)
                if let c = words.firstIndex(of: "class"), c + 2 < words.count, words[c + 2] == "XCTestCase", words[c + 1].hasSuffix(":"),
                   line.hasPrefix("class ") || line.hasPrefix("final class ") {
                    let name = String(words[c + 1].dropLast())
                    classes[name] = TestClass(name: name, files: [file], summary: [SwiftSource.docComment(before: offset, in: bytes)])
                } else if line.hasPrefix("@Suite struct "), words.count >= 3 {
                    // A Swift Testing suite: its attribute line carries the doc comment.
                    let name = words[2].hasSuffix(":") || words[2].hasSuffix("{") ? String(words[2].dropLast()) : words[2]
                    classes[name] = TestClass(name: name, files: [file], summary: [SwiftSource.docComment(before: offset, in: bytes)])
                } else if line.hasPrefix("extension "), words.count >= 2, text.contains("func test") {
                    extensions.append((words[1].hasSuffix(":") ? String(words[1].dropLast()) : words[1], file, SwiftSource.docComment(before: offset, in: bytes)))
                }
            }
        }
        for e in extensions where classes[e.name] != nil {
            if classes[e.name]?.files.contains(e.file) == false { classes[e.name]?.files.append(e.file) }
            if !e.summary.isEmpty { classes[e.name]?.summary.append("`\(e.file.dropLast(6))`: " + e.summary) }
        }
        return classes.values.sorted { $0.name < $1.name }
    }

    static func renderTestTable(root: String) throws -> String {
        var out = "| class | files | what it covers |\n|---|---|---|\n"
        for c in try testClasses(root: root) {
            let files = c.files.map { "`\($0)`" }.joined(separator: ", ")
            out += "| `\(c.name)` | \(files) | \(c.summary.filter { !$0.isEmpty }.joined(separator: " ").replacingPipes) |\n"
        }
        return out
    }

    static func renderModuleGraph(_ manifest: PackageManifest, root: String) throws -> String {
        guard let layers = manifest.layers() else { throw ManifestError("Package.swift's dependencies form a cycle") }
        func kind(_ t: PackageManifest.Target) -> String {
            switch t.kind {
            case .systemLibrary: return "system library"
            case .executableTarget: return "executable"
            case .testTarget: return "tests"
            case .target:
                return FileIO.files(under: root + "/Sources/" + t.name, suffix: ".swift").isEmpty ? "C" : "Swift"
            }
        }
        let ordered = manifest.targets.sorted { (layers[$0.name] ?? 0, $0.name) < (layers[$1.name] ?? 0, $1.name) }
        var out = "| layer | module | kind | depends on |\n|---|---|---|---|\n"
        for t in ordered {
            let deps = t.dependencies.map { "`\($0)`" }.joined(separator: ", ")
            out += "| \(layers[t.name] ?? 0) | `\(t.name)` | \(kind(t)) | \(deps.isEmpty ? "—" : deps) |\n"
        }
        out += "\nProducts: " + manifest.products.map { p in
            "`\(p.name)` (" + p.targets.map { "`\($0)`" }.joined(separator: ", ") + ")"
        }.joined(separator: "; ") + ".\n"
        return out
    }

    func testTestingDocListsEveryTestClass() throws {
        let classes = try Self.testClasses(root: TestSupport.root)
        XCTAssertGreaterThan(classes.count, 50)
        for c in classes where c.summary.first?.isEmpty ?? true {
            XCTFail("\(c.name) (\(c.files[0])) has no /// comment saying what it covers")
        }
        try GeneratedRegion.check("test-classes", file: "doc/TESTING.md", content: try Self.renderTestTable(root: TestSupport.root))
    }

    func testArchitectureDocShowsPackageModuleGraph() throws {
        let manifest = try PackageManifest.load(root: TestSupport.root)
        try GeneratedRegion.check("module-graph", file: "doc/ARCHITECTURE.md", content: try Self.renderModuleGraph(manifest, root: TestSupport.root))
    }

    /// The region check itself: a stale region is reported, missing or doubled markers are errors.
    func testRegionReplacement() throws {
        let text = "intro\n" + GeneratedRegion.begin("x") + "\nold\n" + GeneratedRegion.end("x") + "\noutro\n"
        XCTAssertEqual(try GeneratedRegion.replacing("x", in: text, with: "new\n"),
                       "intro\n" + GeneratedRegion.begin("x") + "\nnew\n" + GeneratedRegion.end("x") + "\noutro\n")
        XCTAssertThrowsError(try GeneratedRegion.replacing("y", in: text, with: "new\n"))
        XCTAssertThrowsError(try GeneratedRegion.replacing("x", in: text + text, with: "new\n"))
    }
}

/// A generated part of a hand-written file, between two marker lines.
enum GeneratedRegion {
    static let regenerate = "CROSSRUN_UPDATE_DOCS=1 swift test --filter GeneratedDocTests"

    static func begin(_ name: String) -> String { "<!-- BEGIN GENERATED \(name): do not edit; regenerate with \(regenerate) -->" }
    static func end(_ name: String) -> String { "<!-- END GENERATED \(name) -->" }

    /// `text` with region `name`'s lines replaced by `content` (which ends with a newline).
    static func replacing(_ name: String, in text: String, with content: String) throws -> String {
        let parts = text.components(separatedBy: begin(name) + "\n")
        guard parts.count == 2 else { throw ManifestError("expected one '\(begin(name))' line, found \(parts.count - 1)") }
        let tail = parts[1].components(separatedBy: end(name) + "\n")
        guard tail.count == 2 else { throw ManifestError("expected one '\(end(name))' line after the start, found \(tail.count - 1)") }
        return parts[0] + begin(name) + "\n" + content + end(name) + "\n" + tail[1]
    }

    /// Fails the test when region `name` of `file` (relative to the package root) is not
    /// `content`; rewrites it instead under `CROSSRUN_UPDATE_DOCS`.
    static func check(_ name: String, file: String, content: String, line: UInt = #line) throws {
        let path = TestSupport.root + "/" + file
        let current = String(decoding: try FileIO.read(path), as: UTF8.self)
        let wanted = try replacing(name, in: current, with: content)
        if getenv("CROSSRUN_UPDATE_DOCS") != nil {
            if wanted != current { try FileIO.write(Array(wanted.utf8), to: path) }
            return
        }
        XCTAssertEqual(current, wanted, "\(file) is stale (region \(name)): run \(regenerate)", line: line)
    }
}

extension String {
    /// Safe inside a Markdown table cell.
    var replacingPipes: String { replacingOccurrences(of: "|", with: "\\|") }
}
