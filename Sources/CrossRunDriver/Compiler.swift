import CrossRunELF
import CrossRunSupport

/// Compiles C (and assembly) to ELF objects with clang, following the compile policy of
/// DESIGN.md §3: position-independent, CrossRun's headers only, per-target flags.
public struct Compiler: Sendable {
    public let toolchain: Toolchain
    /// Where objects are cached (``CompileCache``); `nil` always runs clang.
    public var cache: CompileCache?
    /// Whether clang's diagnostics go to this process's stderr as they arrive. When not, a
    /// failed compile carries them in ``DriverError/compileFailed(file:diagnostics:)`` and
    /// warnings are dropped.
    public var echoDiagnostics = true

    public init(toolchain: Toolchain, cache: CompileCache? = nil) {
        self.toolchain = toolchain
        self.cache = cache
    }

    /// Whether diagnostics are coloured (clang's colours, when echoing to a terminal).
    var colorDiagnostics: Bool { echoDiagnostics && isatty(2) != 0 }

    /// The clang arguments (without input and output) for `target`.
    public func arguments(for target: Target, options: CompileOptions) -> [String] {
        ["--target=\(target.triple)", "-c", "-fPIC", "-nostdlibinc",
         "-isystem", toolchain.includeDirectory, "-D__CROSSRUN__=1",
         "-fno-asynchronous-unwind-tables", "-fno-stack-protector"]
            + (colorDiagnostics ? ["-fcolor-diagnostics"] : [])
            + target.policyFlags + options.clangFlags
    }

    /// Compiles `source` (a path, shown in diagnostics as `displayName`) into an object,
    /// through the cache when there is one. `scratch` (a directory for clang's outputs) is
    /// asked for only when clang runs.
    public func compile(_ source: String, displayName: String, target: Target, options: CompileOptions,
                        scratch: @autoclosure () throws -> String, index: Int = 0) throws -> ObjectFile {
        let args = arguments(for: target, options: options)
        let key = cache?.key(compiler: toolchain.clang, arguments: args, source: source)
        if let cache, let key, let hit = cache.lookup(key) {
            show(hit.diagnostics)
            return try ObjectFile(bytes: hit.object, name: displayName)
        }
        cache?.recordMiss()
        let directory = try scratch()
        let output = "\(directory)/\(index)-\(Self.sanitized(displayName)).o"
        let depfile = output + ".d"
        let started = FileIO.now()
        var options = Subprocess.Options()
        options.captureError = true
        let result = try Subprocess.run(toolchain.clang, args + (key == nil ? [] : ["-MD", "-MF", depfile]) + ["-o", output, source],
                                        options: options)
        show(result.error)
        guard result.status == 0 else {
            throw DriverError.compileFailed(file: displayName, diagnostics: String(decoding: Self.plain(result.error), as: UTF8.self))
        }
        let bytes = try FileIO.read(output)
        let object = try ObjectFile(bytes: bytes, name: displayName)
        if let cache, let key {
            cache.store(key, dependencyFile: depfile, object: bytes, diagnostics: result.error, started: started)
        }
        return object
    }

    /// Writes clang's diagnostics to stderr when echoing (without colours if stderr is not a terminal).
    func show(_ diagnostics: [UInt8]) {
        guard echoDiagnostics, !diagnostics.isEmpty else { return }
        let text = colorDiagnostics ? diagnostics : Self.plain(diagnostics)
        _ = text.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, StandardStreams.error) }
        fflush(StandardStreams.error)
    }

    /// `bytes` without ANSI colour sequences (`ESC [ ... m`).
    static func plain(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x1b, i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "[") {
                var j = i + 2
                while j < bytes.count, (bytes[j] >= 0x30 && bytes[j] <= 0x3f) || bytes[j] == UInt8(ascii: ";") { j += 1 }
                if j < bytes.count { i = j + 1; continue }
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    /// A file-name-safe form of an input's last path component.
    static func sanitized(_ name: String) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? "input"
        return String(base.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "_" })
    }
}

#if canImport(Glibc)
import Glibc
#endif
