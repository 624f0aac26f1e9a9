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
    /// A section, common symbol or synthesized table does not fit in the image, whose size is
    /// bounded by the room a guest address space has for it (``LinkImage/maximumSize``), or
    /// (`stored`) in the part before the zero fill, whose bytes the linker holds in memory
    /// (``LinkImage/maximumStoredSize``). `size` is the item's size (nil when it was its
    /// alignment that did not fit).
    case imageTooLarge(item: String, size: UInt64?, limit: Int, stored: Bool = false)
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
        case .imageTooLarge(let item, let size, let limit, let stored):
            let bytes = size.map { " (\($0) bytes)" } ?? ""
            let room = stored ? "of code and initialised data an image may hold" : "a linked image may span"
            return "image too large: \(item)\(bytes) does not fit in the \(LinkError.bytes(limit)) \(room)"
        case .noInputs:
            return "no input files"
        }
    }

    /// `n` bytes in the largest binary unit that divides it (`64 TiB`), for messages.
    static func bytes(_ n: Int) -> String {
        for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] where n >= 1 << shift && n % (1 << shift) == 0 {
            return "\(n >> shift) \(unit)"
        }
        return "\(n) bytes"
    }
}
