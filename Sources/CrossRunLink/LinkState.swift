import CrossRunELF

/// The working state of one link, filled in phase by phase by ``Linker/link(objects:archives:options:)``.
struct LinkState {
    let objects: [ObjectFile]
    let arch: any ArchLinker
    let options: LinkOptions
    let definitions: [String: GlobalDefinition]

    // Resolution of names no object defines.
    var imports: [LinkImage.Import] = []
    var importIndex: [String: Int] = [:]
    var weakUndefined: Set<String> = []
    var linkerSymbols: Set<String> = []

    // Sections and their placement.
    var groups: [OutputGroup: [(object: Int, section: Section)]] = [:]
    var sectionOffset: [[Int: Int]] = []          // object → section index → image offset
    var tlsSectionOffset: [[Int: Int]] = []       // object → TLS section index → offset in TLS block
    var commonOffset: [String: Int] = [:]

    // Synthesized entries, in first-use order.
    var gotKeys: [SymbolKey] = []
    var stubKeys: [SymbolKey] = []
    var tlsKeys: [SymbolKey] = []
    var tlsDescriptorKeys: [SymbolKey] = []
    /// GNU indirect functions called or addressed PC-relatively: each gets a stub that jumps
    /// through its own slot, which start-up fills from the resolver.
    var indirectStubKeys: [SymbolKey] = []
    /// Indirect functions whose address some code forms PC-relatively: their stub is their
    /// address everywhere (as lld makes the PLT entry canonical), so `&f` compares equal.
    var canonicalStubs: Set<SymbolKey> = []
    var needsLocalDynamic = false
    var needsTLSResolver = false

    // Layout results.
    var gotEntries: [SymbolKey: Int] = [:]
    var stubs: [SymbolKey: Int] = [:]
    var stubSlots: [SymbolKey: Int] = [:]         // indirect function → its stub's slot
    var tlsPairs: [SymbolKey: Int] = [:]
    var tlsDescriptors: [SymbolKey: Int] = [:]
    var tlsLocalPair: Int?
    var tlsBlockSlot: Int?
    var tlsResolverOffset: Int?
    var gotBase = 0
    var segments: [LinkImage.Segment] = []
    var fileSize = 0
    var imageSize = 0
    var tlsTemplate: LinkImage.TLSTemplate?
    var initSlots: [Int] = []
    var finiSlots: [Int] = []
    var namedRuns: [String: Range<Int>] = [:]     // __start_/__stop_ bounds
    var firstUse: [SymbolKey: Int] = [:]          // symbol → first object relocating against it
    var targets: [SymbolKey: RelocationTarget] = [:]

    init(objects: [ObjectFile], definitions: [String: GlobalDefinition], arch: any ArchLinker, options: LinkOptions) {
        self.objects = objects
        self.definitions = definitions
        self.arch = arch
        self.options = options
        sectionOffset = Array(repeating: [:], count: objects.count)
        tlsSectionOffset = Array(repeating: [:], count: objects.count)
    }

    /// The identity of symbol `symbol` of `objects[object]` (an index past the symbol table,
    /// as symbol 0 of an object without one, is a local key that resolves to nothing).
    func key(_ object: Int, _ symbol: Int) -> SymbolKey {
        let symbols = objects[object].symbols
        guard symbol < symbols.count, symbols[symbol].binding != .local else { return .local(object: object, symbol: symbol) }
        return .global(symbols[symbol].name)
    }

    /// Decides, for every name no object defines, whether it is linker-defined, imported from
    /// the runtime, weak-undefined, or an error.
    mutating func classifyUndefined(_ resolver: SymbolResolver) throws {
        var missing: [(name: String, referencedBy: [String])] = []
        let sectionNames = Set(objects.flatMap { $0.sections.filter { $0.isAlloc }.map(\.name) })
        for name in resolver.unresolved {
            guard let ref = resolver.references[name] else { continue }
            if Linker.linkerDefined.contains(name) {
                linkerSymbols.insert(name)
            } else if let bounded = boundedSectionName(name), sectionNames.contains(bounded) {
                linkerSymbols.insert(name)
            } else if let kind = options.runtimeSymbol(name) {
                importIndex[name] = imports.count
                imports.append(LinkImage.Import(name: name, kind: kind))
            } else if !ref.strong {
                weakUndefined.insert(name)
            } else {
                missing.append((name: name, referencedBy: ref.files))
            }
        }
        if !missing.isEmpty { throw LinkError.undefinedSymbols(missing) }
        needsTLSResolver = linkerSymbols.contains("__tls_get_addr")
    }

