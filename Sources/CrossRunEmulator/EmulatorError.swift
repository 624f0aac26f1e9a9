import CUnicorn

/// Why a program cannot be run under the emulator.
public enum EmulatorError: Error, CustomStringConvertible {
    /// Imports that neither the host libc table nor the guest runtime provide.
    case unimplementedImports([String])
    /// libunicorn refused an operation.
    case engine(String, uc_err)
    /// Not enough memory for the guest.
    case resources(String)
    /// The entry symbol is missing.
    case noEntry(String)

    public var description: String {
        switch self {
        case .unimplementedImports(let names):
            return "the emulator's C library does not provide: \(names.joined(separator: ", "))"
        case .engine(let what, let err):
            return "emulator failure while \(what): \(String(cString: uc_strerror(err)))"
        case .resources(let m): return m
        case .noEntry(let e): return "entry symbol '\(e)' is not defined by the program"
        }
    }
}
