import CrossRunELF
import CrossRunLink
import CrossRunRuntime
import CrossRunSupport

/// Inputs → objects → ``LinkImage``: the whole build of a run, usable without the CLI.
public struct Pipeline: Sendable {
    public let toolchain: Toolchain
    /// The compile cache (the environment's, ``CompileCache/shared``, unless replaced).
    public var cache: CompileCache?
    /// Whether clang's diagnostics are shown on stderr (else only carried in errors).
    public var echoDiagnostics = true

    public init(toolchain: Toolchain, cache: CompileCache? = CompileCache.shared) {
        self.toolchain = toolchain
        self.cache = cache
    }

    /// What was built.
    public struct Build: Sendable {
        public var image: LinkImage
        /// `argv[0]` for the program: the first input as given, or `<stdin>`.
        public var programName: String
        /// The entry point: `-e`'s, else a bundle's (``ProgramBundle``), else `main`.
        public var entry: String = "main"
    }

    /// Kinds of input file.
    public enum InputKind: Equatable, Sendable { case source, stdinSource, object, archive, bundle }

    /// Names of source inputs (compiled by clang).
    public static let sourceExtensions = [".c", ".i", ".s", ".S"]

    /// Classifies an input by name (and, for unknown extensions, by content).
    public static func kind(of input: String) throws -> InputKind {
        if input == "-" { return .stdinSource }
        for ext in sourceExtensions where input.hasSuffix(ext) { return .source }
        if input.hasSuffix(".o") || input.hasSuffix(".obj") { return .object }
        if input.hasSuffix(".a") { return .archive }
        let bytes = try FileIO.read(input)
        if ObjectFile.isELF(bytes) { return .object }
        if Archive.isArchive(bytes) { return .archive }
        if ProgramBundle.isBundle(bytes) { return .bundle }
        throw DriverError.badInput(file: input, message: "unknown kind of input (expected a .c source, .o object, .a archive, a program linked by crossrun cc, or - for C on stdin)")
    }

    /// The runtime's import table, as the linker sees it.
    public static let runtimeSymbol: @Sendable (String) -> LinkImage.ImportKind? = { name in
        RuntimeSymbols.lookup(name).map { $0.kind == .function ? .function : .data }
    }

