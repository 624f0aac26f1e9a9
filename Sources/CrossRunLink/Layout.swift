import CrossRunELF

/// Which part of the image an input section goes to.
enum OutputGroup: Int, CaseIterable, Comparable {
    case text, rodata, initArray, finiArray, tdata, tbss, data, bss
    static func < (a: OutputGroup, b: OutputGroup) -> Bool { a.rawValue < b.rawValue }

    /// The group for `section`, or nil when the section is not part of the running image
    /// (non-alloc, unwind tables, notes, groups, excluded sections).
    init?(_ section: Section) {
        let name = section.name
        guard section.isAlloc, section.flags & SectionFlags.exclude == 0 else { return nil }
        switch section.type {
        case SectionType.group, SectionType.symtab, SectionType.strtab, SectionType.rela, SectionType.rel,
             SectionType.symtabShndx, 0x7000_0001 /* SHT_X86_64_UNWIND */:
            return nil
        default: break
        }
        if name == ".eh_frame" || name.hasPrefix(".note") { return nil }
        if section.type == SectionType.initArray || section.type == SectionType.preinitArray
            || name == ".init_array" || name.hasPrefix(".init_array.") || name == ".preinit_array" {
            self = .initArray
        } else if section.type == SectionType.finiArray || name == ".fini_array" || name.hasPrefix(".fini_array.") {
            self = .finiArray
        } else if section.isTLS {
            self = section.isNoBits ? .tbss : .tdata
        } else if section.isExecutable {
            self = .text
        } else if !section.isWritable || name.hasPrefix(".data.rel.ro") {
            self = .rodata  // .data.rel.ro is written only by load-time fixups (RELRO)
        } else {
            self = section.isNoBits ? .bss : .data
        }
    }

    /// Order key for init/fini arrays: `.init_array.N` by priority N, plain ones last
    /// (`.preinit_array` first of all).
    static func priority(of section: Section) -> Int {
        if section.type == SectionType.preinitArray || section.name == ".preinit_array" { return -1 }
        if let dot = section.name.lastIndex(of: "."), let n = Int(section.name[section.name.index(after: dot)...]) {
            return n
        }
        return 65536
    }
}

/// Rounds `x` up to a multiple of `a` (a power of two).
@inline(__always) func alignUp(_ x: Int, _ a: Int) -> Int { (x + a - 1) & ~(a - 1) }

/// A symbol name usable from C, which gets `__start_`/`__stop_` bounds.
func isCIdentifier(_ s: String) -> Bool {
    guard let f = s.utf8.first, f == UInt8(ascii: "_") || (f | 0x20 >= 0x61 && f | 0x20 <= 0x7a) else { return false }
    return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) }
}

/// For `__start_X` / `__stop_X`, the section name `X`.
func boundedSectionName(_ symbol: String) -> String? {
    for prefix in ["__start_", "__stop_"] where symbol.hasPrefix(prefix) {
        let name = String(symbol.dropFirst(prefix.count))
        return isCIdentifier(name) ? name : nil
    }
    return nil
}
