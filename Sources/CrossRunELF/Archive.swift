/// A Unix `ar` archive (`!<arch>`), as produced by `ar`/`llvm-ar`, with GNU long names.
///
/// The symbol index (`/`) is not trusted: the linker reads each member's own symbol table,
/// which also works for archives made without `ranlib`.
public struct Archive: Sendable {
    /// One file stored in the archive.
    public struct Member: Sendable {
        /// Member file name (long names resolved).
        public var name: String
        /// Member contents.
        public var bytes: [UInt8]

        public init(name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// Archive path, for diagnostics.
    public let name: String
    /// Regular members in archive order (symbol and name tables excluded).
    public let members: [Member]
    /// Whether a member's definition of a name already defined loses quietly instead of being a
    /// duplicate: how a shared object's symbols yield to the program's (interposition). Set for
    /// `crossrun cc -shared` stand-ins.
    public var yieldsToEarlierDefinitions = false

    /// Returns whether `bytes` start with the `ar` magic.
    public static func isArchive(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: Array("!<arch>\n".utf8))
    }

    /// An archive made in memory from `members` (e.g. objects compiled on the fly).
    public init(name: String, members: [Member]) {
        self.name = name
        self.members = members
    }

    /// Parses `bytes` as an archive named `name`.
    public init(bytes: [UInt8], name: String) throws {
        func fail(_ problem: String) -> ELFError { ELFError(file: name, problem) }
        if bytes.starts(with: Array("!<thin>\n".utf8)) {
            throw fail("thin archives are not supported (members are not stored inside)")
        }
        guard Self.isArchive(bytes) else { throw fail("not an ar archive (bad magic)") }
        var members: [Member] = []
        var longNames: ArraySlice<UInt8> = []
        var pos = 8
        while pos < bytes.count {
            guard bytes.count - pos >= 60 else { throw fail("truncated member header at offset \(pos)") }
            let header = bytes[pos..<pos + 60]
            guard header[pos + 58] == 0x60, header[pos + 59] == 0x0a else {
                throw fail("bad member header terminator at offset \(pos)")
            }
            func field(_ start: Int, _ length: Int) -> String {
                String(decoding: header[pos + start..<pos + start + length], as: UTF8.self)
                    .trimmingTrailingSpaces()
            }
            let rawName = field(0, 16)
            guard let size = Int(field(48, 10)), size >= 0 else {
                throw fail("bad member size '\(field(48, 10))' at offset \(pos)")
            }
            let dataStart = pos + 60
            guard size <= bytes.count - dataStart else {
                throw fail("member '\(rawName)' at offset \(pos) claims \(size) bytes, past the end of the archive")
            }
            let data = bytes[dataStart..<dataStart + size]
            if rawName == "/" || rawName == "/SYM64/" || rawName == "__.SYMDEF" {
                // Symbol index: ignored.
            } else if rawName == "//" {
                longNames = data
            } else {
                var memberName = rawName
                if rawName.hasPrefix("/"), let offset = Int(rawName.dropFirst()) {
                    guard offset >= 0, offset < longNames.count else {
                        throw fail("long member name offset \(offset) outside the name table")
                    }
                    let start = longNames.startIndex + offset
                    let end = longNames[start...].firstIndex(where: { $0 == 0x0a || $0 == 0 }) ?? longNames.endIndex
                    memberName = String(decoding: longNames[start..<end], as: UTF8.self)
                } else if rawName.hasPrefix("#1/") {
                    throw fail("BSD-style long member names are not supported ('\(rawName)')")
                }
                if memberName.hasSuffix("/") { memberName.removeLast() }
                members.append(Member(name: memberName, bytes: Array(data)))
            }
            pos = dataStart + size + (size & 1)
        }
        self.name = name
        self.members = members
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
