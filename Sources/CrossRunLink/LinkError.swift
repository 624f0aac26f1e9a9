/// Why a link failed. Messages name the files involved so the user can act on them.
public enum LinkError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A symbol defined (strongly) in two objects.
    case duplicateSymbols([(name: String, first: String, second: String)])
    /// Symbols nobody defines, each with the files that reference them.
    case undefinedSymbols([(name: String, referencedBy: [String])])
    /// An object for a different architecture than the others.
    case machineMismatch(file: String, machine: String, expected: String)
    /// A relocation CrossRun cannot apply (unknown type, out of range, not position independent…).
    case relocation(file: String, section: String, offset: UInt64, message: String)
    /// Any other malformed input.
    case invalidInput(file: String, message: String)
    /// Nothing to link.
    case noInputs

    public static func == (a: LinkError, b: LinkError) -> Bool { a.description == b.description }

    public var description: String {
        switch self {
        case .duplicateSymbols(let list):
            return list.map { "duplicate symbol '\($0.name)': defined in \($0.first) and in \($0.second)" }
                .joined(separator: "\n")
        case .undefinedSymbols(let list):
            return list.map { "undefined symbol '\($0.name)', referenced by \($0.referencedBy.joined(separator: ", "))" }
                .joined(separator: "\n")
        case .machineMismatch(let file, let machine, let expected):
            return "\(file): object is for \(machine), but the link is for \(expected)"
        case .relocation(let file, let section, let offset, let message):
            return "\(file)(\(section)+0x\(String(offset, radix: 16))): \(message)"
        case .invalidInput(let file, let message):
            return "\(file): \(message)"
        case .noInputs:
            return "no input files"
        }
    }
}
