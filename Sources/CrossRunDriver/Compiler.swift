import CrossRunELF

/// Compiles C (and assembly) to ELF objects with clang, following the compile policy of
/// DESIGN.md §3: position-independent, CrossRun's headers only, per-target flags.
public struct Compiler: Sendable {
    public let toolchain: Toolchain

    public init(toolchain: Toolchain) { self.toolchain = toolchain }

    /// The clang arguments (without input and output) for `target`.
    public func arguments(for target: Target, options: CompileOptions) -> [String] {
        ["--target=\(target.triple)", "-c", "-fPIC", "-nostdlibinc",
         "-isystem", toolchain.includeDirectory, "-D__CROSSRUN__=1",
         "-fno-asynchronous-unwind-tables", "-fno-stack-protector", "-fcolor-diagnostics"]
            .filter { $0 != "-fcolor-diagnostics" || isatty(2) != 0 }
            + target.policyFlags + options.clangFlags
    }

    /// Compiles `source` (a path, shown in diagnostics as `displayName`) into an object.
    /// When `sourceFromStdin` is set, `source` is fed to clang on stdin as `-x c -`.
    public func compile(_ source: String, displayName: String, target: Target, options: CompileOptions,
                        scratch: String, index: Int = 0) throws -> ObjectFile {
        let output = "\(scratch)/\(index)-\(Self.sanitized(displayName)).o"
        var args = arguments(for: target, options: options) + ["-o", output]
        args.append(source)
        let result = try Subprocess.run(toolchain.clang, args)
        guard result.status == 0 else { throw DriverError.compileFailed(file: displayName) }
        let bytes = try FileIO.read(output)
        return try ObjectFile(bytes: bytes, name: displayName)
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
