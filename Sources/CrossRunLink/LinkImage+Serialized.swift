import CrossRunELF

/// A ``LinkImage`` as bytes, for the link cache (a program linked by `crossrun cc` is linked
/// once, not at every start): a magic word, every field in order (integers as 64-bit little
/// endian, strings and byte arrays with their length first), and an FNV-1a checksum of all
/// of it. Reading trusts nothing: a short, damaged or foreign file is a
/// ``LinkImageDecodingError``, never a trap or an allocation its size does not back, and the
/// image read must keep the loaders' promises (``LinkImage/invariantViolation``).
extension LinkImage {
    /// The first 8 bytes of a serialized image (the format's version is its last digit).
    static let serializedMagic: [UInt8] = Array("CRLINK01".utf8)

    /// This image as bytes (``init(serialized:)`` reads them back).
    public func serialized() -> [UInt8] {
        var w = ImageWriter()
        w.out.append(contentsOf: Self.serializedMagic)
        w.int(Int(machine.rawValue))
        w.int(pageSize)
        w.bytes(bytes)
        w.int(size)
        w.int(segments.count)
        for s in segments {
            w.string(s.name); w.int(s.offset); w.int(s.memorySize)
            w.int(Self.permissionCodes.firstIndex(of: s.permissions) ?? 0)
        }
        w.int(imports.count)
        for i in imports { w.string(i.name); w.int(i.kind == .function ? 0 : 1) }
        w.int(fixups.count)
        for f in fixups {
            switch f {
            case .rebase(let o): w.int(0); w.int(o)
            case .importSlot(let o, let i): w.int(1); w.int(o); w.int(i)
            case .importValue(let o, let i, let a): w.int(2); w.int(o); w.int(i); w.int(Int(a))
            case .tlsBlock(let o): w.int(3); w.int(o)
            }
        }
        w.int(symbols.count)
        for s in symbols {
            w.string(s.name); w.int(s.offset); w.int(s.size)
            w.int(Self.symbolKindCodes.firstIndex(of: s.kind) ?? 0); w.int(s.isGlobal ? 1 : 0); w.string(s.file)
        }
        w.ints(initializers)
        w.ints(finalizers)
        if let t = tls {
            w.int(1); w.int(t.imageOffset); w.int(t.initializedSize); w.int(t.size); w.int(t.alignment)
        } else {
            w.int(0)
        }
        w.int(indirectSlots.count)
        for s in indirectSlots { w.int(s.offset); w.int(s.resolver); w.int(Int(s.addend)) }
        w.int(debugSections.count)
        for d in debugSections {
            w.string(d.name); w.bytes(d.bytes)
            w.int(d.addressSlots.count)
            for slot in d.addressSlots { w.int(slot.offset); w.int(slot.width) }
        }
        let sum = Self.checksum(w.out[...])
        w.int(Int(bitPattern: UInt(sum)))
        return w.out
    }

    /// Reads an image ``serialized()`` wrote.
    public init(serialized data: [UInt8]) throws(LinkImageDecodingError) {
        let magic = Self.serializedMagic
        guard data.count >= magic.count + 8, data.starts(with: magic) else { throw LinkImageDecodingError("not a serialized link image") }
        var stored: UInt64 = 0
        for (k, byte) in data.suffix(8).enumerated() { stored |= UInt64(byte) << UInt64(8 * k) }
        guard Self.checksum(data.dropLast(8)) == stored else { throw LinkImageDecodingError("checksum mismatch") }
        var r = ImageReader(data: data.dropLast(8), at: magic.count)
        guard let machine = Machine(rawValue: UInt16(truncatingIfNeeded: try r.int(below: 1 << 16))) else {
            throw LinkImageDecodingError("unknown machine")
        }
        let pageSize = try r.int(below: 1 << 30)
        let bytes = try r.bytes()
        let size = try r.int(below: Self.maximumSize + 1)
        var segments: [Segment] = []
        for _ in 0..<(try r.count(minimumBytes: 32)) {
            let name = try r.string(), offset = try r.int(), memorySize = try r.int()
            let permissions = Self.permissionCodes[try r.int(below: Self.permissionCodes.count)]
            segments.append(Segment(name: name, offset: offset, memorySize: memorySize, permissions: permissions))
        }
        var imports: [Import] = []
        for _ in 0..<(try r.count(minimumBytes: 16)) {
            let name = try r.string()
            imports.append(Import(name: name, kind: try r.int(below: 2) == 0 ? .function : .data))
        }
        var fixups: [Fixup] = []
        for _ in 0..<(try r.count(minimumBytes: 16)) {
            switch try r.int(below: 4) {
            case 0: fixups.append(.rebase(offset: try r.int()))
            case 1: fixups.append(.importSlot(offset: try r.int(), index: try r.int()))
            case 2: fixups.append(.importValue(offset: try r.int(), index: try r.int(), addend: Int64(try r.int())))
            default: fixups.append(.tlsBlock(offset: try r.int()))
            }
        }
        var symbols: [SymbolInfo] = []
        for _ in 0..<(try r.count(minimumBytes: 48)) {
            // Bounded like everything a loader or the symbolizer adds up (`offset + size`).
            let name = try r.string(), offset = try r.int(below: Self.maximumSize + 1), size = try r.int(below: Self.maximumSize + 1)
            let kind = Self.symbolKindCodes[try r.int(below: Self.symbolKindCodes.count)]
            let isGlobal = try r.int(below: 2) == 1
            symbols.append(SymbolInfo(name: name, offset: offset, size: size, kind: kind, isGlobal: isGlobal, file: try r.string()))
        }
        let initializers = try r.ints(), finalizers = try r.ints()
        var tls: TLSTemplate?
        if try r.int(below: 2) == 1 {
            tls = TLSTemplate(imageOffset: try r.int(), initializedSize: try r.int(), size: try r.int(), alignment: try r.int())
        }
        self.init(machine: machine, pageSize: pageSize, bytes: bytes, size: size, segments: segments, imports: imports,
                  fixups: fixups, symbols: symbols, initializers: initializers, finalizers: finalizers, tls: tls)
        for _ in 0..<(try r.count(minimumBytes: 24)) {
            indirectSlots.append(IndirectSlot(offset: try r.int(), resolver: try r.int(), addend: Int64(try r.int())))
        }
        for _ in 0..<(try r.count(minimumBytes: 24)) {
            let name = try r.string(), sectionBytes = try r.bytes()
            var slots: [DebugSlot] = []
            for _ in 0..<(try r.count(minimumBytes: 16)) { slots.append(DebugSlot(offset: try r.int(), width: try r.int())) }
            guard slots.allSatisfy({ ($0.width == 4 || $0.width == 8) && $0.offset >= 0 && $0.offset <= sectionBytes.count - $0.width }) else {
                throw LinkImageDecodingError("debug section \(name) has a slot outside it")
            }
            debugSections.append(DebugSection(name: name, bytes: sectionBytes, addressSlots: slots))
        }
        guard r.atEnd else { throw LinkImageDecodingError("trailing bytes") }
        if let broken = invariantViolation { throw LinkImageDecodingError(broken) }
    }

