/// Image offsets to source lines, read from an image's merged `.debug_line` (DWARF 2–5 as
/// clang emits it), for crash reports' `at prog.c:12`.
///
/// The section is input like any other: every read is bounds-checked, arithmetic wraps or is
/// clamped, the reader never recurses, and a unit it cannot read (an unknown form, a bad
/// header, a truncated program) is dropped with the rest of the section — never a trap.
public struct LineTable: Sendable, Equatable {
    /// One address of the line-number matrix.
    public struct Row: Sendable, Equatable {
        /// Image offset (the linker's relocated addresses are image offsets).
        public var offset: UInt64
        /// Index into ``LineTable/files``, or -1 when the unit's file index is out of range.
        public var file: Int32
        /// The source line; 0 for the end of a sequence or code of no line (no line reported).
        public var line: UInt32
    }

    /// File names (last path component), deduplicated.
    public private(set) var files: [String] = []
    /// Rows sorted by offset; at one offset an end of sequence comes before a start.
    public private(set) var rows: [Row] = []

    /// Most rows kept (a bound on memory for hostile input).
    public static let rowLimit = 1 << 22

    /// The table of `image`'s `.debug_line` (empty without `-g`).
    public init(_ image: LinkImage) {
        func section(_ name: String) -> [UInt8] { image.debugSections.first { $0.name == name }?.bytes ?? [] }
        self.init(debugLine: section(".debug_line"), lineStr: section(".debug_line_str"), str: section(".debug_str"))
    }

    /// Reads the sections' bytes (`.debug_line`, `.debug_line_str`, `.debug_str`).
    public init(debugLine: [UInt8], lineStr: [UInt8] = [], str: [UInt8] = []) {
        var fileIndex: [String: Int32] = [:]
        var unitStart = 0
        while unitStart < debugLine.count, rows.count < Self.rowLimit {
            guard let next = readUnit(debugLine, at: unitStart, lineStr: lineStr, str: str, fileIndex: &fileIndex),
                  next > unitStart else { break }
            unitStart = next
        }
        // By offset; at one offset rows without a line first, otherwise in program order (the
        // last row at an address is the one that covers it).
        rows = rows.enumerated().sorted { a, b in
            if a.element.offset != b.element.offset { return a.element.offset < b.element.offset }
            let (za, zb) = (a.element.line == 0, b.element.line == 0)
            return za != zb ? za : a.offset < b.offset
        }.map(\.element)
    }

    /// `(file, line)` of the row covering image offset `offset`, if any.
    public func location(ofOffset offset: UInt64) -> (file: String, line: UInt32)? {
        var lo = 0, hi = rows.count   // first row with offset > `offset`
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if rows[mid].offset <= offset { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return nil }
        let row = rows[lo - 1]
        guard row.line != 0 else { return nil }
        let name = row.file >= 0 && Int(row.file) < files.count ? files[Int(row.file)] : "?"
        return (name, row.line)
    }

    /// ` at prog.c:12` for an image offset, or "" when no line covers it.
    public func suffix(forOffset offset: UInt64) -> String {
        guard let (file, line) = location(ofOffset: offset) else { return "" }
        return " at \(file):\(line)"
    }

