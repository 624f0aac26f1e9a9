import CrossRunELF

/// Where a global symbol's winning definition lives.
enum GlobalDefinition {
    /// Defined in a section (or absolute) by `symbol` of `objects[object]`.
    case defined(object: Int, symbol: Int, weak: Bool)
    /// A common symbol (`-fcommon`), merged to the largest size and alignment seen.
    case common(object: Int, symbol: Int, size: UInt64, alignment: UInt64)
}

/// Symbol resolution across objects and archives: strong/weak/common rules, archive
/// member pull-in, and the list of references left undefined.
struct SymbolResolver {
    private(set) var objects: [ObjectFile] = []
    private(set) var definitions: [String: GlobalDefinition] = [:]
    /// Names referenced but not (yet) defined → referencing files, and whether any reference is strong.
    private(set) var references: [String: (files: [String], strong: Bool)] = [:]
    private var duplicates: [(name: String, first: String, second: String)] = []
    private let machine: Machine

    init(machine: Machine) { self.machine = machine }

    /// Adds an object whose symbols take part in resolution. `yielding`: its definitions of
    /// names already defined lose without an error (a shared object's, ``Archive/yieldsToEarlierDefinitions``).
    mutating func add(_ object: ObjectFile, yielding: Bool = false) throws {
        guard object.machine == machine else {
            throw LinkError.machineMismatch(file: object.name, machine: object.machine.description, expected: machine.description)
        }
        let index = objects.count
        objects.append(object)
        for (i, sym) in object.symbols.enumerated() where i > 0 && sym.binding != .local {
            if sym.type == .file || sym.type == .section { continue }
            let name = sym.name
            if sym.isUndefined {
                var ref = references[name] ?? (files: [], strong: false)
                if !ref.files.contains(object.name) { ref.files.append(object.name) }
                ref.strong = ref.strong || sym.binding != .weak
                references[name] = ref
                continue
            }
            if sym.isCommon {
                // A common symbol's st_value is its alignment.
                let align = max(sym.value, 1)
                guard align & (align - 1) == 0 else {
                    throw LinkError.invalidInput(file: object.name, message: "common symbol '\(name)' has alignment \(align), which is not a power of two")
                }
                switch definitions[name] {
                case nil, .defined(_, _, weak: true)?:
                    definitions[name] = .common(object: index, symbol: i, size: sym.size, alignment: align)
                case .common(let o, let s, let size, let a)?:
                    definitions[name] = .common(object: size >= sym.size ? o : index, symbol: size >= sym.size ? s : i,
                                                size: max(size, sym.size), alignment: max(a, align))
                case .defined(_, _, weak: false)?:
                    break // a real definition beats a common one
                }
                continue
            }
            let weak = sym.binding == .weak
            switch definitions[name] {
            case nil:
                definitions[name] = .defined(object: index, symbol: i, weak: weak)
            case .defined(let o, _, weak: true)?, .common(let o, _, _, _)?:
                if !weak { definitions[name] = .defined(object: index, symbol: i, weak: false) }
                _ = o
            case .defined(let o, _, weak: false)?:
                if !weak && !yielding { duplicates.append((name: name, first: objects[o].name, second: object.name)) }
            }
        }
    }

    /// Names referenced and not defined by any object added so far.
    var unresolved: [String] {
        references.keys.filter { definitions[$0] == nil }.sorted()
    }

    /// Pulls archive members that define unresolved names until nothing changes
    /// (archives behave as one group: order among them does not matter).
    ///
    /// Every member must be a relocatable ELF object: CrossRun reads each member's own symbol
    /// table instead of trusting the archive's index, so a member it cannot read is refused
    /// (naming the archive and the member) rather than silently skipped. GNU ld, which looks
    /// members up through the index, never opens a member the index does not name, so it lets
    /// such junk pass unnoticed; see doc/ARCHITECTURE.md.
    mutating func pullArchiveMembers(_ archives: [Archive]) throws {
        // Index each archive's members by the global symbols they define.
        var index: [String: (archive: Int, member: Int)] = [:]
        var parsed: [[ObjectFile]] = []
        for (a, archive) in archives.enumerated() {
            var members: [ObjectFile] = []
            for (m, member) in archive.members.enumerated() {
                let name = "\(archive.name)(\(member.name))"
                guard ObjectFile.isELF(member.bytes) else {
                    throw LinkError.invalidInput(file: name, message: Self.notAnObject(member.bytes))
                }
                let obj = try ObjectFile(bytes: member.bytes, name: name)
                members.append(obj)
                for sym in obj.symbols where sym.binding != .local && !sym.isUndefined && !sym.isCommon && !sym.name.isEmpty {
                    if index[sym.name] == nil { index[sym.name] = (a, m) }
                }
            }
            parsed.append(members)
        }
        var loaded = Set<[Int]>()
        var changed = true
        while changed {
            changed = false
            // Like ld, only strong references extract members; weak ones may stay undefined.
            for name in unresolved where references[name]?.strong == true {
                guard let (a, m) = index[name], !loaded.contains([a, m]) else { continue }
                loaded.insert([a, m])
                try add(parsed[a][m], yielding: archives[a].yieldsToEarlierDefinitions)
                changed = true
            }
        }
    }

    /// Why an archive member that is not ELF cannot be linked.
    static func notAnObject(_ bytes: [UInt8]) -> String {
        let refusal = "an archive may hold only relocatable objects, and CrossRun reads every member"
        if bytes.isEmpty { return "archive member is empty, not an ELF object (\(refusal))" }
        if bytes.starts(with: [0x42, 0x43, 0xc0, 0xde]) || bytes.starts(with: [0xde, 0xc0, 0x17, 0x0b]) {
            return "archive member is LLVM bitcode (built with -flto?), not an ELF object; rebuild it without -flto"
        }
        return "archive member is not an ELF object (bad magic; \(refusal))"
    }

    /// Records a strong reference from outside the objects (the entry point), so archives
    /// can supply it and a missing one is reported.
    mutating func addRootReference(_ name: String, from origin: String) {
        guard definitions[name] == nil else { return }
        var ref = references[name] ?? (files: [], strong: true)
        ref.files.append(origin)
        ref.strong = true
        references[name] = ref
    }

    /// Throws the collected duplicate-definition errors, if any.
    func checkDuplicates() throws {
        if !duplicates.isEmpty { throw LinkError.duplicateSymbols(duplicates) }
    }
}
