import CrossRunELF

/// Writes minimal ELF64 relocatable objects for tests that need exact control over sections,
/// symbols and relocations (relocation arithmetic, hostile inputs).
struct ELFBuilder {
    struct Sec { var name: String; var type: UInt32 = 1; var flags: UInt64; var bytes: [UInt8]; var align: UInt64 = 16; var size: UInt64? = nil }
    struct Sym { var name: String; var section: Int; var value: UInt64 = 0; var size: UInt64 = 0; var type: UInt8 = 2; var binding: UInt8 = 1 }
    struct Rel { var section: Int; var offset: UInt64; var type: UInt32; var symbol: Int; var addend: Int64 }

    var machine: UInt16 = 62
    var sections: [Sec] = []
    var symbols: [Sym] = []
    var relocations: [Rel] = []

    /// Adds a section; returns its index in the output (user sections start at 1).
    @discardableResult mutating func section(_ name: String, flags: UInt64, _ bytes: [UInt8], nobitsSize: UInt64? = nil) -> Int {
        var s = Sec(name: name, flags: flags, bytes: bytes)
        if let n = nobitsSize { s.type = 8; s.size = n; s.bytes = [] }
        sections.append(s)
        return sections.count
    }

    /// Adds a symbol; returns its symbol index (after the null symbol and locals first ordering is the caller's job).
    @discardableResult mutating func symbol(_ name: String, section: Int, value: UInt64 = 0, size: UInt64 = 0,
                                            type: UInt8 = 2, binding: UInt8 = 1) -> Int {
        symbols.append(Sym(name: name, section: section, value: value, size: size, type: type, binding: binding))
        return symbols.count
    }

    mutating func relocate(section: Int, offset: UInt64, type: UInt32, symbol: Int, addend: Int64 = 0) {
        relocations.append(Rel(section: section, offset: offset, type: type, symbol: symbol, addend: addend))
    }

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

    /// The object file bytes.
    func build() -> [UInt8] {
        // Layout: header, section contents, .rela.* , .symtab, .strtab, .shstrtab, section headers.
        var out = [UInt8](repeating: 0, count: 64)
        var shstr: [UInt8] = [0]
        func addName(_ table: inout [UInt8], _ s: String) -> UInt32 { let o = UInt32(table.count); table += Array(s.utf8) + [0]; return o }
        struct Header { var name: UInt32, type: UInt32, flags: UInt64, offset: UInt64, size: UInt64, link: UInt32, info: UInt32, align: UInt64, entsize: UInt64 }
        var headers = [Header(name: 0, type: 0, flags: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0)]
        for s in sections {
            while out.count % 16 != 0 { out.append(0) }
            headers.append(Header(name: addName(&shstr, s.name), type: s.type, flags: s.flags, offset: UInt64(out.count),
                                  size: s.size ?? UInt64(s.bytes.count), link: 0, info: 0, align: s.align, entsize: 0))
            out += s.bytes
        }
        let symtabIndex = UInt32(headers.count + Set(relocations.map(\.section)).count)
        for target in Set(relocations.map(\.section)).sorted() {
            while out.count % 8 != 0 { out.append(0) }
            let start = out.count
            for r in relocations where r.section == target {
                out += Self.le(r.offset) + Self.le(UInt64(r.symbol) << 32 | UInt64(r.type)) + Self.le(r.addend)
            }
            headers.append(Header(name: addName(&shstr, ".rela" + sections[target - 1].name), type: 4, flags: 0x40,
                                  offset: UInt64(start), size: UInt64(out.count - start), link: symtabIndex,
                                  info: UInt32(target), align: 8, entsize: 24))
        }
        var strtab: [UInt8] = [0]
        while out.count % 8 != 0 { out.append(0) }
        let symStart = out.count
        out += [UInt8](repeating: 0, count: 24)
        let locals = symbols.filter { $0.binding == 0 }.count
        for s in symbols {
            out += Self.le(addName(&strtab, s.name)) + [s.binding << 4 | s.type, 0] + Self.le(UInt16(s.section))
                + Self.le(s.value) + Self.le(s.size)
        }
        headers.append(Header(name: addName(&shstr, ".symtab"), type: 2, flags: 0, offset: UInt64(symStart),
                              size: UInt64(out.count - symStart), link: symtabIndex + 1, info: UInt32(locals + 1), align: 8, entsize: 24))
        let strStart = out.count
        out += strtab
        headers.append(Header(name: addName(&shstr, ".strtab"), type: 3, flags: 0, offset: UInt64(strStart),
                              size: UInt64(strtab.count), link: 0, info: 0, align: 1, entsize: 0))
        let shstrName = addName(&shstr, ".shstrtab")
        let shstrStart = out.count
        out += shstr
        headers.append(Header(name: shstrName, type: 3, flags: 0, offset: UInt64(shstrStart), size: UInt64(shstr.count),
                              link: 0, info: 0, align: 1, entsize: 0))
        while out.count % 8 != 0 { out.append(0) }
        let shoff = out.count
        for h in headers {
            out += Self.le(h.name) + Self.le(h.type) + Self.le(h.flags) + Self.le(UInt64(0)) + Self.le(h.offset)
                + Self.le(h.size) + Self.le(h.link) + Self.le(h.info) + Self.le(h.align) + Self.le(h.entsize)
        }
        var header: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        header += Self.le(UInt16(1)) + Self.le(machine) + Self.le(UInt32(1)) + Self.le(UInt64(0)) + Self.le(UInt64(0))
        header += Self.le(UInt64(shoff)) + Self.le(UInt32(0)) + Self.le(UInt16(64)) + Self.le(UInt16(0)) + Self.le(UInt16(0))
        header += Self.le(UInt16(64)) + Self.le(UInt16(headers.count)) + Self.le(UInt16(headers.count - 1))
        out.replaceSubrange(0..<64, with: header)
        return out
    }
}
