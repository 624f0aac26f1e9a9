/// A file or process operation of ``FileIO`` or ``Subprocess`` failed. The description is the
/// whole message (`file: reason`, or a sentence naming the file or program), ready for
/// `crossrun: error: …`.
public enum IOError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `file` could not be read: `message` says why (`No such file or directory`, `is a directory`).
    case unreadable(file: String, message: String)
    /// Writing, creating a file or directory, or starting a program failed.
    case failed(String)

    public var description: String {
        switch self {
        case .unreadable(let file, let message): return "\(file): \(message)"
        case .failed(let message): return message
        }
    }
}