    /// Codes of the enumerations' cases, in a fixed order (the format's, not the source's).
    static let permissionCodes: [Permissions] = [.readExecute, .read, .readWrite]
    static let symbolKindCodes: [SymbolKind] = [.function, .object, .tls, .other]

    /// FNV-1a over `bytes`, eight at a time.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBytes { raw in
            var i = 0
            while i + 8 <= raw.count {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
                i += 8
            }
            while i < raw.count {
                h = (h ^ UInt64(raw[i])) &* 0x100_0000_01b3
                i += 1
            }
        }
        return h
    }
}

/// Why serialized image bytes were refused.
public struct LinkImageDecodingError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Appends the serialized form's fields.
private struct ImageWriter {
    var out: [UInt8] = []

    mutating func int(_ v: Int) {
        var u = UInt64(bitPattern: Int64(v))
        for _ in 0..<8 { out.append(UInt8(truncatingIfNeeded: u)); u >>= 8 }
    }

    mutating func bytes(_ b: [UInt8]) { int(b.count); out.append(contentsOf: b) }
    mutating func string(_ s: String) { bytes(Array(s.utf8)) }
    mutating func ints(_ values: [Int]) { int(values.count); for v in values { int(v) } }
}

/// Reads the fields back, checking every length against what is left.
private struct ImageReader {
    let data: ArraySlice<UInt8>
    var at: Int

    init(data: ArraySlice<UInt8>, at offset: Int) {
        self.data = data
        at = data.startIndex + offset
    }

    var atEnd: Bool { at == data.endIndex }

    mutating func int() throws(LinkImageDecodingError) -> Int {
        guard data.endIndex - at >= 8 else { throw LinkImageDecodingError("truncated") }
        var u: UInt64 = 0
        for k in 0..<8 { u |= UInt64(data[at + k]) << UInt64(8 * k) }
        at += 8
        return Int(Int64(bitPattern: u))
    }

    /// A field that must lie in `0..<limit`.
    mutating func int(below limit: Int) throws(LinkImageDecodingError) -> Int {
        let v = try int()
        guard v >= 0, v < limit else { throw LinkImageDecodingError("field out of range") }
        return v
    }

    /// A count of elements each taking at least `minimumBytes` of what is left.
    mutating func count(minimumBytes: Int) throws(LinkImageDecodingError) -> Int {
        try int(below: (data.endIndex - at) / minimumBytes + 1)
    }

    mutating func bytes() throws(LinkImageDecodingError) -> [UInt8] {
        let n = try count(minimumBytes: 1)
        defer { at += n }
        return Array(data[at..<(at + n)])
    }

    mutating func string() throws(LinkImageDecodingError) -> String { String(decoding: try bytes(), as: UTF8.self) }

    mutating func ints() throws(LinkImageDecodingError) -> [Int] {
        var out: [Int] = []
        for _ in 0..<(try count(minimumBytes: 8)) { out.append(try int()) }
        return out
    }
}
