import CrossRunELF

/// An input section after layout.
public struct PlacedSection: Sendable {
    /// Index of the object in the link.
    public var object: Int
    /// The section itself.
    public var section: Section
    /// Image offset of its first byte (for TLS sections: the offset of its template copy).
    public var offset: Int
}

/// Where a relocation's symbol ended up.
public enum RelocationTarget: Sendable, Equatable {
    /// Inside the image, at this offset.
    case image(Int)
    /// Bound at load time to `imports[index]`.
    case imported(Int)
    /// A fixed address (`SHN_ABS`).
    case absolute(UInt64)
    /// Weak and undefined: address 0.
    case weakUndefined
    /// A thread-local variable at this offset in the TLS block.
    case tls(Int)
    /// A GNU indirect function (`STT_GNU_IFUNC`) whose resolver is at this image offset: its
    /// address is what the resolver returns at start-up (``LinkImage/IndirectSlot``).
    case indirect(resolver: Int)
}

/// Identity of a symbol across the link: globals by name, locals by object and index.
enum SymbolKey: Hashable {
    case global(String)
    case local(object: Int, symbol: Int)
}

/// Everything a per-arch relocator needs while patching one section: the image bytes,
/// symbol targets, synthesized GOT/stub/TLS entries, and the fixup list.
public struct RelocationContext {
    /// The image being written.
    public var image: [UInt8]
    /// Loader fixups collected so far.
    public internal(set) var fixups: [LinkImage.Fixup] = []
    /// Image offset of the GOT (for GOT-relative relocations).
    public let gotBase: Int

    let objects: [ObjectFile]
    let keyOf: (Int, Int) -> SymbolKey
    let targets: [SymbolKey: RelocationTarget]
    let gotEntries: [SymbolKey: Int]
    let stubs: [SymbolKey: Int]
    let tlsPairs: [SymbolKey: Int]
    let tlsLocalPair: Int?
    let tlsDescriptors: [SymbolKey: Int]
    let imports: [LinkImage.Import]
    /// Indirect functions whose address is their stub (some code forms it PC-relatively).
    let canonicalStubs: Set<SymbolKey>
    /// Slots start-up fills from indirect functions' resolvers, collected so far.
    public internal(set) var indirectSlots: [LinkImage.IndirectSlot] = []
    /// Object currently being relocated.
    var currentObject = 0
    var currentSection = ""

    /// Name of symbol `index` of the current object, for messages.
    public func symbolName(_ index: UInt32) -> String {
        let syms = objects[currentObject].symbols
        guard Int(index) < syms.count else { return "#\(index)" }
        let s = syms[Int(index)]
        if s.type == .section, Int(s.sectionIndex) < objects[currentObject].sections.count {
            return objects[currentObject].sections[Int(s.sectionIndex)].name
        }
        return s.name.isEmpty ? "#\(index)" : s.name
    }

    /// Symbol `index` of the current object as the object defines it (for relocations, like
    /// RISC-V's `PCREL_LO12`, that name a label rather than a target), or nil when out of range.
    public func symbol(_ index: UInt32) -> Symbol? {
        let syms = objects[currentObject].symbols
        return Int(index) < syms.count ? syms[Int(index)] : nil
    }

    private func key(_ index: UInt32) -> SymbolKey { keyOf(currentObject, Int(index)) }

    /// The error for a relocation in the current section.
    public func error(_ r: Relocation, _ message: String) -> LinkError {
        .relocation(file: objects[currentObject].name, section: currentSection, offset: r.offset, message: message)
    }

    /// Where symbol `index` of the current object resolved to.
    public func target(_ index: UInt32) throws -> RelocationTarget {
        if index == 0 { return .absolute(0) }
        guard let t = targets[key(index)] else {
            throw LinkError.invalidInput(file: objects[currentObject].name,
                                         message: "relocation refers to '\(symbolName(index))' in a discarded section")
        }
        return t
    }

    /// Whether symbol `index` is bound to a data import (unreachable PC-relatively).
    public func isDataImport(_ index: UInt32) -> Bool {
        if case .imported(let i)? = try? target(index) { return imports[i].kind == .data }
        return false
    }

    /// Symbol size (for SIZE relocations; callers reinterpret it as `Int64(bitPattern:)`).
    public func symbolSize(_ index: UInt32) -> UInt64 {
        let syms = objects[currentObject].symbols
        return Int(index) < syms.count ? syms[Int(index)].size : 0
    }

    /// The image offset code may branch or point to PC-relatively for symbol `index`: the symbol
    /// itself when it is in the image, otherwise its import stub.
    public func pcRelativeTarget(_ r: Relocation) throws -> Int {
        switch try target(r.symbol) {
        case .image(let o): return o
        case .tls: throw error(r, "PC-relative reference to thread-local '\(symbolName(r.symbol))'")
        case .imported, .absolute, .weakUndefined, .indirect:
            guard let stub = stubs[key(r.symbol)] else {
                throw error(r, "'\(symbolName(r.symbol))' is outside the image and has no stub")
            }
            return stub
        }
    }