    /// Reads the unit at `start`; returns where the next one starts, nil to stop reading.
    private mutating func readUnit(_ bytes: [UInt8], at start: Int, lineStr: [UInt8], str: [UInt8],
                                   fileIndex: inout [String: Int32]) -> Int? {
        var c = DWARFCursor(bytes, at: start)
        guard var length = c.u32() else { return nil }
        var offsetSize = 4
        if length == 0xffff_ffff {
            guard let l = c.u64() else { return nil }
            length = l
            offsetSize = 8
        } else if length >= 0xffff_fff0 {
            return nil
        }
        guard length <= UInt64(bytes.count - c.position) else { return nil }
        let end = c.position + Int(length)
        c.limit = end
        guard let version = c.u16(), (2...5).contains(version) else { return end }
        if version >= 5 { guard c.u8() != nil, c.u8() != nil else { return end } }   // address and selector sizes
        guard let headerLength = c.offset(offsetSize), headerLength <= UInt64(end - c.position) else { return end }
        let programStart = c.position + Int(headerLength)
        guard let minLength = c.u8() else { return end }
        if version >= 4 { guard c.u8() != nil else { return end } }   // maximum operations per instruction
        guard c.u8() != nil,   // default_is_stmt: every row is used
              let lineBase = c.u8().map({ Int64(Int8(bitPattern: $0)) }),
              let lineRange = c.u8(), lineRange != 0, let opcodeBase = c.u8() else { return end }
        var opcodeLengths: [UInt8] = []
        for _ in 1..<max(Int(opcodeBase), 1) {
            guard let n = c.u8() else { return end }
            opcodeLengths.append(n)
        }
        // The unit's file table, as indices into `files`.
        var unitFiles: [Int32] = []
        func addFile(_ path: String) {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            if let i = fileIndex[name] { unitFiles.append(i); return }
            let i = Int32(files.count)
            files.append(name)
            fileIndex[name] = i
            unitFiles.append(i)
        }
        if version >= 5 {
            guard readEntries(&c, offsetSize: offsetSize, lineStr: lineStr, str: str) != nil,   // directories
                  let paths = readEntries(&c, offsetSize: offsetSize, lineStr: lineStr, str: str) else { return end }
            for p in paths { addFile(p) }
        } else {
            while true {   // include directories
                guard let d = c.cString() else { return end }
                if d.isEmpty { break }
            }
            while true {
                guard let f = c.cString() else { return end }
                if f.isEmpty { break }
                guard c.uleb() != nil, c.uleb() != nil, c.uleb() != nil else { return end }
                addFile(f)
            }
        }
        let firstFile = version >= 5 ? 0 : 1
        c.position = programStart
        runProgram(&c, minLength: UInt64(minLength), lineBase: lineBase, lineRange: UInt64(lineRange),
                   opcodeBase: opcodeBase, opcodeLengths: opcodeLengths, unitFiles: unitFiles, firstFile: firstFile)
        return end
    }

    /// Reads a DWARF 5 entry-format list and its entries: each entry's path (nil: unreadable).
    private func readEntries(_ c: inout DWARFCursor, offsetSize: Int, lineStr: [UInt8], str: [UInt8]) -> [String]? {
        var paths: [String] = []
        guard let formatCount = c.u8() else { return nil }
        var format: [(type: UInt64, form: UInt64)] = []
        for _ in 0..<formatCount {
            guard let t = c.uleb(), let f = c.uleb() else { return nil }
            format.append((t, f))
        }
        guard let count = c.uleb(), count <= UInt64(c.limit - c.position) else { return nil }
        for _ in 0..<count {
            var path: String?
            for (type, form) in format {
                var text: String?
                switch form {
                case 0x08: text = c.cString()                                                  // DW_FORM_string
                    if text == nil { return nil }
                case 0x1f, 0x0e:                                                              // line_strp, strp
                    guard let o = c.offset(offsetSize) else { return nil }
                    text = DWARFCursor.string(in: form == 0x1f ? lineStr : str, at: o) ?? "?"
                case 0x0f: guard c.uleb() != nil else { return nil }                         // udata
                case 0x0b: guard c.skip(1) else { return nil }                              // data1
                case 0x05: guard c.skip(2) else { return nil }                              // data2
                case 0x06: guard c.skip(4) else { return nil }                              // data4
                case 0x07: guard c.skip(8) else { return nil }                              // data8
                case 0x1e: guard c.skip(16) else { return nil }                             // data16 (MD5)
                case 0x09: guard let n = c.uleb(), n <= UInt64(Int.max), c.skip(Int(n)) else { return nil }   // block
                default: return nil                                                         // strx & co: not read
                }
                if type == 1 { path = text }                                                  // DW_LNCT_path
            }
            paths.append(path ?? "?")
        }
        return paths
    }