    /// Picks the sections that become part of the image.
    mutating func collectSections() {
        for (o, object) in objects.enumerated() {
            for section in object.sections {
                guard let group = OutputGroup(section) else { continue }
                groups[group, default: []].append((o, section))
            }
        }
        for g in [OutputGroup.initArray, .finiArray] {
            groups[g]?.sort { OutputGroup.priority(of: $0.section) < OutputGroup.priority(of: $1.section) }
        }
        // Sections named like C identifiers are kept together (for __start_/__stop_).
        for (g, list) in groups {
            let plain = list.filter { !isCIdentifier($0.section.name) }
            let named = list.filter { isCIdentifier($0.section.name) }
            let order = named.map(\.section.name).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            groups[g] = plain + order.flatMap { n in named.filter { $0.section.name == n } }
        }
    }

    /// Whether a global name ends up outside the image (needs a stub for PC-relative use).
    func isOutside(_ key: SymbolKey) -> Bool {
        switch key {
        case .global(let name):
            if importIndex[name] != nil || weakUndefined.contains(name) { return true }
            if case .defined(let o, let s, _)? = definitions[name] { return objects[o].symbols[s].isAbsolute }
            return false
        case .local(let o, let s):
            return s < objects[o].symbols.count && objects[o].symbols[s].isAbsolute
        }
    }

    /// Whether a symbol is a GNU indirect function (`STT_GNU_IFUNC`): its value is the resolver,
    /// which start-up calls to learn the function's address.
    func isIndirect(_ key: SymbolKey) -> Bool {
        switch key {
        case .global(let name):
            guard case .defined(let o, let s, _)? = definitions[name] else { return false }
            return objects[o].symbols[s].type == .gnuIFunc
        case .local(let o, let s):
            return s < objects[o].symbols.count && objects[o].symbols[s].type == .gnuIFunc
        }
    }

    /// Finds which relocations need GOT entries, stubs, TLS pairs or TLS descriptors.
    mutating func scanRelocations() throws {
        var gotSeen = Set<SymbolKey>(), stubSeen = Set<SymbolKey>(), tlsSeen = Set<SymbolKey>()
        var descriptorSeen = Set<SymbolKey>()
        for (_, list) in groups.sorted(by: { $0.key < $1.key }) {
            for (o, section) in list {
                for r in objects[o].relocations[section.index] ?? [] where r.symbol != 0 {
                    let k = key(o, Int(r.symbol))
                    if firstUse[k] == nil { firstUse[k] = o }
                    let need = arch.need(for: r.type)
                    if need == .call || need == .pcRelative, isIndirect(k) {
                        if stubSeen.insert(k).inserted { stubKeys.append(k); indirectStubKeys.append(k) }
                        if need == .pcRelative { canonicalStubs.insert(k) }
                        continue
                    }
                    switch need {
                    case .none: break
                    case .got:
                        if gotSeen.insert(k).inserted { gotKeys.append(k) }
                    case .pcRelative, .call:
                        if isOutside(k), stubSeen.insert(k).inserted {
                            stubKeys.append(k)
                            if gotSeen.insert(k).inserted { gotKeys.append(k) }
                        }
                    case .tlsGeneralDynamic:
                        if tlsSeen.insert(k).inserted { tlsKeys.append(k) }
                    case .tlsLocalDynamic:
                        needsLocalDynamic = true
                    case .tlsDescriptor:
                        // Descriptors point at the image's resolver, which reads the TLS block slot.
                        if descriptorSeen.insert(k).inserted { tlsDescriptorKeys.append(k) }
                        needsTLSResolver = true
                    }
                }
            }
        }
    }
}
