import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// The compiler and CrossRun's own files (the libc headers) a run needs.
public struct Toolchain: Sendable {
    /// Path of the clang used for every target.
    public var clang: String
    /// CrossRun's installation root: holds `include/` (and later `runtime/`).
    public var home: String

    /// The headers guest programs compile against.
    public var includeDirectory: String { home + "/include" }

    public init(clang: String, home: String) {
        self.clang = clang
        self.home = home
    }

    /// Finds clang (`$CROSSRUN_CLANG`, else `$CC` when it names a clang, else the clang beside
    /// `swift`, else `clang` on `PATH`) and CrossRun's home (`$CROSSRUN_HOME`, else the ancestor
    /// of the executable or of the source tree that holds `include/crossrun.h`).
    public static func discover() throws -> Toolchain {
        Toolchain(clang: try findClang(), home: try findHome())
    }

    /// ``discover()``, but with `fallbackClang` (the clang that linked a `crossrun cc` program)
    /// when the environment names none: a launcher started with a `PATH` of the program's
    /// choosing (`PATH=dir prog`, as a test suite does) still runs.
    public static func discover(fallbackClang: String?) throws -> Toolchain {
        let clang: String
        do {
            clang = try findClang()
        } catch {
            guard let fallbackClang, access(fallbackClang, X_OK) == 0 else { throw error }
            clang = fallbackClang
        }
        return Toolchain(clang: clang, home: try findHome())
    }

    static func findClang() throws -> String {
        if let explicit = getenv("CROSSRUN_CLANG").map({ String(cString: $0) }), !explicit.isEmpty {
            return try executable(explicit, variable: "CROSSRUN_CLANG")
        }
        // A build system's `$CC` is often `gcc`, or `crossrun cc --target rv64` itself (make
        // exports command-line variables): only a single word naming a clang is taken.
        if let cc = getenv("CC").map({ String(cString: $0) }), isClangName(cc) {
            return try executable(cc, variable: "CC")
        }
        if let swift = searchPath("swift"), let real = FileIO.realPath(swift) {
            let candidate = FileIO.directory(of: real) + "/clang"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        if let p = searchPath("clang") { return p }
        throw DriverError.environment("no clang found: install the Swift toolchain (it ships clang) or set $CROSSRUN_CLANG")
    }

    /// Whether `$CC`'s value is one word whose file name is a clang (`clang`, `clang-21`, `/usr/bin/clang`).
    static func isClangName(_ cc: String) -> Bool {
        guard !cc.isEmpty, !cc.contains(" "), !cc.contains("\t") else { return false }
        let base = cc.split(separator: "/").last.map(String.init) ?? cc
        return base.hasPrefix("clang") && !base.hasPrefix("clang++")
    }

    /// `name` as an executable path (searched on `PATH` when it has no `/`).
    static func executable(_ name: String, variable: String) throws -> String {
        if name.contains("/") {
            guard access(name, X_OK) == 0 else { throw DriverError.environment("$\(variable) is '\(name)', which is not an executable") }
            return name
        }
        if let p = searchPath(name) { return p }
        throw DriverError.environment("$\(variable) is '\(name)', which is not on PATH")
    }

    static func searchPath(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        // By byte: splitting by Character costs grapheme breaking on every start.
        for dir in path.utf8.split(separator: UInt8(ascii: ":")) where !dir.isEmpty {
            let candidate = String(decoding: dir, as: UTF8.self) + "/" + name
            if access(candidate, X_OK) == 0 && !FileIO.isDirectory(candidate) { return candidate }
        }
        return nil
    }

    static func isHome(_ dir: String) -> Bool { FileIO.exists(dir + "/include/crossrun.h") }

    static func findHome() throws -> String {
        if let h = getenv("CROSSRUN_HOME").map({ String(cString: $0) }), !h.isEmpty {
            guard isHome(h) else { throw DriverError.environment("$CROSSRUN_HOME (\(h)) has no include/crossrun.h") }
            return h
        }
        var starts: [String] = []
        if let exe = FileIO.realPath("/proc/self/exe") { starts.append(FileIO.directory(of: exe)) }
        starts.append(FileIO.directory(of: #filePath))
        for start in starts {
            var dir = start
            while dir != "/" && !dir.isEmpty {
                if isHome(dir) { return dir }
                dir = FileIO.directory(of: dir)
            }
        }
        throw DriverError.environment("cannot find CrossRun's include/ directory; set $CROSSRUN_HOME to the CrossRun checkout")
    }
}
