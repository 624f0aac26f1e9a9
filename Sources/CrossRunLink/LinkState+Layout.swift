import CrossRunELF

extension LinkState {
    /// Assigns image offsets: text+stubs (r-x), rodata+GOT+init/fini+TLS template (r--),
    /// data+bss (rw-), each segment page aligned. Throws ``LinkError/imageTooLarge(item:size:limit:stored:)``
    /// when the image would pass ``LinkOptions/maximumImageSize`` (or its code and initialised
    /// data ``LinkOptions/maximumStoredSize``).
    mutating func layout() throws {
        let page = UInt64(options.pageSize)
        // Until the zero fill, every byte is also held in memory: the lower stored limit applies.
        var cursor = LayoutCursor(limit: options.maximumImageSize, storedLimit: options.maximumStoredSize)

        func describe(_ o: Int, _ section: Section) -> String { "\(objects[o].name): section '\(section.name)'" }
        func placeGroup(_ g: OutputGroup) throws {
            for (o, section) in groups[g] ?? [] {
                try cursor.align(section.alignment, for: describe(o, section))
                let start = cursor.offset
                try cursor.advance(by: section.size, for: describe(o, section))
                sectionOffset[o][section.index] = start
                if isCIdentifier(section.name) {
                    let run = namedRuns[section.name] ?? start..<start
                    namedRuns[section.name] = run.lowerBound..<cursor.offset
                }
            }
        }
        func beginSegment(_ name: String) throws -> Int {
            try cursor.align(page, for: "the \(name) segment")
            return cursor.offset
        }
        func endSegment(_ name: String, _ start: Int, _ perms: LinkImage.Permissions) throws {
            guard cursor.offset > start else { return }
            var end = cursor
            try end.align(page, for: "the end of the \(name) segment")
            segments.append(.init(name: name, offset: start, memorySize: end.offset - start, permissions: perms))
        }
        /// Reserves `count` entries of `size` bytes for a synthesized table, returning the first offset.
        func reserve(_ count: Int, of size: Int, _ what: String) throws -> Int {
            let start = cursor.offset
            try cursor.advance(by: Checked.multiply(UInt64(count), UInt64(size)) ?? .max, for: what)
            return start
        }

        // Text: code, import stubs, the TLS resolver.
        let text = try beginSegment("text")
        try placeGroup(.text)
        if !stubKeys.isEmpty {
            try cursor.align(UInt64(arch.stubAlignment), for: "the import stubs")
            let first = try reserve(stubKeys.count, of: arch.stubSize, "the import stubs")
            for (i, k) in stubKeys.enumerated() { stubs[k] = first + i * arch.stubSize }
        }
        if needsTLSResolver {
            try cursor.align(16, for: "the TLS resolver")
            tlsResolverOffset = try reserve(1, of: arch.tlsResolverSize, "the TLS resolver")
        }
        try endSegment("text", text, .readExecute)

        // Read-only after fixups: rodata, GOT, init/fini arrays, the TLS template.
        let ro = try beginSegment("rodata")
        try placeGroup(.rodata)
        try cursor.align(8, for: "the GOT")
        gotBase = cursor.offset
        let got = try reserve(gotKeys.count, of: 8, "the GOT")
        for (i, k) in gotKeys.enumerated() { gotEntries[k] = got + 8 * i }
        let indirect = try reserve(indirectStubKeys.count, of: 8, "the indirect function slots")
        for (i, k) in indirectStubKeys.enumerated() { stubSlots[k] = indirect + 8 * i }
        let pairs = try reserve(tlsKeys.count, of: 16, "the TLS GOT pairs")
        for (i, k) in tlsKeys.enumerated() { tlsPairs[k] = pairs + 16 * i }
        let descriptors = try reserve(tlsDescriptorKeys.count, of: 16, "the TLS descriptors")
        for (i, k) in tlsDescriptorKeys.enumerated() { tlsDescriptors[k] = descriptors + 16 * i }
        if needsLocalDynamic { tlsLocalPair = try reserve(1, of: 16, "the local-dynamic TLS pair") }
        if needsTLSResolver || !tlsKeys.isEmpty || needsLocalDynamic { tlsBlockSlot = try reserve(1, of: 8, "the TLS block slot") }
        for (g, isInit) in [(OutputGroup.initArray, true), (.finiArray, false)] {
            try cursor.align(8, for: isInit ? "the init array" : "the fini array")
            let start = cursor.offset
            try placeGroup(g)
            let slots = stride(from: start, to: cursor.offset, by: 8).map { $0 }
            if isInit { initSlots = slots } else { finiSlots = slots.reversed() }
        }
        try layoutTLS(&cursor)
        try endSegment("rodata", ro, .read)

        // Writable: data, then zero-initialised bss and common symbols.
        let rw = try beginSegment("data")
        try placeGroup(.data)
        fileSize = cursor.offset
        cursor.storedLimit = nil
        try placeGroup(.bss)
        for (name, def) in definitions.sorted(by: { $0.key < $1.key }) {
            guard case .common(let o, _, let size, let alignment) = def else { continue }
            let item = "\(objects[o].name): common symbol '\(name)'"
            try cursor.align(min(alignment, 4096), for: item)
            commonOffset[name] = cursor.offset
            try cursor.advance(by: size, for: item)
        }
        try endSegment("data", rw, .readWrite)
        try cursor.align(page, for: "the end of the image")
        imageSize = max(cursor.offset, options.pageSize)
    }

