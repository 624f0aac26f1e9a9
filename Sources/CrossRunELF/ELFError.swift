/// A problem found while reading an ELF object or `ar` archive.
///
/// Every error names the file it came from, so a message can be shown to the user as is.
public struct ELFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or `archive(member)`) that is malformed.
    public var file: String
    /// What is wrong with it.
    public var problem: String

    /// Creates an error for `file` describing `problem`.
    public init(file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
