import CrossRunELF

extension LinkState {
    /// Copies section contents, applies relocations, fills the GOT and stubs, and returns the image.
    func emit() throws -> LinkImage {
        var image = [UInt8](repeating: 0, count: fileSize)
        for (g, list) in groups where g != .bss && g != .tbss {
            for (o, section) in list where !section.isNoBits && section.size > 0 {
                // Layout placed `section.size` (= the contents' length) bytes at `at`, inside `fileSize`.
                guard let at = sectionOffset[o][section.index] else { continue }
                let contents = objects[o].contents(of: section)
                image.replaceSubrange(at..<at + contents.count, with: contents)
            }
        }

        var ctx = RelocationContext(image: image, gotBase: gotBase, objects: objects, keyOf: key,
                                    targets: targets, gotEntries: gotEntries, stubs: stubs, tlsPairs: tlsPairs,
                                    tlsLocalPair: tlsLocalPair, tlsDescriptors: tlsDescriptors, imports: imports,
                                    canonicalStubs: canonicalStubs)
        for (g, list) in groups.sorted(by: { $0.key < $1.key }) {
            for (o, section) in list {
                guard let relocations = objects[o].relocations[section.index], !relocations.isEmpty else { continue }
                ctx.currentObject = o
                ctx.currentSection = section.name
                guard g != .bss && g != .tbss && !section.isNoBits, let at = sectionOffset[o][section.index] else {
                    throw LinkError.invalidInput(file: objects[o].name, message: "relocations for section '\(section.name)', which holds no data")
                }
                try arch.relocate(PlacedSection(object: o, section: section, offset: at), relocations, &ctx)
            }
        }
        try fillSynthesized(&ctx)
        var linked = LinkImage(machine: options.machine, pageSize: options.pageSize, bytes: ctx.image, size: imageSize,
                               segments: segments, imports: imports, fixups: ctx.fixups, symbols: symbolTable(),
                               initializers: initSlots, finalizers: finiSlots, tls: tlsTemplate)
        linked.indirectSlots = ctx.indirectSlots
        linked.debugSections = debugSections()
        return linked
    }

    /// GOT entries, TLS pairs and descriptors, the TLS block slot, stubs and the TLS resolver.
    private func fillSynthesized(_ ctx: inout RelocationContext) throws {
        for k in gotKeys {
            guard let at = gotEntries[k], let t = targets[k] else { continue }
            switch t {
            case .image(let o): ctx.write64(UInt64(o), at: at); ctx.fixups.append(.rebase(offset: at))
            case .imported(let i): ctx.fixups.append(.importSlot(offset: at, index: i))
            case .absolute(let v): ctx.write64(v, at: at)
            case .weakUndefined: ctx.write64(0, at: at)
            case .indirect(let resolver):
                if canonicalStubs.contains(k), let stub = stubs[k] {
                    ctx.write64(UInt64(stub), at: at); ctx.fixups.append(.rebase(offset: at))
                } else {
                    ctx.indirectSlots.append(.init(offset: at, resolver: resolver, addend: 0))
                }
            case .tls:
                throw LinkError.invalidInput(file: referrer(of: k), message: "GOT entry requested for thread-local '\(name(of: k))' (initial-exec TLS is not supported)")
            }
        }
        for k in tlsKeys {
            guard let at = tlsPairs[k] else { continue }
            guard case .tls(let off)? = targets[k] else {
                throw LinkError.invalidInput(file: referrer(of: k), message: "'\(name(of: k))' is used as a thread-local variable but is not one defined by the program")
            }
            ctx.write64(1, at: at)          // module id: the image is module 1
            ctx.write64(UInt64(off), at: at + 8)
        }
        if let at = tlsLocalPair { ctx.write64(1, at: at); ctx.write64(0, at: at + 8) }
        for k in tlsDescriptorKeys {
            guard let at = tlsDescriptors[k], let resolver = tlsResolverOffset else { continue }
            guard case .tls(let off)? = targets[k] else {
                throw LinkError.invalidInput(file: referrer(of: k), message: "'\(name(of: k))' is used as a thread-local variable but is not one defined by the program")
            }
            ctx.write64(UInt64(resolver), at: at)   // [resolver address, offset in the TLS block]
            ctx.fixups.append(.rebase(offset: at))
            ctx.write64(UInt64(off), at: at + 8)
        }
        if let at = tlsBlockSlot { ctx.fixups.append(.tlsBlock(offset: at)) }
        for k in indirectStubKeys {
            guard let at = stubSlots[k], case .indirect(let resolver)? = targets[k] else { continue }
            ctx.indirectSlots.append(.init(offset: at, resolver: resolver, addend: 0))
        }
        for k in stubKeys {
            guard let at = stubs[k], let slot = stubSlots[k] ?? gotEntries[k] else { continue }
            arch.writeStub(&ctx.image, at: at, slot: slot)
        }
        if let at = tlsResolverOffset, let slot = tlsBlockSlot {
            arch.writeTLSResolver(&ctx.image, at: at, tlsBlockSlot: slot)
        }
    }

