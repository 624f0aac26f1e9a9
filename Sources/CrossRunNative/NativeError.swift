/// Why an image cannot be loaded natively.
public enum NativeError: Error, CustomStringConvertible, Sendable {
    /// The image is for another architecture than this host.
    case wrongMachine(image: String, host: String)
    /// `mmap`/`mprotect` failed.
    case memory(String)
    /// Imports the host libraries do not define.
    case unresolvedImports([String])
    /// The entry symbol is not a function of the image.
    case noEntry(String)
    /// A library could not be opened.
    case library(String)
    /// `--trace` asked for something the native backend cannot do.
    case trace(String)

    public var description: String {
        switch self {
        case .wrongMachine(let image, let host):
            return "the program is built for \(image) but this host is \(host): native execution needs a matching host (use --backend emu)"
        case .memory(let m): return "cannot map the program: \(m)"
        case .unresolvedImports(let names):
            return "the host libraries do not provide: \(names.joined(separator: ", "))"
        case .noEntry(let e): return "entry symbol '\(e)' is not defined by the program"
        case .library(let m), .trace(let m): return m
        }
    }
}
