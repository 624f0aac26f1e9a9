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
        case SectionType.null, SectionType.group, SectionType.symtab, SectionType.strtab, SectionType.rela, SectionType.rel,
             SectionType.symtabShndx, 0x7000_0001 /* SHT_X86_64_UNWIND */:
            return nil
        default: break
        }
        if name == ".eh_frame" || name.hasPrefix(".note") { return nil }
        // Zero-filled sections go with .bss whatever their flags, so only sections with contents
        // (bounded by the input files) come before the end of the initialised data.
        if section.isNoBits && !section.isTLS {
            self = .bss
            return
        }
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

/// A position in the image (or the TLS block) being laid out, that never passes `limit`.
///
/// Section sizes and alignments come from input files and may be anything up to 2^64−1, so
/// every step is checked: a step past the limit throws ``LinkError/imageTooLarge(item:size:limit:stored:)``
/// naming what did not fit, and offsets below the limit cannot overflow `Int`.
struct LayoutCursor {
    private(set) var offset: Int
    let limit: Int
    /// A lower limit for the stored part of the image (before the zero fill), while it lasts.
    var storedLimit: Int?

    init(at offset: Int = 0, limit: Int, storedLimit: Int? = nil) {
        self.offset = offset
        self.limit = limit
        self.storedLimit = storedLimit
    }

    private func tooLarge(_ item: String, _ size: UInt64?) -> LinkError {
        if let storedLimit { return .imageTooLarge(item: item, size: size, limit: storedLimit, stored: true) }
        return .imageTooLarge(item: item, size: size, limit: limit)
    }

    /// Rounds the position up to `alignment` (a power of two) for `item`.
    mutating func align(_ alignment: UInt64, for item: @autoclosure () -> String) throws {
        guard let a = Checked.int(alignment), let next = Checked.alignUp(offset, a), next <= min(limit, storedLimit ?? limit) else {
            throw tooLarge("\(item()) aligned to \(alignment)", nil)
        }
        offset = next
    }

    /// Moves past `size` bytes of `item`.
    mutating func advance(by size: UInt64, for item: @autoclosure () -> String) throws {
        guard let n = Checked.int(size), let next = Checked.add(offset, n), next <= min(limit, storedLimit ?? limit) else {
            throw tooLarge(item(), size)
        }
        offset = next
    }
}

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
