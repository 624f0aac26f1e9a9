import CrossRunELF

extension LinkState {
    /// Assigns image offsets: text+stubs (r-x), rodata+GOT+init/fini+TLS template (r--),
    /// data+bss (rw-), each segment page aligned.
    mutating func layout() {
        let page = options.pageSize
        var cursor = 0

        func placeGroup(_ g: OutputGroup) {
            for (o, section) in groups[g] ?? [] {
                cursor = alignUp(cursor, Int(section.alignment))
                sectionOffset[o][section.index] = cursor
                if isCIdentifier(section.name) {
                    let run = namedRuns[section.name] ?? cursor..<cursor
                    namedRuns[section.name] = run.lowerBound..<cursor + Int(section.size)
                }
                cursor += Int(section.size)
            }
        }
        func beginSegment() -> Int { cursor = alignUp(cursor, page); return cursor }
        func endSegment(_ name: String, _ start: Int, _ perms: LinkImage.Permissions) {
            guard cursor > start else { return }
            segments.append(.init(name: name, offset: start, memorySize: alignUp(cursor, page) - start, permissions: perms))
        }

        // Text: code, import stubs, the TLS resolver.
        let text = beginSegment()
        placeGroup(.text)
        if !stubKeys.isEmpty {
            cursor = alignUp(cursor, arch.stubAlignment)
            for k in stubKeys { stubs[k] = cursor; cursor += arch.stubSize }
        }
        if needsTLSResolver {
            cursor = alignUp(cursor, 16)
            tlsResolverOffset = cursor
            cursor += arch.tlsResolverSize
        }
        endSegment("text", text, .readExecute)

        // Read-only after fixups: rodata, GOT, init/fini arrays, the TLS template.
        let ro = beginSegment()
        placeGroup(.rodata)
        cursor = alignUp(cursor, 8)
        gotBase = cursor
        for k in gotKeys { gotEntries[k] = cursor; cursor += 8 }
        for k in tlsKeys { tlsPairs[k] = cursor; cursor += 16 }
        for k in tlsDescriptorKeys { tlsDescriptors[k] = cursor; cursor += 16 }
        if needsLocalDynamic { tlsLocalPair = cursor; cursor += 16 }
        if needsTLSResolver || !tlsKeys.isEmpty || needsLocalDynamic { tlsBlockSlot = cursor; cursor += 8 }
        for (g, isInit) in [(OutputGroup.initArray, true), (.finiArray, false)] {
            cursor = alignUp(cursor, 8)
            let start = cursor
            placeGroup(g)
            let slots = stride(from: start, to: cursor, by: 8).map { $0 }
            if isInit { initSlots = slots } else { finiSlots = slots.reversed() }
        }
        layoutTLS(&cursor)
        endSegment("rodata", ro, .read)

        // Writable: data, then zero-initialised bss and common symbols.
        let rw = beginSegment()
        placeGroup(.data)
        fileSize = cursor
        placeGroup(.bss)
        for (name, def) in definitions.sorted(by: { $0.key < $1.key }) {
            guard case .common(_, _, let size, let alignment) = def else { continue }
            cursor = alignUp(cursor, Int(min(alignment, 4096)))
            commonOffset[name] = cursor
            cursor += Int(size)
        }
        endSegment("data", rw, .readWrite)
        imageSize = max(alignUp(cursor, page), page)
    }

    /// Places `.tdata` (as a template inside the image) and numbers `.tbss` in the TLS block.
    private mutating func layoutTLS(_ cursor: inout Int) {
        let tdata = groups[.tdata] ?? [], tbss = groups[.tbss] ?? []
        guard !tdata.isEmpty || !tbss.isEmpty else { return }
        let alignment = (tdata + tbss).map { Int($0.section.alignment) }.max() ?? 1
        cursor = alignUp(cursor, alignment)
        let templateStart = cursor
        var offset = 0
        for (o, section) in tdata {
            offset = alignUp(offset, Int(section.alignment))
            tlsSectionOffset[o][section.index] = offset
            sectionOffset[o][section.index] = templateStart + offset
            offset += Int(section.size)
        }
        let initialized = offset
        cursor = templateStart + initialized
        for (o, section) in tbss {
            offset = alignUp(offset, Int(section.alignment))
            tlsSectionOffset[o][section.index] = offset
            offset += Int(section.size)
        }
        tlsTemplate = .init(imageOffset: templateStart, initializedSize: initialized,
                            size: alignUp(max(offset, 1), alignment), alignment: alignment)
    }

    /// The final target of symbol `s` of object `o` defined in a section (or absolute).
    func definedTarget(_ o: Int, _ s: Int) -> RelocationTarget? {
        let sym = objects[o].symbols[s]
        if sym.isAbsolute { return .absolute(sym.value) }
        let index = Int(sym.sectionIndex)
        if let t = tlsSectionOffset[o][index] { return .tls(t + Int(sym.value)) }
        if let base = sectionOffset[o][index] { return .image(base + Int(truncatingIfNeeded: sym.value)) }
        return nil
    }

    /// Computes where every symbol ended up.
    mutating func assignTargets() throws {
        for (o, object) in objects.enumerated() {
            for (s, sym) in object.symbols.enumerated() where s > 0 && sym.binding == .local {
                if let t = definedTarget(o, s) { targets[.local(object: o, symbol: s)] = t }
            }
        }
        for (name, def) in definitions {
            switch def {
            case .defined(let o, let s, _):
                if let t = definedTarget(o, s) { targets[.global(name)] = t }
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
