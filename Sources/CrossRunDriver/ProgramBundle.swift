import CrossRunELF

/// A linked program as `crossrun cc` writes it: an executable shell script that starts
/// `crossrun run` on itself, followed by the objects and archives the program links (so the
/// file stands alone, as an `a.out` does, whatever happens to the `.o` files later).
///
/// `crossrun cc -shared` writes the same format as a stand-in for a shared library: its objects
/// are *library* members, linked as an archive's are (only those the program needs, the
/// program's own definitions first, as a shared object's symbols yield to the program's).
///
/// Layout: the script's lines, then the line `#CROSSRUN-BUNDLE 1`, then records. A record is
/// a header line `KIND SIZE NAME` (`o` object, `l` library object, `a` archive; `SIZE` decimal
/// bytes; `NAME` the input's name for diagnostics, to the end of the line) followed by `SIZE`
/// bytes, a line `e SYMBOL` naming the entry point, or a line `r WORD`: one word of the `crossrun
/// run` options the program runs with (`crossrun launch`, the `#!` line's command, reads them;
/// they come first, within ``headerLimit``). The shell never reads past the script's `exec`.
public struct ProgramBundle: Sendable, Equatable {
    /// One linked input.
    public struct Member: Sendable, Equatable {
        /// Whether the input is linked whole (an object), when needed (a library object), or
        /// member by member (an archive).
        public enum Kind: String, Sendable { case object = "o", library = "l", archive = "a" }
        public var kind: Kind
        /// The input's name as given at link time (shown in link errors).
        public var name: String
        public var bytes: [UInt8]

        public init(kind: Kind, name: String, bytes: [UInt8]) {
            self.kind = kind
            self.name = name
            self.bytes = bytes
        }
    }

    /// The inputs in link order.
    public var members: [Member]
    /// The entry point (`-e`), `main` unless given.
    public var entry: String
    /// The `crossrun run` options of a program (`--target T --backend B …`; empty for a library).
    public var runOptions: [String]

    public init(members: [Member], entry: String = "main", runOptions: [String] = []) {
        self.members = members
        self.entry = entry
        self.runOptions = runOptions
    }

    /// Where the script, the marker and the `r` records must end: `crossrun launch` reads no more.
    public static let headerLimit = 65_536

    static let marker = Array("\n#CROSSRUN-BUNDLE 1\n".utf8)

