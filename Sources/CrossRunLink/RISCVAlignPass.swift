import CrossRunELF

/// Honours `R_RISCV_ALIGN` before layout.
///
/// Code assembled with linker relaxation reserves `addend` bytes of NOPs wherever it asks for
/// alignment, and leaves it to the linker to keep only as many as are needed for the next
/// instruction to be aligned to the smallest power of two ≥ `addend + 2`. CrossRun relaxes
/// nothing else, so this pass only deletes the excess padding of each section carrying ALIGN
/// relocations and moves everything behind it: symbol values and sizes, relocation offsets,
/// and addends of references through the section symbol. The section's alignment is raised
/// to every ALIGN's requirement, so offsets aligned within the section stay aligned in the image.
enum RISCVAlignPass {
    static let alignType: UInt32 = 43

    /// Bytes deleted from a section, in its original offsets.
    struct Deletion { var start: UInt64, end: UInt64 }

    /// Maps offsets of the original section to offsets after the deletions. Offsets inside a
    /// deleted stretch map to where it was.
    struct OffsetMap {
        let deletions: [Deletion]   // sorted and disjoint
        private let removedBefore: [UInt64]

        init(_ deletions: [Deletion]) {
            self.deletions = deletions
            var sum: UInt64 = 0
            removedBefore = deletions.map { d in defer { sum += d.end - d.start }; return sum }
        }

        /// Index of the last deletion starting before `x`, if any.
        private func last(before x: UInt64) -> Int? {
            var lo = 0, hi = deletions.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if deletions[mid].start < x { lo = mid + 1 } else { hi = mid }
            }
            return lo > 0 ? lo - 1 : nil
        }

        func callAsFunction(_ x: UInt64) -> UInt64 {
            guard let k = last(before: x) else { return x }
            let d = deletions[k]
            return x - removedBefore[k] - (min(x, d.end) - d.start)
        }

        /// Whether `x` addresses a deleted byte.
        func isDeleted(_ x: UInt64) -> Bool {
            guard let k = last(before: x + 1) else { return false }
            return x < deletions[k].end
        }
    }

    /// `object` with the padding of every section carrying ALIGN relocations shrunk (and those
    /// relocations dropped); the object itself when it has none.
    static func run(_ object: ObjectFile) throws -> ObjectFile {
        let targets = object.relocations.keys.sorted().filter { index in
            object.relocations[index]?.contains { $0.type == alignType } == true
        }
        guard !targets.isEmpty else { return object }
        var sections = object.sections, symbols = object.symbols, relocations = object.relocations
        var bytes = object.bytes
        for index in targets where index < sections.count {
            let original = sections[index]
            let list = relocations[index] ?? []
            let (contents, map, alignment) = try shrink(original, list, object)

            sections[index].fileRange = bytes.count..<bytes.count + contents.count
            sections[index].size = UInt64(contents.count)
            sections[index].alignment = max(original.alignment, alignment)
            bytes += contents

            var sectionSymbols = Set<UInt32>()
            for s in symbols.indices where symbols[s].sectionIndex == UInt32(index) && !symbols[s].isAbsolute && !symbols[s].isCommon {
                if symbols[s].type == .section { sectionSymbols.insert(UInt32(s)); continue }
                let value = symbols[s].value, size = symbols[s].size
                symbols[s].value = map(value)
                if size > 0, let end = Checked.add(value, size) { symbols[s].size = map(end) - map(value) }
            }
            var moved: [Relocation] = []
            for r in list where r.type != alignType {
                guard !map.isDeleted(r.offset) else {
                    throw error(object, original, "relocation type \(r.type) at offset 0x\(String(r.offset, radix: 16)) lies in alignment padding that R_RISCV_ALIGN deletes")
                }
                var r = r
                r.offset = map(r.offset)
                moved.append(r)
            }
            relocations[index] = moved
            // References through the section symbol name their target by addend.
            if !sectionSymbols.isEmpty {
                for (k, rels) in relocations {
                    relocations[k] = rels.map { r in
                        guard sectionSymbols.contains(r.symbol), r.addend >= 0, UInt64(r.addend) <= original.size else { return r }
                        var r = r
                        r.addend = Int64(map(UInt64(r.addend)))
                        return r
                    }
                }
            }
        }
        return ObjectFile(rewriting: object, bytes: bytes, sections: sections, symbols: symbols, relocations: relocations)
    }

    /// The section's new contents, the offset map, and the alignment the ALIGNs require.
    private static func shrink(_ section: Section, _ list: [Relocation], _ object: ObjectFile) throws
        -> (contents: [UInt8], map: OffsetMap, alignment: UInt64)
    {
        guard !section.isNoBits else { throw error(object, section, "R_RISCV_ALIGN in a section without contents") }
        let old = object.contents(of: section)
        let base = old.startIndex
        var out: [UInt8] = []
        out.reserveCapacity(old.count)
        var deletions: [Deletion] = []
        var cursor: UInt64 = 0
        var maxAlignment: UInt64 = 1
        for r in list.filter({ $0.type == alignType }).sorted(by: { $0.offset < $1.offset }) {
            let at = "R_RISCV_ALIGN at offset 0x\(String(r.offset, radix: 16))"
            guard r.addend >= 0, r.addend < 1 << 16 else { throw error(object, section, "\(at) has an implausible padding size \(r.addend)") }
            let reserved = UInt64(r.addend)
            guard r.offset >= cursor, r.offset + reserved <= section.size else {
                throw error(object, section, "\(at): its \(reserved) bytes of padding overlap other padding or run past the section end")
            }
            var alignment: UInt64 = 1
            while alignment < reserved + 2 { alignment <<= 1 }
            out += old[base + Int(cursor)..<base + Int(r.offset)]
            let position = UInt64(out.count)
            let keep = (alignment - position % alignment) % alignment
            guard keep <= reserved, keep % 2 == 0 else {
                throw error(object, section, "\(at) needs \(keep) bytes of padding to reach \(alignment)-byte alignment, but reserves \(reserved)")
            }
            out += nops(Int(keep))
            if keep < reserved { deletions.append(Deletion(start: r.offset + keep, end: r.offset + reserved)) }
            cursor = r.offset + reserved
            maxAlignment = max(maxAlignment, alignment)
        }
        out += old[(base + Int(cursor))...]
        return (out, OffsetMap(deletions), maxAlignment)
    }

    /// `count` bytes of NOPs ending at an aligned offset: a `c.nop` for an odd halfword first
    /// (as the assembler lays them out), then 4-byte `addi x0, x0, 0`.
    static func nops(_ count: Int) -> [UInt8] {
        var out: [UInt8] = count % 4 == 2 ? [0x01, 0x00] : []
        for _ in 0..<count / 4 { out += [0x13, 0x00, 0x00, 0x00] }
        return out
    }

    private static func error(_ object: ObjectFile, _ section: Section, _ message: String) -> LinkError {
        .invalidInput(file: object.name, message: "section '\(section.name)': \(message)")
    }
}