    /// Compiles and links `inputs` for `target`. `extraImports` are functions the caller's
    /// backend provides beyond the C library (e.g. `crossrun fuzz`'s comparison tracing).
    /// `guestStrings`: link the guest runtime's short-input string functions
    /// (`runtime/string.c`; for emulated runs only: a native image binds the host's libc).
    /// `native`: the image is for the native backend, whose `<complex.h>` functions are the host
    /// libm's; otherwise calls to them link `runtime/complex.c` (which also runs natively).
    public func build(inputs: [String], target: Target, options: CompileOptions, extraImports: Set<String> = [],
                      guestStrings: Bool = false, native: Bool = false) throws -> Build {
        guard !inputs.isEmpty else { throw DriverError.usage("no input files (give .c, .o or .a files, or - for C on stdin)") }
        // Made on the first compile that runs clang (or reads stdin): a warm run makes none.
        var scratchDirectory: String?
        defer { if let scratchDirectory { FileIO.removeTree(scratchDirectory) } }
        func scratch() throws -> String {
            if let scratchDirectory { return scratchDirectory }
            let made = try FileIO.makeTemporaryDirectory()
            scratchDirectory = made
            return made
        }
        // A program `crossrun cc` linked, run again: its image from the link cache.
        var linkKey: String?
        let linkCache = inputs.count == 1 && options.libraries.isEmpty ? cache.map(LinkCache.init) : nil
        if let linkCache, (try? Self.kind(of: inputs[0])) == .bundle {
            let description = "\(target) native=\(native) strings=\(guestStrings) imports=\(extraImports.sorted()) \(options)"
            linkKey = linkCache.key(input: inputs[0], link: description, toolchain: toolchain)
            if let key = linkKey, let image = linkCache.lookup(key), image.machine == target.machine {
                let bundle = try ProgramBundle(bytes: try FileIO.read(inputs[0]), name: inputs[0])
                return Build(image: image, programName: inputs[0], entry: options.entry == "main" ? bundle.entry : options.entry)
            }
        }
        var compiler = Compiler(toolchain: toolchain, cache: cache)
        compiler.echoDiagnostics = echoDiagnostics
        var objects: [ObjectFile] = []
        var archives: [Archive] = []
        var sawStdin = false
        var entry = options.entry
        for (index, input) in inputs.enumerated() {
            switch try Self.kind(of: input) {
            case .source:
                guard FileIO.exists(input) else { throw DriverError.badInput(file: input, message: "no such file") }
                objects.append(try compiler.compile(input, displayName: input, target: target, options: options, scratch: scratch(), index: index))
            case .stdinSource:
                guard !sawStdin else { throw DriverError.usage("- (C source on stdin) may be given only once") }
                sawStdin = true
                let path = try scratch() + "/stdin.c"
                try FileIO.write(FileIO.readStandardInput(), to: path)
                objects.append(try compiler.compile(path, displayName: "<stdin>", target: target, options: options, scratch: scratch(), index: index))
            case .object:
                objects.append(try ObjectFile(bytes: try FileIO.read(input), name: input))
            case .archive:
                archives.append(try Archive(bytes: try FileIO.read(input), name: input))
            case .bundle:
                let bundle = try ProgramBundle(bytes: try FileIO.read(input), name: input)
                var library: [Archive.Member] = []
                for member in bundle.members {
                    switch member.kind {
                    case .object: objects.append(try ObjectFile(bytes: member.bytes, name: member.name))
                    case .library: library.append(Archive.Member(name: member.name, bytes: member.bytes))
                    case .archive: archives.append(try Archive(bytes: member.bytes, name: member.name))
                    }
                }
                if !library.isEmpty {
                    var shared = Archive(name: input, members: library)
                    shared.yieldsToEarlierDefinitions = true
                    archives.append(shared)
                }
                if entry == "main" { entry = bundle.entry }
            }
        }
        for library in options.libraries where !CompileOptions.runtimeLibraries.contains(library) {
            archives.append(try findLibrary(library, in: options.libraryPaths))
        }
        for object in objects where object.machine != target.machine {
            throw DriverError.badInput(file: object.name, message: "object is for \(object.machine), but the target is \(target) (\(target.machine))")
        }
        // The guest runtime goes last, so the program's own archives may still define these.
        if GuestRuntime.isNeeded(by: objects, strings: guestStrings, complex: !native) || !archives.isEmpty {
            archives.append(try GuestRuntime.archive(for: target, compiler: compiler, scratch: scratch(),
                                                     neededBy: archives.isEmpty ? objects : nil, strings: guestStrings,
                                                     complex: !native))
        }
        let base = Self.runtimeSymbol
        let runtimeSymbol: @Sendable (String) -> LinkImage.ImportKind? = { name in
            extraImports.contains(name) ? LinkImage.ImportKind.function : base(name)
        }
        var linkOptions = LinkOptions(machine: target.machine, requiredSymbols: [entry], runtimeSymbol: runtimeSymbol)
        linkOptions.pageSize = 4096
        let image = try Linker.link(objects: objects, archives: archives, options: linkOptions)
        if let linkKey { linkCache?.store(image, linkKey) }
        let first = inputs[0] == "-" ? "<stdin>" : inputs[0]
        return Build(image: image, programName: first, entry: entry)
    }

    func findLibrary(_ name: String, in paths: [String]) throws -> Archive {
        guard let path = Self.libraryFile(name, in: paths, sharedStandIns: false) else {
            throw DriverError.usage("-l\(name): library lib\(name).a not found (\(Self.searched(paths))); only static archives can be linked")
        }
        return try Archive(bytes: try FileIO.read(path), name: path)
    }

    /// `-lNAME` as `ld` finds it: the first `-L` directory holding `libNAME.so` (with
    /// `sharedStandIns`, and only a `crossrun cc -shared` stand-in: a host shared object is
    /// passed over) or `libNAME.a`, the `.so` first; nil when none does.
    public static func libraryFile(_ name: String, in paths: [String], sharedStandIns: Bool) -> String? {
        for dir in paths {
            let shared = "\(dir)/lib\(name).so"
            if sharedStandIns, FileIO.exists(shared), (try? kind(of: shared)) == .bundle { return shared }
            let archive = "\(dir)/lib\(name).a"
            if FileIO.exists(archive) { return archive }
        }
        return nil
    }

    /// The `-L` directories searched, for an error message.
    public static func searched(_ paths: [String]) -> String {
        paths.isEmpty ? "no -L directories given" : "searched: " + paths.joined(separator: ", ")
    }
}