    /// The image offset of the GOT entry for symbol `index`.
    public func gotEntry(_ r: Relocation) throws -> Int {
        guard let g = gotEntries[key(r.symbol)] else { throw error(r, "no GOT entry for '\(symbolName(r.symbol))'") }
        return g
    }

    /// The image offset of the general-dynamic TLS pair for symbol `index`.
    public func tlsPair(_ r: Relocation) throws -> Int {
        guard let g = tlsPairs[key(r.symbol)] else { throw error(r, "no TLS entry for '\(symbolName(r.symbol))'") }
        return g
    }

    /// The image offset of the TLS descriptor (a GOT pair) for the relocation's symbol.
    public func tlsDescriptor(_ r: Relocation) throws -> Int {
        guard let d = tlsDescriptors[key(r.symbol)] else { throw error(r, "no TLS descriptor for '\(symbolName(r.symbol))'") }
        return d
    }

    /// The image offset of the local-dynamic TLS pair.
    public func tlsLocalDynamicPair(_ r: Relocation) throws -> Int {
        guard let g = tlsLocalPair else { throw error(r, "no local-dynamic TLS entry") }
        return g
    }

    /// Offset of thread-local symbol `index` within the TLS block.
    public func tlsOffset(_ r: Relocation) throws -> Int {
        guard case .tls(let o) = try target(r.symbol) else {
            throw error(r, "'\(symbolName(r.symbol))' is not a thread-local variable defined in the program")
        }
        return o
    }

    /// Writes a 64-bit absolute address `S + A` at `place`, recording the loader fixup it needs.
    public mutating func writeAbsolute64(_ r: Relocation, at place: Int) throws {
        switch try target(r.symbol) {
        case .image(let o):
            write64(UInt64(bitPattern: Int64(o) &+ r.addend), at: place)
            fixups.append(.rebase(offset: place))
        case .imported(let i):
            write64(0, at: place)
            fixups.append(.importValue(offset: place, index: i, addend: r.addend))
        case .absolute(let v):
            write64(v &+ UInt64(bitPattern: r.addend), at: place)
        case .weakUndefined:
            write64(UInt64(bitPattern: r.addend), at: place)
        case .tls:
            throw error(r, "absolute address of thread-local '\(symbolName(r.symbol))' (use &var at run time)")
        case .indirect(let resolver):
            write64(0, at: place)
            try storeIndirect(r, resolver: resolver, addend: r.addend, at: place)
        }
    }

    /// Makes the 8 bytes at `place` hold indirect function `r.symbol`'s address plus `addend`:
    /// its stub's (rebased now) when that is its canonical address, else a slot start-up
    /// fills from the resolver.
    mutating func storeIndirect(_ r: Relocation, resolver: Int, addend: Int64, at place: Int) throws {
        if canonicalStubs.contains(key(r.symbol)) {
            guard let stub = stubs[key(r.symbol)] else { throw error(r, "indirect function '\(symbolName(r.symbol))' has no stub") }
            write64(UInt64(bitPattern: Int64(stub) &+ addend), at: place)
            fixups.append(.rebase(offset: place))
        } else {
            indirectSlots.append(.init(offset: place, resolver: resolver, addend: addend))
        }
    }

    /// Checks that `value` fits a signed field of `bits` bits.
    public func checkSigned(_ value: Int64, bits: Int, _ r: Relocation, _ name: String) throws {
        let limit = Int64(1) << (bits - 1)
        guard value >= -limit, value < limit else {
            throw error(r, "\(name) against '\(symbolName(r.symbol))' out of range: \(value) does not fit in \(bits) signed bits")
        }
    }

    public mutating func write8(_ v: UInt8, at o: Int) { image[o] = v }
    public mutating func write16(_ v: UInt16, at o: Int) { for i in 0..<2 { image[o + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
    public mutating func write32(_ v: UInt32, at o: Int) { for i in 0..<4 { image[o + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
    public mutating func write64(_ v: UInt64, at o: Int) { for i in 0..<8 { image[o + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
    public func read32(at o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(image[o + $1]) << (8 * $1) } }
    public func read16(at o: Int) -> UInt16 { UInt16(image[o]) | UInt16(image[o + 1]) << 8 }

    /// Checks that `size` bytes at section offset `r.offset` lie inside the section.
    public func checkBounds(_ r: Relocation, size: Int, in section: PlacedSection) throws {
        guard let end = Checked.add(r.offset, UInt64(size)), end <= section.section.size else {
            throw error(r, "relocation field of \(size) bytes runs past the end of the section")
        }
    }
}
