/// A parsed ELF64 little-endian relocatable object (`ET_REL`) for x86-64, aarch64 or riscv64.
///
/// Parsing validates every header field, offset, size and index; malformed input throws an
/// ``ELFError`` naming the file.
public struct ObjectFile: Sendable {
    /// Name used in diagnostics (a path, or `archive.a(member.o)`).
    public let name: String
    public let machine: Machine
    /// `e_flags` (e.g. the RISC-V float ABI).
    public let flags: UInt32
    /// The raw file contents.
    public let bytes: [UInt8]
    /// Section headers, indexed like the file's section table.
    public let sections: [Section]
    /// The symbol table (entry 0 is the null symbol); empty if the object has none.
    public let symbols: [Symbol]
    /// Relocations keyed by the index of the section they apply to.
    public let relocations: [Int: [Relocation]]

    /// The bytes of `section` (empty for `SHT_NOBITS`).
    public func contents(of section: Section) -> ArraySlice<UInt8> {
        bytes[section.fileRange]
    }

    /// Returns whether `bytes` starts with the ELF magic.
    public static func isELF(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x7f && bytes[1] == 0x45 && bytes[2] == 0x4c && bytes[3] == 0x46
    }

    /// Parses `bytes` as a relocatable object named `name`.
    public init(bytes: [UInt8], name: String) throws {
        let r = ByteReader(bytes, file: name)
        func fail(_ problem: String) -> ELFError { ELFError(file: name, problem) }

        guard Self.isELF(bytes) else { throw fail("not an ELF file (bad magic)") }
        guard bytes.count >= 64 else { throw fail("truncated ELF header (\(bytes.count) bytes, need 64)") }
        guard bytes[4] == 2 else { throw fail("not a 64-bit ELF file (EI_CLASS \(bytes[4]))") }
        guard bytes[5] == 1 else { throw fail("not a little-endian ELF file (EI_DATA \(bytes[5]))") }
        guard bytes[6] == 1 else { throw fail("unsupported ELF version \(bytes[6])") }
        let type = try r.u16(16, "e_type")
        guard type == 1 else {
            let kind = [2: "an executable", 3: "a shared object", 4: "a core file"][Int(type)] ?? "ELF type \(type)"
            throw fail("is \(kind), not a relocatable object (only .o files and archives of them can be linked)")
        }
        let rawMachine = try r.u16(18, "e_machine")
        guard let machine = Machine(rawValue: rawMachine) else {
            throw fail("unsupported machine \(rawMachine) (supported: x86-64, aarch64, riscv64)")
        }
        let flags = try r.u32(48, "e_flags")
        let shoff = try r.u64(40, "e_shoff")
        let shentsize = try r.u16(58, "e_shentsize")
        var shnum = UInt64(try r.u16(60, "e_shnum"))
        var shstrndx = UInt32(try r.u16(62, "e_shstrndx"))
        if shoff == 0 { throw fail("object has no section header table") }
        guard shentsize == 64 else { throw fail("bad section header entry size \(shentsize) (expected 64)") }
        // Extended numbering: real counts live in section header 0.
        if shnum == 0 || shstrndx == UInt32(SectionIndex.xindex) {
            _ = try r.range(shoff, 64, what: "section header 0")
            if shnum == 0 { shnum = try r.u64(Int(shoff) + 32, "sh_size of section 0") }
            if shstrndx == UInt32(SectionIndex.xindex) { shstrndx = try r.u32(Int(shoff) + 40, "sh_link of section 0") }
        }
        guard shnum <= 1 << 20 else { throw fail("implausible section count \(shnum)") }
        _ = try r.range(shoff, shnum * 64, what: "section header table")
        guard shstrndx < shnum else { throw fail("section name table index \(shstrndx) out of range (\(shnum) sections)") }

        // Raw headers first; names need the section-name string table.
        struct Raw { var name: UInt32, type: UInt32, flags: UInt64, offset: UInt64, size: UInt64, link: UInt32, info: UInt32, align: UInt64, entsize: UInt64 }
        var raws: [Raw] = []
        raws.reserveCapacity(Int(shnum))
        for i in 0..<Int(shnum) {
            let h = Int(shoff) + i * 64
            raws.append(Raw(name: try r.u32(h), type: try r.u32(h + 4), flags: try r.u64(h + 8),
                            offset: try r.u64(h + 24), size: try r.u64(h + 32), link: try r.u32(h + 40),
                            info: try r.u32(h + 44), align: try r.u64(h + 48), entsize: try r.u64(h + 56)))
        }
        let shstr = raws[Int(shstrndx)]
        let shstrRange = try r.range(shstr.offset, shstr.size, what: "section name table")

        var sections: [Section] = []
        sections.reserveCapacity(raws.count)
        for (i, raw) in raws.enumerated() {
            let sname = try r.cString(in: shstrRange, at: UInt64(raw.name), what: "name of section \(i)")
            let range: Range<Int>
            if raw.type == SectionType.nobits || raw.type == SectionType.null {
                range = 0..<0
            } else {
                range = try r.range(raw.offset, raw.size, what: "section \(i) '\(sname)'")
            }
            guard raw.align == 0 || raw.align & (raw.align - 1) == 0 else {
                throw fail("section \(i) '\(sname)' has non-power-of-two alignment \(raw.align)")
            }
            guard raw.align <= 1 << 16 else { throw fail("section \(i) '\(sname)' alignment \(raw.align) is too large") }
            sections.append(Section(index: i, name: sname, type: raw.type, flags: raw.flags, size: raw.size,
                                    link: raw.link, info: raw.info, alignment: max(raw.align, 1),
                                    entrySize: raw.entsize, fileRange: range))
        }

        // Symbol table.
        var symbols: [Symbol] = []
        let symtabs = sections.filter { $0.type == SectionType.symtab }
        if symtabs.count > 1 { throw fail("more than one symbol table") }
        if let symtab = symtabs.first {
            guard symtab.entrySize == 24 else { throw fail("bad symbol entry size \(symtab.entrySize) (expected 24)") }
            guard symtab.size % 24 == 0 else { throw fail("symbol table size \(symtab.size) is not a multiple of 24") }
            guard Int(symtab.link) < sections.count, sections[Int(symtab.link)].type == SectionType.strtab else {
                throw fail("symbol table's string table index \(symtab.link) is invalid")
            }
            let strRange = sections[Int(symtab.link)].fileRange
            let shndxTable = sections.first { $0.type == SectionType.symtabShndx && Int($0.link) == symtab.index }
            let count = Int(symtab.size / 24)
            symbols.reserveCapacity(count)
            for i in 0..<count {
                let e = symtab.fileRange.lowerBound + i * 24
                let nameIndex = try r.u32(e)
                let info = try r.u8(e + 4)
                let other = try r.u8(e + 5)
                var shndx = UInt32(try r.u16(e + 6))
                if shndx == UInt32(SectionIndex.xindex) {
                    guard let x = shndxTable, UInt64(i) * 4 + 4 <= x.size else {
                        throw fail("symbol \(i) uses an extended section index but SHT_SYMTAB_SHNDX is missing or short")
                    }
                    shndx = try r.u32(x.fileRange.lowerBound + i * 4)
                }
                let symName = try r.cString(in: strRange, at: UInt64(nameIndex), what: "name of symbol \(i)")
                guard let binding = SymbolBinding(rawValue: info >> 4) else {
                    throw fail("symbol \(i) '\(symName)' has unsupported binding \(info >> 4)")
                }
                let stype = SymbolType(rawValue: info & 0xf) ?? .notype
                let special = shndx == UInt32(SectionIndex.abs) || shndx == UInt32(SectionIndex.common)
                if shndx != 0 && !special && Int(shndx) >= sections.count {
                    throw fail("symbol \(i) '\(symName)' refers to section \(shndx), but there are \(sections.count)")
                }
                symbols.append(Symbol(name: symName, value: try r.u64(e + 8), size: try r.u64(e + 16),
                                      type: stype, binding: binding, visibility: other & 3, sectionIndex: shndx))
            }
        }

        // Relocation sections.
        var relocations: [Int: [Relocation]] = [:]
        for s in sections where s.type == SectionType.rela || s.type == SectionType.rel {
            let isRela = s.type == SectionType.rela
            let entSize: UInt64 = isRela ? 24 : 16
            guard s.entrySize == entSize else { throw fail("relocation section '\(s.name)' has entry size \(s.entrySize), expected \(entSize)") }
            guard s.size % entSize == 0 else { throw fail("relocation section '\(s.name)' size is not a multiple of \(entSize)") }
            guard Int(s.info) > 0, Int(s.info) < sections.count else {
                throw fail("relocation section '\(s.name)' applies to invalid section \(s.info)")
            }
            let target = sections[Int(s.info)]
            var list: [Relocation] = []
            list.reserveCapacity(Int(s.size / entSize))
            for i in 0..<Int(s.size / entSize) {
                let e = s.fileRange.lowerBound + i * Int(entSize)
                let off = try r.u64(e)
                let info = try r.u64(e + 8)
                let addend = isRela ? try r.i64(e + 16) : 0
                let sym = UInt32(truncatingIfNeeded: info >> 32)
                guard Int(sym) < max(symbols.count, 1) else {
                    throw fail("relocation \(i) in '\(s.name)' refers to symbol \(sym), but there are \(symbols.count)")
                }
                guard off < target.size || (off == target.size && target.size == 0) else {
                    throw fail("relocation \(i) in '\(s.name)' at offset \(off) lies outside '\(target.name)' (\(target.size) bytes)")
                }
                list.append(Relocation(offset: off, type: UInt32(truncatingIfNeeded: info), symbol: sym,
                                       addend: addend, hasAddend: isRela))
            }
            relocations[Int(s.info), default: []].append(contentsOf: list)
        }

        self.name = name
        self.machine = machine
        self.flags = flags
        self.bytes = bytes
        self.sections = sections
        self.symbols = symbols
        self.relocations = relocations
    }
}