    /// The first object whose relocations use `key` (for messages about synthesized entries).
    private func referrer(of key: SymbolKey) -> String {
        firstUse[key].map { objects[$0].name } ?? "<link>"
    }

    private func name(of key: SymbolKey) -> String {
        switch key {
        case .global(let n): return n
        case .local(let o, let s): return s < objects[o].symbols.count ? objects[o].symbols[s].name : "#\(s)"
        }
    }

    /// Defined symbols (plus stubs and linker-made code) sorted by offset, for entry lookup,
    /// inspection and crash symbolization.
    private func symbolTable() -> [LinkImage.SymbolInfo] {
        var out: [LinkImage.SymbolInfo] = []
        for (o, object) in objects.enumerated() {
            for (s, sym) in object.symbols.enumerated() where s > 0 && !sym.name.isEmpty {
                guard [.function, .object, .notype, .tls].contains(sym.type), !sym.name.hasPrefix(".L"),
                      !(sym.binding == .local && sym.name.hasPrefix("$")) else { continue }  // $x/$d mapping symbols
                let k = key(o, s)
                // Globals appear once: from the object whose definition won.
                if case .global = k, case .defined(let wo, let ws, _)? = definitionSite(k), (wo, ws) != (o, s) { continue }
                // Sizes are informational: clamp them so offset + size stays small (symbolization).
                let size = Int(min(sym.size, UInt64(options.maximumImageSize)))
                guard let t = (try? definedTarget(o, s)) ?? nil else { continue }
                let kind: LinkImage.SymbolKind = sym.type == .function ? .function : sym.type == .object ? .object : .other
                switch t {
                case .image(let off):
                    out.append(.init(name: sym.name, offset: off, size: size, kind: kind, isGlobal: sym.binding != .local, file: object.name))
                case .tls(let off):
                    out.append(.init(name: sym.name, offset: off, size: size, kind: .tls, isGlobal: sym.binding != .local, file: object.name))
                default: continue
                }
            }
        }
        for (name, off) in commonOffset {
            let size: Int
            // Layout placed the common symbol, so its size fits the image.
            if case .common(_, _, let sz, _)? = definitions[name] { size = Checked.int(sz) ?? 0 } else { size = 0 }
            out.append(.init(name: name, offset: off, size: size, kind: .object, isGlobal: true, file: "<common>"))
        }
        for (k, at) in stubs {
            out.append(.init(name: name(of: k) + "@plt", offset: at, size: arch.stubSize, kind: .function, isGlobal: false, file: "<linker>"))
        }
        if let at = tlsResolverOffset {
            // x86-64 programs call it by name; TLS descriptors only hold its address.
            let resolverName = linkerSymbols.contains("__tls_get_addr") ? "__tls_get_addr" : "__tlsdesc_resolver"
            out.append(.init(name: resolverName, offset: at, size: arch.tlsResolverSize, kind: .function, isGlobal: true, file: "<linker>"))
        }
        return out.sorted { ($0.offset, $0.name) < ($1.offset, $1.name) }
    }

    private func definitionSite(_ k: SymbolKey) -> GlobalDefinition? {
        guard case .global(let n) = k else { return nil }
        return definitions[n]
    }
}
