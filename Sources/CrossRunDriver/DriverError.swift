/// A problem with the user's command line, inputs or toolchain.
public enum DriverError: Error, CustomStringConvertible, Sendable {
    /// Clang reported errors: `diagnostics` is what it printed (already shown on stderr
    /// unless the ``Compiler`` was told not to echo them).
    case compileFailed(file: String, diagnostics: String = "")
    /// An input the driver cannot use.
    case badInput(file: String, message: String)
    /// A bad option or option value.
    case usage(String)
    /// The toolchain or CrossRun's own files could not be found.
    case environment(String)

    public var description: String {
        switch self {
        case .compileFailed(let file, _): return "\(file): compilation failed"
        case .badInput(let file, let message): return "\(file): \(message)"
        case .usage(let m): return m
        case .environment(let m): return m
        }
    }
}
