import CrossRunELF

extension LinkImage {
    /// One merged DWARF section (`.debug_info`, `.debug_line`…): every object's contribution in
    /// link order, relocated against the image. Addresses are image offsets until a file is
    /// written for a base: ``addressSlots`` says where the base is to be added.
    public struct DebugSection: Sendable, Equatable {
        public var name: String
        public var bytes: [UInt8]
        /// Little-endian fields (offset, width 4 or 8) that hold image offsets of code or data.
        public var addressSlots: [DebugSlot]
    }

    /// A field of a debug section that holds an image offset.
    public struct DebugSlot: Sendable, Equatable {
        public var offset: Int
        public var width: Int
    }
}

extension LinkState {
    /// The objects' DWARF sections merged and relocated (empty when no object has any).
    /// Debug information is best effort: a relocation this does not understand, or that does
    /// not fit its section, leaves its field as the object had it; nothing here fails a link.
    func debugSections() -> [LinkImage.DebugSection] {
        var order: [String] = []
        var merged: [String: [UInt8]] = [:]
        var placed: [[Int: Int]] = Array(repeating: [:], count: objects.count)   // object → section → offset in its merged section
        for (o, object) in objects.enumerated() {
            for section in object.sections where !section.isAlloc && !section.isNoBits && section.name.hasPrefix(".debug_") {
                var bytes = merged[section.name] ?? []
                if merged[section.name] == nil { order.append(section.name) }
                let align = Int(min(max(section.alignment, 1), 16))
                while bytes.count % align != 0 { bytes.append(0) }
                placed[o][section.index] = bytes.count
                bytes += object.contents(of: section)
                merged[section.name] = bytes
            }
        }
        guard !order.isEmpty else { return [] }
        var slots: [String: [LinkImage.DebugSlot]] = [:]

        /// The value of symbol `s` of object `o`: an image offset (`address`) or an offset into a
        /// merged debug section.
        func value(_ o: Int, _ s: Int, depth: Int = 0) -> (value: UInt64, address: Bool)? {
            guard s < objects[o].symbols.count else { return nil }
            let sym = objects[o].symbols[s]
            if sym.isUndefined || sym.isCommon || (sym.binding != .local && depth == 0) {
                // A global: where the link defined it.
                switch definitions[sym.name] {
                case .defined(let o2, let s2, _)? where depth == 0: return value(o2, s2, depth: 1)
                case .common?: return commonOffset[sym.name].map { (UInt64($0), true) }
                default:
                    guard !sym.isUndefined, !sym.isCommon, depth == 0 else { return nil }
                    return value(o, s, depth: 1)
                }
            }
            if sym.isAbsolute { return (sym.value, false) }
            let index = Int(sym.sectionIndex)
            if let at = sectionOffset[o][index] { return (UInt64(at) &+ sym.value, true) }
            if let at = placed[o][index] { return (UInt64(at) &+ sym.value, false) }
            return nil
        }

        for (o, object) in objects.enumerated() {
            for section in object.sections {
                guard let base = placed[o][section.index], let relocations = object.relocations[section.index] else { continue }
                var bytes = merged[section.name] ?? []
                for r in relocations {
                    let length = UInt64(object.contents(of: section).count)
                    guard let (width, kind) = debugRelocation(r.type), r.offset <= length, length - r.offset >= UInt64(width),
                          let target = value(o, Int(r.symbol)) else { continue }
                    let at = base + Int(r.offset)
                    let sum = target.value &+ UInt64(bitPattern: r.addend)
                    var old: UInt64 = 0
                    for i in 0..<width { old |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
                    let new: UInt64
                    switch kind {
                    case .absolute:
                        new = sum
                        if target.address { slots[section.name, default: []].append(.init(offset: at, width: width)) }
                    case .add: new = old &+ sum
                    case .subtract: new = old &- sum
                    case .set6: new = (old & 0xc0) | (sum & 0x3f)
                    case .subtract6: new = (old & 0xc0) | ((old &- sum) & 0x3f)
                    }
                    for i in 0..<width { bytes[at + i] = UInt8(truncatingIfNeeded: new >> (8 * UInt64(i))) }
                }
                merged[section.name] = bytes
            }
        }
        return order.map { LinkImage.DebugSection(name: $0, bytes: merged[$0] ?? [], addressSlots: slots[$0] ?? []) }
    }

    enum DebugRelocationKind { case absolute, add, subtract, set6, subtract6 }

    /// Width and meaning of the relocation types DWARF sections use (x86-64 64/32,
    /// aarch64 ABS64/ABS32, riscv64 64/32 and the ADD/SUB/SET label differences).
    func debugRelocation(_ type: UInt32) -> (Int, DebugRelocationKind)? {
        switch options.machine {
        case .x86_64:
            switch type {
            case 1: return (8, .absolute)
            case 10, 11: return (4, .absolute)
            default: return nil
            }
        case .aarch64:
            switch type {
            case 257: return (8, .absolute)
            case 258: return (4, .absolute)
            default: return nil
            }
        case .riscv64:
            switch type {
            case 2: return (8, .absolute)
            case 1: return (4, .absolute)
            case 33: return (1, .add)
            case 34: return (2, .add)
            case 35: return (4, .add)
            case 36: return (8, .add)
            case 37: return (1, .subtract)
            case 38: return (2, .subtract)
            case 39: return (4, .subtract)
            case 40: return (8, .subtract)
            case 52: return (1, .subtract6)
            case 53: return (1, .set6)
            case 54: return (1, .absolute)
            case 55: return (2, .absolute)
            case 56: return (4, .absolute)
            default: return nil
            }
        }
    }
}
