import CrossRunELF

/// Settings of one link.
public struct LinkOptions: Sendable {
    /// Architecture to link for; every object must match.
    public var machine: Machine
    /// Segment alignment of the image.
    public var pageSize: Int = 4096
    /// The largest image to produce (``LinkImage/maximumSize``); a link that needs more fails
    /// with ``LinkError/imageTooLarge(item:size:limit:stored:)``.
    public var maximumImageSize = LinkImage.maximumSize
    /// The most code and initialised data (everything before the zero fill) to produce
    /// (``LinkImage/maximumStoredSize``).
    public var maximumStoredSize = LinkImage.maximumStoredSize
    /// Symbols that must be defined (the entry point); looked up in archives too.
    public var requiredSymbols: [String] = ["main"]
    /// Returns the kind of a symbol the runtime provides (libc, libm, compiler helpers),
    /// or nil when it does not. Undefined references to other names are errors.
    public var runtimeSymbol: @Sendable (String) -> LinkImage.ImportKind?

    public init(machine: Machine, requiredSymbols: [String] = ["main"],
                runtimeSymbol: @escaping @Sendable (String) -> LinkImage.ImportKind?) {
        self.machine = machine
        self.requiredSymbols = requiredSymbols
        self.runtimeSymbol = runtimeSymbol
    }
}

/// CrossRun's JIT linker: relocatable objects and archives in, one ``LinkImage`` out.
public enum Linker {
    /// Names the linker defines when the program does not.
    static let linkerDefined: Set<String> = ["__tls_get_addr", "_GLOBAL_OFFSET_TABLE_", "__dso_handle"]

    /// Links `objects` (all included) and `archives` (members pulled in on demand).
    public static func link(objects: [ObjectFile], archives: [Archive] = [], options: LinkOptions) throws -> LinkImage {
        guard !objects.isEmpty || !archives.isEmpty else { throw LinkError.noInputs }
        let arch = try archLinker(for: options.machine)
        var resolver = SymbolResolver(machine: options.machine)
        for object in objects { try resolver.add(object) }
        for name in options.requiredSymbols { resolver.addRootReference(name, from: "the entry point") }
        try resolver.pullArchiveMembers(archives)
        try resolver.checkDuplicates()
        let objects = try resolver.objects.map { try arch.preprocess($0) }
        var state = LinkState(objects: objects, definitions: resolver.definitions, arch: arch, options: options)
        try state.classifyUndefined(resolver)
        state.collectSections()
        try state.scanRelocations()
        try state.layout()
        try state.assignTargets()
        return try state.emit()
    }
}
