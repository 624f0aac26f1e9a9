import CrossRunDriver
import CrossRunRuntime
import CrossRunSupport
import XCTest

/// Every function and variable of the runtime's import table is exercised by a fixture, so
/// `FixtureTests` checks it on every target against the host's own libc.
///
/// A name counts as used when a fixture source (`fixtures/*.c`, `fixtures/*/*.c`; comments and
/// string literals removed) contains it as an identifier, or contains a macro of `include/`
/// whose definition mentions it (`errno` reaches `__errno_location`, `assert` `__assert_fail`).
/// Excluded: the compiler helpers (`RuntimeSymbols` entries from libgcc, such as `__divti3`
/// and `__addtf3`), which clang calls on its own and which have unit tests of their own
/// (`HostLibcTests`, `Binary128Tests`).
final class LibcCoverageTests: XCTestCase {
    /// Names no fixture can reach, each with the reason. Keep it empty unless truly impossible.
    static let allowlist: [String: String] = {
        // The thread primitives are called by the guest thread library (runtime/), not by
        // programs; every thread fixture exercises them through pthread_create & co.
        var list: [String: String] = [:]
        for name in RuntimeSymbols.threadPrimitives { list[name] = "called by runtime/pthread*.c, not by programs" }
        for name in RuntimeSymbols.hostStringFunctions {
            list["__crossrun_host_" + name] = "called by runtime/string.c (emulated images), not by programs"
        }
        for name in RuntimeSymbols.complexHostCalls { list[name] = "called by runtime/complex.c (emulated images), not by programs" }
        return list
    }()

    /// Source text with comments, string and character literals blanked out.
    static func code(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        func at(_ j: Int) -> UInt8 { j < text.count ? text[j] : 0 }
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: "/") && at(i + 1) == UInt8(ascii: "*") {
                i += 2
                while i < text.count && !(text[i] == UInt8(ascii: "*") && at(i + 1) == UInt8(ascii: "/")) { i += 1 }
                i += 2
                out.append(UInt8(ascii: " "))
            } else if c == UInt8(ascii: "/") && at(i + 1) == UInt8(ascii: "/") {
                while i < text.count && text[i] != UInt8(ascii: "\n") { i += 1 }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                i += 1
                while i < text.count && text[i] != c && text[i] != UInt8(ascii: "\n") {
                    i += text[i] == UInt8(ascii: "\\") ? 2 : 1
                }
                i += 1
                out.append(UInt8(ascii: " "))
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    /// The identifiers in C source text.
    static func identifiers(_ text: [UInt8]) -> Set<String> {
        var words = Set<String>()
        var word: [UInt8] = []
        func isIdentifier(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x5f
        }
        for c in text + [0] {
            if isIdentifier(c) { word.append(c); continue }
            if let first = word.first, !(first >= 0x30 && first <= 0x39) { words.insert(String(decoding: word, as: UTF8.self)) }
            word.removeAll(keepingCapacity: true)
        }
        return words
    }

    /// Every identifier the fixtures use.
    static func fixtureIdentifiers() throws -> Set<String> {
        let dir = TestSupport.root + "/fixtures"
        var words = Set<String>()
        for path in FileIO.files(under: dir, suffix: ".c") where path.split(separator: "/").count <= 2 {
            words.formUnion(identifiers(code(try FileIO.read(dir + "/" + path))))
        }
        return words
    }

    /// For each identifier, the macros of `include/` whose definitions mention it.
    static func macrosMentioning() throws -> [String: Set<String>] {
        let include = TestSupport.toolchain.includeDirectory
        var result: [String: Set<String>] = [:]
        for file in FileIO.files(under: include, suffix: ".h") {
            let text = String(decoding: try FileIO.read(include + "/" + file), as: UTF8.self)
            for line in text.split(separator: "\n") {
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                guard trimmed.hasPrefix("#") else { continue }
                let directive = trimmed.dropFirst().drop { $0 == " " || $0 == "\t" }
                guard directive.hasPrefix("define") else { continue }
                let words = identifiers(code(Array(directive.dropFirst("define".count).utf8)))
                let name = directive.dropFirst("define".count).drop { $0 == " " || $0 == "\t" }.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                for word in words where word != String(name) { result[word, default: []].insert(String(name)) }
            }
        }
        return result
    }

    /// The table's names that no fixture reaches.
    static func uncovered() throws -> [String] {
        let used = try fixtureIdentifiers()
        let macros = try macrosMentioning()
        return RuntimeSymbols.all.values.filter { symbol in
            symbol.library != .libgcc && !used.contains(symbol.name) && macros[symbol.name, default: []].isDisjoint(with: used)
        }.map(\.name).sorted()
    }

    func testEveryRuntimeSymbolIsExercisedByAFixture() throws {
        let missing = try Self.uncovered().filter { Self.allowlist[$0] == nil }
        XCTAssertEqual(missing, [], "runtime functions no fixture in fixtures/ calls: add them to a conf_* fixture")
    }

    func testAllowlistIsCurrent() throws {
        let uncovered = Set(try Self.uncovered())
        for name in Self.allowlist.keys.sorted() {
            XCTAssertNotNil(RuntimeSymbols.all[name], "\(name) is allowlisted but not in the runtime table")
            XCTAssertTrue(uncovered.contains(name), "\(name) is allowlisted but a fixture covers it now")
        }
    }

    /// The scanner itself: identifiers in code count, those in comments and strings do not, and
    /// macros lead to what they expand to.
    func testScanner() throws {
        let words = Self.identifiers(Self.code(Array("""
        int main(void) { /* sinh( */ puts("cosh"); // tanh(
        return errno + '"' + sqrt(x); }
        """.utf8)))
        XCTAssertTrue(words.isSuperset(of: ["puts", "errno", "sqrt", "main"]))
        XCTAssertTrue(words.isDisjoint(with: ["sinh", "cosh", "tanh"]))
        let macros = try Self.macrosMentioning()
        XCTAssertTrue(macros["__errno_location", default: []].contains("errno"))
        XCTAssertTrue(macros["__assert_fail", default: []].contains("assert"))
    }
}