    /// Runs the line-number program from the cursor to its limit, appending rows.
    private mutating func runProgram(_ c: inout DWARFCursor, minLength: UInt64, lineBase: Int64, lineRange: UInt64,
                                     opcodeBase: UInt8, opcodeLengths: [UInt8], unitFiles: [Int32], firstFile: Int) {
        var address: UInt64 = 0, line: Int64 = 1, file: UInt64 = 1
        func emit(end: Bool = false) {
            guard rows.count < Self.rowLimit else { return }
            let index = file >= UInt64(firstFile) && file - UInt64(firstFile) < UInt64(unitFiles.count)
                ? unitFiles[Int(file - UInt64(firstFile))] : -1
            let l = end ? 0 : UInt32(clamping: max(line, 0))   // line 0: compiler-generated, no line
            rows.append(Row(offset: address, file: index, line: l))
        }
        while c.position < c.limit, rows.count < Self.rowLimit {
            guard let op = c.u8() else { return }
            if op >= opcodeBase {
                let adjusted = UInt64(op - opcodeBase)
                address = address &+ (adjusted / lineRange) &* minLength
                line = line &+ lineBase &+ Int64(adjusted % lineRange)
                emit()
                continue
            }
            switch op {
            case 0:
                guard let n = c.uleb(), n >= 1, n <= UInt64(c.limit - c.position), let sub = c.u8() else { return }
                let after = c.position - 1 + Int(n)
                switch sub {
                case 1:
                    emit(end: true)
                    address = 0; line = 1; file = 1
                case 2:
                    var a: UInt64 = 0
                    for i in 0..<min(Int(n) - 1, 8) { a |= UInt64(c.u8() ?? 0) << (8 * UInt64(i)) }
                    address = a
                default: break   // DW_LNE_define_file (never emitted by clang), discriminators: no row
                }
                c.position = after
            case 1: emit()
            case 2: guard let v = c.uleb() else { return }; address = address &+ v &* minLength
            case 3: guard let v = c.sleb() else { return }; line = line &+ v
            case 4: guard let v = c.uleb() else { return }; file = v
            case 8: address = address &+ (UInt64(255 - opcodeBase) / lineRange) &* minLength
            case 9: guard let v = c.u16() else { return }; address = address &+ UInt64(v)
            default:
                let argc = Int(op) - 1 < opcodeLengths.count ? Int(opcodeLengths[Int(op) - 1]) : 0
                for _ in 0..<argc { guard c.uleb() != nil else { return } }
            }
        }
    }
}

/// Bounds-checked reads over a byte array, ending at `limit`; every read returns nil past it.
struct DWARFCursor {
    let bytes: [UInt8]
    var position: Int
    var limit: Int

    init(_ bytes: [UInt8], at position: Int) {
        self.bytes = bytes
        self.position = position
        self.limit = bytes.count
    }

    mutating func skip(_ n: Int) -> Bool {
        guard n >= 0, n <= limit - position else { return false }
        position += n
        return true
    }

    private mutating func fixed(_ n: Int) -> UInt64? {
        guard position >= 0, n <= limit - position else { return nil }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += n
        return v
    }

    mutating func u8() -> UInt8? { fixed(1).map { UInt8($0) } }
    mutating func u16() -> UInt16? { fixed(2).map { UInt16($0) } }
    mutating func u32() -> UInt64? { fixed(4) }
    mutating func u64() -> UInt64? { fixed(8) }
    mutating func offset(_ size: Int) -> UInt64? { fixed(size) }

    mutating func uleb() -> UInt64? {
        var v: UInt64 = 0, shift: UInt64 = 0
        while position < limit {
            let b = bytes[position]
            position += 1
            if shift < 64 { v |= UInt64(b & 0x7f) << shift }
            shift += 7
            if b & 0x80 == 0 { return v }
        }
        return nil
    }

    mutating func sleb() -> Int64? {
        var v: Int64 = 0, shift: Int64 = 0
        while position < limit {
            let b = bytes[position]
            position += 1
            if shift < 64 { v |= Int64(b & 0x7f) << shift }
            shift += 7
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 { v |= Int64(-1) << shift }
                return v
            }
        }
        return nil
    }

    mutating func cString() -> String? {
        guard position >= 0, position < limit,
              let end = bytes[position..<limit].firstIndex(of: 0) else { return nil }
        let s = String(decoding: bytes[position..<end], as: UTF8.self)
        position = end + 1
        return s
    }

    /// The NUL-terminated string at `offset` of a string section, nil if outside or unterminated.
    static func string(in table: [UInt8], at offset: UInt64) -> String? {
        guard offset < UInt64(table.count), let end = table[Int(offset)...].firstIndex(of: 0) else { return nil }
        return String(decoding: table[Int(offset)..<end], as: UTF8.self)
    }
}