    /// Whether `bytes` are a bundle: a `#!` script holding the bundle marker.
    public static func isBundle(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x23, 0x21]) && markerEnd(in: bytes) != nil
    }

    /// The offset just past the marker line, searched for in the script's first 64 KiB.
    static func markerEnd(in bytes: [UInt8]) -> Int? {
        let limit = min(bytes.count, 65_536)
        guard limit >= marker.count else { return nil }
        var i = 0
        while i + marker.count <= limit {
            if bytes[i] == marker[0], bytes[i..<i + marker.count].elementsEqual(marker) { return i + marker.count }
            i += 1
        }
        return nil
    }

    /// Reads the bundle in `bytes` (the file `name`, for errors).
    public init(bytes: [UInt8], name: String) throws {
        guard bytes.starts(with: [0x23, 0x21]), var pos = Self.markerEnd(in: bytes) else {
            throw DriverError.badInput(file: name, message: "not a program linked by crossrun cc (no bundle marker)")
        }
        func fail(_ problem: String) -> DriverError {
            DriverError.badInput(file: name, message: "damaged program bundle: \(problem) at offset \(pos)")
        }
        var members: [Member] = []
        var entry = "main"
        var runOptions: [String] = []
        while pos < bytes.count {
            guard let newline = bytes[pos...].firstIndex(of: 0x0a) else { throw fail("header line without an end") }
            let line = String(decoding: bytes[pos..<newline], as: UTF8.self)
            if line.hasPrefix("r ") {
                runOptions.append(String(line.dropFirst(2)))
                pos = newline + 1
                continue
            }
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            if fields.count == 2, fields[0] == "e", !fields[1].isEmpty {
                entry = String(fields[1])
                pos = newline + 1
                continue
            }
            guard fields.count == 3, let kind = Member.Kind(rawValue: String(fields[0])),
                  let size = Int(fields[1]), size >= 0 else { throw fail("bad record header '\(line.prefix(80))'") }
            let start = newline + 1
            guard size <= bytes.count - start else { throw fail("record '\(fields[2])' claims \(size) bytes, past the end") }
            members.append(Member(kind: kind, name: String(fields[2]), bytes: Array(bytes[start..<start + size])))
            pos = start + size
        }
        self.members = members
        self.entry = entry
        self.runOptions = runOptions
    }

    /// The `r` records of the bundle whose first bytes are `prefix` (at most ``headerLimit``),
    /// or nil when `prefix` holds no bundle marker.
    public static func runOptions(inPrefix prefix: [UInt8]) -> [String]? {
        guard prefix.starts(with: [0x23, 0x21]), var pos = markerEnd(in: prefix) else { return nil }
        var options: [String] = []
        while pos + 2 <= prefix.count, prefix[pos] == UInt8(ascii: "r"), prefix[pos + 1] == UInt8(ascii: " "),
              let newline = prefix[pos...].firstIndex(of: 0x0a) {
            options.append(String(decoding: prefix[(pos + 2)..<newline], as: UTF8.self))
            pos = newline + 1
        }
        return options
    }

    /// The whole file: `script` (which must end with a newline), the marker and the records.
    public func encoded(script: String) -> [UInt8] {
        var out = Array(script.utf8)
        if out.last == 0x0a { out.removeLast() }
        out += Self.marker
        for word in runOptions { out += Array("r \(word.map { $0 == "\n" || $0 == "\r" ? " " : $0 }.map(String.init).joined())\n".utf8) }
        if entry != "main" { out += Array("e \(entry)\n".utf8) }
        for member in members {
            let name = member.name.map { $0 == "\n" || $0 == "\r" ? "?" : $0 }
            out += Array("\(member.kind.rawValue) \(member.bytes.count) \(String(name))\n".utf8)
            out += member.bytes
        }
        return out
    }

    /// The launcher script: runs `crossrun run` (`$CROSSRUN`, else `crossrun`, the binary that
    /// linked it) on this file for `target` and `backend`, with the program's own name as argv[0]
    /// and its arguments after `--`.
    public static func launcher(crossrun: String, target: Target, backend: String, runOptions: [String]) -> String {
        let options = launcherRunOptions(target: target, backend: backend, runOptions: runOptions).map(shellQuoted).joined(separator: " ")
        // The kernel starts CrossRun itself (`#!crossrun launch`): no shell filters the
        // environment. A path a `#!` line cannot hold (whitespace, too long) keeps `/bin/sh`.
        let direct = !crossrun.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) && crossrun.utf8.count <= 200
        return """
        #!\(direct ? crossrun + " launch" : "/bin/sh")
        # A \(target.triple) program linked by `crossrun cc`: it runs through CrossRun (\(backend)).
        # Its objects follow this script; `crossrun inspect` and `crossrun run` read this file too.
        exec "${CROSSRUN:-\(crossrun)}" run \(options) "$0" -- "$@"
        exit 127

        """
    }

    /// The `crossrun run` options a launcher passes (the script's and the `r` records').
    public static func launcherRunOptions(target: Target, backend: String, runOptions: [String]) -> [String] {
        ["--target", target.rawValue, "--backend", backend] + runOptions
    }

    /// The script of a library stand-in (`crossrun cc -shared`): not a program, so running it
    /// says so.
    public static func libraryScript(target: Target) -> String {
        """
        #!/bin/sh
        # A \(target.triple) library linked by `crossrun cc -shared`: a stand-in for a shared object.
        # Programs linked with it (crossrun cc ... -lNAME) include the objects they need.
        echo "$0: a library made by crossrun cc -shared, not a program" >&2
        exit 126

        """
    }

    /// `word` quoted for a POSIX shell.
    public static func shellQuoted(_ word: String) -> String {
        let safe = word.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || "-_./=:,+@%".utf8.contains(c)
        }
        if safe && !word.isEmpty { return word }
        var quoted = "'"
        for c in word { quoted += c == "'" ? "'\\''" : String(c) }
        return quoted + "'"
    }
}
