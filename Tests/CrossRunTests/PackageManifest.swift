import CrossRunSupport

/// The targets and products `Package.swift` declares, read from its text (running SwiftPM from
/// inside `swift test` would wait for the build directory's lock). The manifest is plain
/// declarative Swift: each target is a `.target(name: "X", dependencies: [...])` call whose
/// dependencies are string literals or `.product(name: "P", package: "p")`.
struct PackageManifest: Equatable {
    struct Target: Equatable {
        enum Kind: String {
            case target, executableTarget, testTarget, systemLibrary
        }
        var name: String
        var kind: Kind
        /// Target names, and products of other packages as `P (package p)`.
        var dependencies: [String]
        /// The `///` comment above the declaration, joined into one line.
        var summary: String
    }

    struct Product: Equatable {
        var name: String
        var targets: [String]
    }

    var targets: [Target] = []
    var products: [Product] = []

    /// Parses the manifest's text; a malformed call is an error naming what is wrong.
    init(text: String) throws {
        let chars = Array(text.utf8)
        for (kind, start, end) in Self.calls(chars, names: ["target", "executableTarget", "testTarget", "systemLibrary", "library", "executable"]) {
            let body = String(decoding: chars[start..<end], as: UTF8.self)
            guard let name = Self.firstString(after: "name:", in: body) else {
                throw ManifestError("a .\(kind)( call without name: at byte \(start)")
            }
            if kind == "library" || kind == "executable" {
                products.append(Product(name: name, targets: Self.list(after: "targets:", in: body) ?? []))
                continue
            }
            guard let k = Target.Kind(rawValue: kind) else { continue }
            targets.append(Target(name: name, kind: k, dependencies: Self.list(after: "dependencies:", in: body) ?? [],
                                  summary: SwiftSource.docComment(before: start, in: chars)))
        }
    }

    /// The manifest of the package at `root`.
    static func load(root: String) throws -> PackageManifest {
        try PackageManifest(text: String(decoding: try FileIO.read(root + "/Package.swift"), as: UTF8.self))
    }

    subscript(name: String) -> Target? { targets.first { $0.name == name } }

    /// Each target's layer: 0 without dependencies inside the package, else one more than its
    /// highest dependency; nil when the dependencies form a cycle (or name a missing target).
    func layers() -> [String: Int]? {
        var layer: [String: Int] = [:]
        let local = Set(targets.map(\.name))
        var left = targets
        while !left.isEmpty {
            let ready = left.filter { t in t.dependencies.allSatisfy { !local.contains($0) || layer[$0] != nil } }
            guard !ready.isEmpty else { return nil }
            for t in ready { layer[t.name] = 1 + (t.dependencies.compactMap { layer[$0] }.max() ?? -1) }
            left.removeAll { t in ready.contains { $0.name == t.name } }
        }
        return layer
    }

    /// Offsets of each `.name(` call's arguments (after `(` up to its matching `)`).
    private static func calls(_ c: [UInt8], names: Set<String>) -> [(String, Int, Int)] {
        var out: [(String, Int, Int)] = []
        var i = 0
        while i < c.count {
            if c[i] == UInt8(ascii: "\"") { i = skipString(c, i); continue }
            if c[i] == UInt8(ascii: "/"), i + 1 < c.count, c[i + 1] == UInt8(ascii: "/") {
                while i < c.count, c[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            }
            guard c[i] == UInt8(ascii: ".") else { i += 1; continue }
            var j = i + 1
            while j < c.count, isIdentifier(c[j]) { j += 1 }
            let name = String(decoding: c[(i + 1)..<j], as: UTF8.self)
            guard j < c.count, c[j] == UInt8(ascii: "("), names.contains(name) else { i = j; continue }
            var depth = 1, k = j + 1
            while k < c.count, depth > 0 {
                if c[k] == UInt8(ascii: "\"") { k = skipString(c, k); continue }
                if c[k] == UInt8(ascii: "(") { depth += 1 } else if c[k] == UInt8(ascii: ")") { depth -= 1 }
                k += 1
            }
            out.append((name, j + 1, k - 1))
            i = j + 1   // nested calls (.product inside a target) are visited too, and ignored
        }
        return out
    }

    private static func isIdentifier(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }

    /// The index after the string literal starting at `i`.
    private static func skipString(_ c: [UInt8], _ i: Int) -> Int {
        var k = i + 1
        while k < c.count, c[k] != UInt8(ascii: "\"") { k += c[k] == UInt8(ascii: "\\") ? 2 : 1 }
        return k + 1
    }

    /// The first string literal after `label` in `body`.
    static func firstString(after label: String, in body: String) -> String? {
        guard let at = body.range(of: label) else { return nil }
        let rest = body[at.upperBound...]
        guard let open = rest.firstIndex(of: "\"") else { return nil }
        let after = rest[rest.index(after: open)...]
        guard let close = after.firstIndex(of: "\"") else { return nil }
        return String(after[..<close])
    }

    /// The entries of the `[...]` list after `label`: string literals, and `.product(name:
    /// "P", package: "p")` as `P (package p)`.
    static func list(after label: String, in body: String) -> [String]? {
        guard let at = body.range(of: label), let open = body[at.upperBound...].firstIndex(of: "[") else { return nil }
        var depth = 0, end = open
        for i in body[open...].indices {
            if body[i] == "[" { depth += 1 } else if body[i] == "]" { depth -= 1; if depth == 0 { end = i; break } }
        }
        var entries: [String] = []
        var rest = body[body.index(after: open)..<end]
        while let quote = rest.firstIndex(of: "\"") {
            let before = rest[..<quote]
            let after = rest[rest.index(after: quote)...]
            guard let close = after.firstIndex(of: "\"") else { break }
            let literal = String(after[..<close])
            rest = after[after.index(after: close)...]
            if before.hasSuffix(".product(name: ") {
                let package = firstString(after: "package:", in: String(rest)) ?? "?"
                entries.append("\(literal) (package \(package))")
                if let paren = rest.firstIndex(of: ")") { rest = rest[rest.index(after: paren)...] }
            } else {
                entries.append(literal)
            }
        }
        return entries
    }
}

struct ManifestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Facts read from Swift source text.
enum SwiftSource {
    /// The `///` lines directly above byte `offset`'s line (attributes such as `@MainActor`
    /// between them and the declaration are skipped), joined with single spaces.
    static func docComment(before offset: Int, in c: [UInt8]) -> String {
        let text = String(decoding: c[..<offset], as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        var comment: [String] = []
        while let last = lines.last?.trimmingSpaces {
            if last.hasPrefix("///") {
                comment.insert(String(last.dropFirst(3)).trimmingSpaces, at: 0)
            } else if !last.hasPrefix("@") {
                break
            }
            lines.removeLast()
        }
        return comment.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The modules `text` imports (`import X`, `@testable import X`, `import struct X.Y`),
    /// `#if canImport` blocks included.
    static func imports(_ text: String) -> Set<String> {
        var out = Set<String>()
        for line in text.split(separator: "\n") {
            var words = line.trimmingSpaces.split(separator: " ").map(String.init)
            while let first = words.first, first.hasPrefix("@") { words.removeFirst() }
            guard words.first == "import", words.count >= 2 else { continue }
            let kinds: Set<String> = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"]
            let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
            if let module = path.split(separator: ".").first { out.insert(String(module)) }
        }
        return out
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