    /// Places `.tdata` (as a template inside the image) and numbers `.tbss` in the TLS block,
    /// which obeys the same size limit as the image.
    private mutating func layoutTLS(_ cursor: inout LayoutCursor) throws {
        let tdata = groups[.tdata] ?? [], tbss = groups[.tbss] ?? []
        guard !tdata.isEmpty || !tbss.isEmpty else { return }
        let alignment = (tdata + tbss).map(\.section.alignment).max() ?? 1
        try cursor.align(alignment, for: "the TLS template")
        let templateStart = cursor.offset
        var block = LayoutCursor(limit: options.maximumImageSize)
        func describe(_ o: Int, _ section: Section) -> String { "\(objects[o].name): thread-local section '\(section.name)'" }
        for (o, section) in tdata {
            try block.align(section.alignment, for: describe(o, section))
            tlsSectionOffset[o][section.index] = block.offset
            sectionOffset[o][section.index] = templateStart + block.offset
            try block.advance(by: section.size, for: describe(o, section))
        }
        let initialized = block.offset
        try cursor.advance(by: UInt64(initialized), for: "the TLS template")
        for (o, section) in tbss {
            try block.align(section.alignment, for: describe(o, section))
            tlsSectionOffset[o][section.index] = block.offset
            try block.advance(by: section.size, for: describe(o, section))
        }
        if block.offset == 0 { try block.advance(by: 1, for: "the TLS block") }
        try block.align(alignment, for: "the TLS block")
        tlsTemplate = .init(imageOffset: templateStart, initializedSize: initialized,
                            size: block.offset, alignment: Int(alignment))
    }

    /// The final target of symbol `s` of object `o` defined in a section (or absolute), or nil
    /// when its section is not part of the image. A symbol may lie past the end of its section
    /// (`.set sym, x+16`), but not past the largest image: its offset must stay within
    /// ``LinkOptions/maximumImageSize``, so image and TLS offsets are never negative or huge.
    func definedTarget(_ o: Int, _ s: Int) throws -> RelocationTarget? {
        let sym = objects[o].symbols[s]
        if sym.isAbsolute { return .absolute(sym.value) }
        let index = Int(sym.sectionIndex)
        func offset(from base: Int, in what: String) throws -> Int {
            guard let value = Checked.int(sym.value), let at = Checked.add(base, value), at <= options.maximumImageSize else {
                let section = index < objects[o].sections.count ? objects[o].sections[index] : nil
                let place = section.map { " in section '\($0.name)' (\($0.size) bytes)" } ?? ""
                throw LinkError.invalidInput(file: objects[o].name, message: "symbol '\(sym.name)' has value 0x\(String(sym.value, radix: 16))\(place), which puts it beyond the \(LinkError.bytes(options.maximumImageSize)) \(what) may span")
            }
            return at
        }
        if let t = tlsSectionOffset[o][index] { return .tls(try offset(from: t, in: "a TLS block")) }
        if let base = sectionOffset[o][index] { return .image(try offset(from: base, in: "an image")) }
        return nil
    }

    /// A GNU indirect function's target: its resolver, called at start-up (an `STT_GNU_IFUNC`
    /// symbol outside the image is taken as it is: absolute symbols are not resolved).
    private func indirect(_ t: RelocationTarget, _ sym: Symbol) -> RelocationTarget {
        if sym.type == .gnuIFunc, case .image(let resolver) = t { return .indirect(resolver: resolver) }
        return t
    }

    /// Computes where every symbol ended up.
    mutating func assignTargets() throws {
        for (o, object) in objects.enumerated() {
            for (s, sym) in object.symbols.enumerated() where s > 0 && sym.binding == .local {
                if let t = try definedTarget(o, s) { targets[.local(object: o, symbol: s)] = indirect(t, sym) }
            }
        }
        for (name, def) in definitions {
            switch def {
            case .defined(let o, let s, _):
                if let t = try definedTarget(o, s) { targets[.global(name)] = indirect(t, objects[o].symbols[s]) }
            case .common:
                if let off = commonOffset[name] { targets[.global(name)] = .image(off) }
            }
        }
        for (name, i) in importIndex { targets[.global(name)] = .imported(i) }
        for name in weakUndefined { targets[.global(name)] = .weakUndefined }
        for name in linkerSymbols {
            switch name {
            case "__tls_get_addr": if let o = tlsResolverOffset { targets[.global(name)] = .image(o) }
            case "_GLOBAL_OFFSET_TABLE_": targets[.global(name)] = .image(gotBase)
            case "__dso_handle": targets[.global(name)] = .image(0)
            default:
                if let section = boundedSectionName(name), let run = namedRuns[section] {
                    targets[.global(name)] = .image(name.hasPrefix("__start_") ? run.lowerBound : run.upperBound)
                }
            }
        }
    }
}
