import CrossRunELF

/// The linked image as an ELF executable (`ET_EXEC`) at the address a loader placed it, for
/// debuggers and binary tools: one `PT_LOAD` and one section per segment (the zero tail of
/// the writable one as `.bss`), and a `.symtab` with every function and object symbol
/// (sizes, kinds, local or global). Rebase fixups are applied for `base`; import slots stay
/// zero (they are bound at load). `crossrun --gdb` serves it to gdb; `crossrun inspect --elf`
/// writes it. Pure function of the image: no input is trusted beyond what the linker checked.
extension LinkImage {
    /// Code a loader adds outside the image (the emulator's trampolines): an allocated
    /// section without file bytes at `address`, with one function symbol per entry, so
    /// debuggers name the library functions the program is in and unwind through them.
    public struct ExtraCode: Sendable {
        public var name: String
        public var address: UInt64
        public var size: UInt64
        public var symbols: [(name: String, address: UInt64, size: UInt64)]
        public init(name: String, address: UInt64, size: UInt64, symbols: [(name: String, address: UInt64, size: UInt64)]) {
            self.name = name
            self.address = address
            self.size = size
            self.symbols = symbols
        }
    }

    /// The ELF file for this image loaded at `base` (page aligned), plus `extra` code.
    public func executableELF(base: UInt64, extra: ExtraCode? = nil) -> [UInt8] {
        var contents = bytes
        for case .rebase(let off) in fixups where off >= 0 && off + 8 <= contents.count {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(contents[off + i]) << (8 * UInt64(i)) }
            v = v &+ base
            for i in 0..<8 { contents[off + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
        }

        // Sections: null, one per segment (plus .bss), .symtab, .strtab, .shstrtab.
        struct Section {
            var name: String
            var type: UInt32
            var flags: UInt64
            var address: UInt64 = 0
            var offset: UInt64 = 0
            var size: UInt64 = 0
            var link: UInt32 = 0
            var info: UInt32 = 0
            var align: UInt64 = 1
            var entrySize: UInt64 = 0
        }
        let headerSize = 64, programHeaderSize = 56
        // The headers go before the image bytes, which start page aligned (p_offset ≡ p_vaddr
        // modulo the page size).
        let page = UInt64(max(pageSize, 1))
        let headersEnd = UInt64(headerSize + programHeaderSize * segments.count)
        let imageFileOffset = (headersEnd + page - 1) / page * page
        var sections = [Section(name: "", type: 0, flags: 0)]
        var programHeaders: [(flags: UInt32, offset: UInt64, address: UInt64, fileSize: UInt64, memorySize: UInt64)] = []
        /// Section index and range of each segment part, for symbols.
        var ranges: [(index: Int, start: Int, end: Int)] = []
        for segment in segments {
            let stored = max(0, min(segment.memorySize, contents.count - segment.offset))
            let address = base + UInt64(segment.offset)
            let (flags, name, sectionFlags): (UInt32, String, UInt64) = {
                switch segment.permissions {
                case .readExecute: return (5, ".text", 0x6)
                case .read: return (4, ".rodata", 0x2)
                case .readWrite: return (6, ".data", 0x3)
                }
            }()
            programHeaders.append((flags, imageFileOffset + UInt64(segment.offset), address, UInt64(stored), UInt64(segment.memorySize)))
            if stored > 0 {
                ranges.append((sections.count, segment.offset, segment.offset + stored))
                sections.append(Section(name: name, type: 1, flags: sectionFlags, address: address,
                                        offset: imageFileOffset + UInt64(segment.offset), size: UInt64(stored), align: 16))
            }
            if stored < segment.memorySize {
                ranges.append((sections.count, segment.offset + stored, segment.offset + segment.memorySize))
                sections.append(Section(name: segment.permissions == .readWrite ? ".bss" : name + ".zero", type: 8, flags: sectionFlags,
                                        address: address + UInt64(stored), offset: imageFileOffset + UInt64(segment.offset + stored),
                                        size: UInt64(segment.memorySize - stored), align: 16))
            }
        }

        var extraIndex: Int?
        if let extra {
            extraIndex = sections.count
            sections.append(Section(name: extra.name, type: 8, flags: 0x6, address: extra.address, offset: imageFileOffset,
                                    size: extra.size, align: 16))
        }

        // Symbols: locals first (ELF's rule), then globals.
        var strtab: [UInt8] = [0]
        var symtab = [UInt8](repeating: 0, count: 24)
        func addSymbol(_ s: SymbolInfo) {
            guard s.kind != .tls, let r = ranges.first(where: { s.offset >= $0.start && s.offset < $0.end }) else { return }
            let nameOffset = UInt32(strtab.count)
            strtab += Array(s.name.utf8) + [0]
            let type: UInt8 = s.kind == .function ? 2 : s.kind == .object ? 1 : 0
            var entry: [UInt8] = []
            entry.append(le: nameOffset)
            entry.append((s.isGlobal ? 1 : 0) << 4 | type)
            entry.append(0)
            entry.append(le: UInt16(r.index))
            entry.append(le: base + UInt64(s.offset))
            entry.append(le: UInt64(max(0, s.size)))
            symtab += entry
        }
        let locals = symbols.filter { !$0.isGlobal }
        for s in locals { addSymbol(s) }
        let firstGlobal = UInt32(symtab.count / 24)
        for s in symbols where s.isGlobal { addSymbol(s) }
        if let extra, let index = extraIndex {
            for s in extra.symbols where s.address >= extra.address && s.address - extra.address < extra.size {
                let nameOffset = UInt32(strtab.count)
                strtab += Array(s.name.utf8) + [0]
                var entry: [UInt8] = []
                entry.append(le: nameOffset)
                entry.append(1 << 4 | 2)   // global function
                entry.append(0)
                entry.append(le: UInt16(index))
                entry.append(le: s.address)
                entry.append(le: s.size)
                symtab += entry
            }
        }

        var file = [UInt8](repeating: 0, count: Int(imageFileOffset)) + contents
        func appendSection(_ name: String, type: UInt32, data: [UInt8], link: UInt32 = 0, info: UInt32 = 0, align: UInt64 = 1, entrySize: UInt64 = 0) {
            while UInt64(file.count) % align != 0 { file.append(0) }
            sections.append(Section(name: name, type: type, flags: 0, offset: UInt64(file.count), size: UInt64(data.count),
                                    link: link, info: info, align: align, entrySize: entrySize))
            file += data
        }
        for debug in debugSections {
            var data = debug.bytes
            for slot in debug.addressSlots where slot.offset >= 0 && slot.offset + slot.width <= data.count {
                var v: UInt64 = 0
                for i in 0..<slot.width { v |= UInt64(data[slot.offset + i]) << (8 * UInt64(i)) }
                v = v &+ base
                for i in 0..<slot.width { data[slot.offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
            }
            appendSection(debug.name, type: 1, data: data)
        }
        let symtabIndex = sections.count
        appendSection(".symtab", type: 2, data: symtab, link: UInt32(symtabIndex + 1), info: firstGlobal, align: 8, entrySize: 24)
        appendSection(".strtab", type: 3, data: strtab)
        var shstrtab: [UInt8] = [0]
        var nameOffsets: [UInt32] = []
        for s in sections + [Section(name: ".shstrtab", type: 3, flags: 0)] {
            if s.name.isEmpty { nameOffsets.append(0); continue }
            nameOffsets.append(UInt32(shstrtab.count))
            shstrtab += Array(s.name.utf8) + [0]
        }
        appendSection(".shstrtab", type: 3, data: shstrtab)

        while file.count % 8 != 0 { file.append(0) }
        let sectionHeaderOffset = UInt64(file.count)
        for (i, s) in sections.enumerated() {
            file.append(le: nameOffsets[i])
            file.append(le: s.type)
            file.append(le: s.flags)
            file.append(le: s.address)
            file.append(le: s.offset)
            file.append(le: s.size)
            file.append(le: s.link)
            file.append(le: s.info)
            file.append(le: s.align)
            file.append(le: s.entrySize)
        }

        // ELF header and program headers at the front.
        var header: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        header.append(le: UInt16(2))                                  // ET_EXEC
        header.append(le: machine.rawValue)
        header.append(le: UInt32(1))
        let entry = symbol(named: "main").map { base + UInt64($0.offset) } ?? base
        header.append(le: entry)
        header.append(le: UInt64(headerSize))                          // e_phoff
        header.append(le: sectionHeaderOffset)
        header.append(le: UInt32(machine == .riscv64 ? 0x5 : 0))      // RVC, double-float ABI
        header.append(le: UInt16(headerSize))
        header.append(le: UInt16(programHeaderSize))
        header.append(le: UInt16(programHeaders.count))
        header.append(le: UInt16(64))
        header.append(le: UInt16(sections.count))
        header.append(le: UInt16(sections.count - 1))                 // .shstrtab is last
        for p in programHeaders {
            header.append(le: UInt32(1))                               // PT_LOAD
            header.append(le: p.flags)
            header.append(le: p.offset)
            header.append(le: p.address)
            header.append(le: p.address)
            header.append(le: p.fileSize)
            header.append(le: p.memorySize)
            header.append(le: page)
        }
        file.replaceSubrange(0..<header.count, with: header)   // header.count == headersEnd
        return file
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` little-endian.
    mutating func append<T: FixedWidthInteger>(le value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }
}
