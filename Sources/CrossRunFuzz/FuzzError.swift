/// Errors of `crossrun fuzz` a user can act on.
package enum FuzzError: Error, CustomStringConvertible, Equatable {
    case badFlag(String)
    case badDictionary(file: String, line: Int)
    case unwritable(file: String, reason: String)
    case startupFailed(String)

    package var description: String {
        switch self {
        case .badFlag(let text): return text
        case .badDictionary(let file, let line): return "\(file):\(line): not a dictionary entry (expected name=\"value\" or \"value\")"
        case .unwritable(let file, let reason): return "\(file): \(reason)"
        case .startupFailed(let report): return "the harness failed before fuzzing started:\n\(report)"
        }
    }
}
