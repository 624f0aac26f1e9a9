import CrossRunLink

/// Human-readable description of a ``LinkImage`` (for `crossrun inspect`).
public enum ImageReport {
    static func hex(_ v: Int, width: Int = 6) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, width - s.count)) + s
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

    /// The report text.
    public static func render(_ image: LinkImage, name: String) -> String {
        var out = "\(name): \(image.machine) image, \(image.size) bytes (\(image.bytes.count) initialised), page size \(image.pageSize)\n"
        out += "segments:\n"
        for s in image.segments {
            out += "  \(pad(s.name, 8)) \(hex(s.offset))-\(hex(s.offset + s.memorySize))  \(s.permissions.rawValue)  \(s.memorySize) bytes\n"
        }
        var counts = (rebase: 0, slot: 0, value: 0, tls: 0)
        for f in image.fixups {
            switch f {
            case .rebase: counts.rebase += 1
            case .importSlot: counts.slot += 1
            case .importValue: counts.value += 1
            case .tlsBlock: counts.tls += 1
            }
        }
        out += "fixups: \(counts.rebase) rebase, \(counts.slot) import slot, \(counts.value) import value, \(counts.tls) TLS block\n"
        if !image.indirectSlots.isEmpty {
            out += "indirect function slots: \(image.indirectSlots.count) (\(Set(image.indirectSlots.map(\.resolver)).count) resolvers)\n"
        }
        out += "initializers: \(image.initializers.count), finalizers: \(image.finalizers.count)\n"
        if let t = image.tls {
            out += "tls: block \(t.size) bytes (align \(t.alignment)), template \(t.initializedSize) bytes at \(hex(t.imageOffset))\n"
        }
        out += "imports (\(image.imports.count)):\n"
        for (i, imp) in image.imports.enumerated() {
            out += "  [\(i)] \(imp.name) (\(imp.kind.rawValue))\n"
        }
        out += "symbols (\(image.symbols.count)):\n"
        for s in image.symbols {
            let where_ = s.kind == .tls ? "tls+" + hex(s.offset, width: 4) : hex(s.offset)
            out += "  \(pad(where_, 10)) \(pad(s.kind.rawValue, 8)) \(pad(String(s.size), 6)) \(s.isGlobal ? "global" : "local ") \(s.name)  [\(s.file)]\n"
        }
        return out
    }
}
