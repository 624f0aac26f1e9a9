import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// One test program for `crossrun test`, with what it should do.
///
/// Conventions (the project's `fixtures/` follow them): a test is `NAME.c`, or a directory
/// `NAME/` holding `main.c` (all its `.c` files are compiled, with `-I NAME/`). Beside it, with
/// `BASE` = `NAME` (and, for a single file, also `NAME.c`):
///
/// | file | meaning |
/// |---|---|
/// | `BASE.expected` | exact stdout; without it the test is *self-checking* (only the exit status counts) |
/// | `BASE.TARGET.expected` | stdout on `TARGET` (`x64`, `aarch64`, `rv64`) when it differs |
/// | `BASE.exitcode` | expected exit status (default 0) |
/// | `BASE.args` | program arguments, one per line |
/// | `BASE.stdin` | bytes fed to stdin (default: empty) |
public struct TestCase: Sendable {
    /// The path below the searched directory, without `.c` (`hello`, `sub/multi`).
    public var name: String
    /// Where the side files live: the test's path without `.c` (absolute).
    public var base: String
    /// Absolute source paths (`main.c` first for a directory test).
    public var sources: [String]
    /// Extra compile flags (`-I DIR` for a directory test).
    public var flags: [String]
    /// Expected stdout, or `nil` for a self-checking test.
    public var expectedOutput: [UInt8]?
    /// Expected stdout on targets that differ from ``expectedOutput``.
    public var targetOutput: [Target: [UInt8]] = [:]
    /// Expected exit status.
    public var exitStatus: Int32
    /// Program arguments.
    public var arguments: [String]
    /// File fed to stdin, if any.
    public var standardInput: String?
    /// The side-file prefixes that exist or may be written, preferred first (`BASE`, `BASE.c`).
    public var sidePrefixes: [String]

    /// The stdout expected on `target` (`nil`: not checked).
    public func expectedOutput(on target: Target) -> [UInt8]? { targetOutput[target] ?? expectedOutput }

    /// The path of side file `ext` (`.expected`, `.args`…): the existing one, else the preferred name.
    public func sideFile(_ ext: String) -> String {
        sidePrefixes.map { $0 + ext }.first(where: FileIO.exists) ?? sidePrefixes[0] + ext
    }
}

/// Finds tests under files and directories.
public enum TestDiscovery {
    /// The tests in `paths`, in order: a `.c` file is one test; a directory holding `main.c` is
    /// one multi-file test; any other directory is searched recursively (hidden entries skipped)
    /// and each test in it is named by its path below it.
    public static func discover(_ paths: [String]) throws -> [TestCase] {
        var tests: [TestCase] = []
        for path in paths {
            guard let absolute = FileIO.realPath(path) else {
                throw DriverError.badInput(file: path, message: "no such file or directory")
            }
            if FileIO.isDirectory(absolute) {
                if FileIO.exists(absolute + "/main.c") {
                    tests.append(try load(directory: absolute, name: lastComponent(absolute)))
                } else {
                    var visited: Set<String> = [absolute]
                    tests += try search(absolute, prefix: "", visited: &visited)
                }
            } else if absolute.hasSuffix(".c") {
                tests.append(try load(file: absolute, name: String(lastComponent(absolute).dropLast(2))))
            } else {
                throw DriverError.badInput(file: path, message: "not a test (give .c files or directories)")
            }
        }
        return tests
    }

    /// `test` read again from disk (after its expected files changed).
    public static func reload(_ test: TestCase) throws -> TestCase {
        test.flags.isEmpty ? try load(file: test.sources[0], name: test.name) : try load(directory: test.base, name: test.name)
    }

    /// The tests below `dir`; `visited` holds resolved directories already searched (symbolic
    /// links may loop).
    static func search(_ dir: String, prefix: String, visited: inout Set<String>) throws -> [TestCase] {
        var tests: [TestCase] = []
        for entry in FileIO.entries(of: dir).sorted() where !entry.hasPrefix(".") {
            let path = dir + "/" + entry
            if FileIO.isDirectory(path) {
                if FileIO.exists(path + "/main.c") {
                    tests.append(try load(directory: path, name: prefix + entry))
                } else if visited.insert(FileIO.realPath(path) ?? path).inserted {
                    tests += try search(path, prefix: prefix + entry + "/", visited: &visited)
                }
            } else if entry.hasSuffix(".c") {
                tests.append(try load(file: path, name: prefix + String(entry.dropLast(2))))
            }
        }
        return tests
    }

    /// A single-file test: `path` is the absolute `.c` path.
    public static func load(file path: String, name: String) throws -> TestCase {
        let base = String(path.dropLast(2))
        return try load(name: name, base: base, prefixes: [base, path], sources: [path], flags: [])
    }

    /// A directory test: `dir` (absolute) holds `main.c` and maybe more `.c` files.
    public static func load(directory dir: String, name: String) throws -> TestCase {
        let others = FileIO.entries(of: dir).filter { $0.hasSuffix(".c") && $0 != "main.c" && !$0.hasPrefix(".") }.sorted()
        return try load(name: name, base: dir, prefixes: [dir], sources: [dir + "/main.c"] + others.map { dir + "/" + $0 },
                        flags: ["-I", dir])
    }

    static func load(name: String, base: String, prefixes: [String], sources: [String], flags: [String]) throws -> TestCase {
        func side(_ ext: String) throws -> (path: String, bytes: [UInt8])? {
            for p in prefixes where FileIO.exists(p + ext) { return (p + ext, try FileIO.read(p + ext)) }
            return nil
        }
        var status: Int32 = 0
        if let (path, bytes) = try side(".exitcode") {
            let text = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
            guard let value = Int32(text), (0...255).contains(value) else {
                throw DriverError.badInput(file: path, message: "not an exit status (expected a number 0-255)")
            }
            status = value
        }
        var arguments: [String] = []
        if let (_, bytes) = try side(".args") {
            arguments = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if arguments.last == "" { arguments.removeLast() }
        }
        var test = TestCase(name: name, base: base, sources: sources, flags: flags,
                            expectedOutput: try side(".expected")?.bytes, exitStatus: status, arguments: arguments,
                            standardInput: prefixes.map { $0 + ".stdin" }.first(where: FileIO.exists), sidePrefixes: prefixes)
        for target in Target.allCases {
            if let (_, bytes) = try side(".\(target.rawValue).expected") { test.targetOutput[target] = bytes }
        }
        return test
    }

    /// The last component of `path`.
    public static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
