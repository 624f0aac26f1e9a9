import CrossRunDriver
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// One end-to-end program from `fixtures/` with its expected results.
///
/// Conventions: `NAME.c` (or a directory `NAME/` with `main.c` and more sources) with
/// `NAME.expected` (exact stdout), optional `NAME.exitcode` (default 0), `NAME.args` (one
/// argument per line) and `NAME.stdin`. A program whose output depends on the target (type
/// sizes, `char` signedness, `long double` precision) adds `NAME.TARGET.expected` (TARGET:
/// `x64`, `aarch64`, `rv64`) for the targets that differ from `NAME.expected`.
struct Fixture {
    var name: String
    /// Source files, `main.c` first for directory fixtures.
    var sources: [String]
    /// Extra compile flags (`-I DIR` for directory fixtures).
    var flags: [String]
    var expected: [UInt8]
    /// Expected stdout for targets that differ from ``expected``.
    var targetExpected: [String: [UInt8]] = [:]
    var exitCode: Int32
    var arguments: [String]
    var stdin: [UInt8]

    static var directory: String { TestSupport.root + "/fixtures" }

    /// Every fixture, sorted by name.
    static func all() throws -> [Fixture] {
        let names = FileIO.entries(of: directory).filter { $0.hasSuffix(".expected") }.map { String($0.dropLast(".expected".count)) }
            .filter { name in !Target.allCases.contains { name.hasSuffix("." + $0.rawValue) } }
        return try names.sorted().map(load)
    }

    static func load(_ name: String) throws -> Fixture {
        let base = directory + "/" + name
        var sources: [String] = []
        var flags: [String] = []
        if FileIO.isDirectory(base) {
            sources = [base + "/main.c"] + listC(base).filter { $0 != "main.c" }.sorted().map { base + "/" + $0 }
            flags = ["-I", base]
        } else {
            sources = [base + ".c"]
        }
        func optional(_ ext: String) throws -> [UInt8]? {
            FileIO.exists(base + ext) ? try FileIO.read(base + ext) : nil
        }
        let exit = try optional(".exitcode").map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() }
        let args = try optional(".args").map { String(decoding: $0, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        var fixture = Fixture(name: name, sources: sources, flags: flags, expected: try FileIO.read(base + ".expected"),
                              exitCode: Int32(exit ?? "0") ?? -1,
                              arguments: args.last == "" ? Array(args.dropLast()) : args,
                              stdin: try optional(".stdin") ?? [])
        for target in Target.allCases {
            if let e = try optional(".\(target.rawValue).expected") { fixture.targetExpected[target.rawValue] = e }
        }
        return fixture
    }

    /// The stdout expected on `target`.
    func expected(on target: Target) -> [UInt8] { targetExpected[target.rawValue] ?? expected }

    static func listC(_ dir: String) -> [String] { FileIO.entries(of: dir).filter { $0.hasSuffix(".c") } }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
