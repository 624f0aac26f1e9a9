import CrossRunDriver

/// `crossrun cc`'s command line, read the way gcc and clang read theirs, so a build system can
/// use `crossrun cc --target rv64` as its `CC`: `-c`/`-S`/`-E`/`-o`, compile flags (passed to
/// clang after CrossRun's compile policy), dependency flags (`-MD -MF …`), `-l`/`-L`, and the
/// linker options a Makefile passes by habit (ignored: CrossRun links by itself at run time).
struct CcArguments: Equatable {
    /// What the invocation produces.
    enum Mode: Equatable { case link, compile, assemble, preprocess }
    /// A query answered without compiling (`--version`, `-dumpmachine`, …).
    enum Query: Equatable { case version, dumpMachine, dumpVersion, help, echo(String) }

    var mode = Mode.link
    var query: Query?
    var output: String?
    /// `--target`'s name (CrossRun's names or a triple), `nil` for this host.
    var target: String?
    var backend: Backend?
    /// Options of `crossrun run` baked into a linked program's launcher (`--run-option`).
    var runOptions: [String] = []
    /// Compile flags and source inputs in command-line order (order matters for `-x`).
    var clangWords: [String] = []
    /// Every input (sources, objects, archives, `-` for stdin) in order.
    var inputs: [String] = []
    var libraries: [String] = []
    var libraryPaths: [String] = []
    var entry = "main"
    /// `-v`: show the commands run.
    var verbose = false
    /// `-shared`: write a library stand-in (``ProgramBundle`` of library objects) instead of a program.
    var shared = false

    /// Flags whose value is the next word, passed to clang as a pair.
    static let pairedClangFlags: Set<String> = ["-I", "-D", "-U", "-include", "-imacros", "-isystem", "-iquote",
                                                "-idirafter", "-MF", "-MT", "-MQ", "-x", "-Xclang", "-Xpreprocessor"]
    /// Driver and linker flags that change nothing for CrossRun (it links at run time, always
    /// position-independent, statically against its own C library).
    static let ignoredFlags: Set<String> = ["-pthread", "-pthreads", "-pipe", "-static", "-pie", "-no-pie", "-rdynamic",
                                            "-s", "-static-libgcc", "-shared-libgcc", "-nostartfiles", "-nostdlib",
                                            "-nodefaultlibs", "-export-dynamic", "--export-dynamic", "-Qunused-arguments"]

    /// Reads `arguments` (after `cc`).
    static func parse(_ arguments: [String]) throws -> CcArguments {
        var out = CcArguments()
        // Linker words in order, read once all are known: a value may come in the next
        // `-Wl,`/`-Xlinker` (`-Wl,-rpath -Wl,DIR`, as gcc passes them on).
        var linkerWords: [String] = []
        var i = 0
        func value(_ flag: String) throws -> String {
            guard i + 1 < arguments.count else { throw DriverError.usage("cc: option \(flag) needs a value") }
            i += 1
            return arguments[i]
        }
        while i < arguments.count {
            let a = arguments[i]
            defer { i += 1 }
            if a == "-" || !a.hasPrefix("-") {
                out.inputs.append(a)
                out.clangWords.append(a)
                continue
            }
            if pairedClangFlags.contains(a) {
                out.clangWords += [a, try value(a)]
                continue
            }
            if ignoredFlags.contains(a) || a.hasPrefix("-fuse-ld=") || a.hasPrefix("--hash-style") { continue }
            switch a {
            case "-c": out.mode = .compile
            case "-S": out.mode = .assemble
            case "-E": out.mode = .preprocess
            case "-o": out.output = try value(a)
            case "-v": out.verbose = true
            case "--version": out.query = .version
            case "-dumpmachine": out.query = .dumpMachine
            case "-dumpversion", "-dumpfullversion": out.query = .dumpVersion
            case "--help", "-h", "-help": out.query = .help
            case "--target", "-target": out.target = try value(a)
            case "--backend": out.backend = try backend(try value(a))
            case "--run-option": out.runOptions.append(try value(a))
            case "-l": out.libraries.append(try value(a))
            case "-L": out.libraryPaths.append(try value(a))
            case "-e": out.entry = try value(a)
            case "-Xcc": out.clangWords.append(try value(a))
            case "-Xlinker": linkerWords.append(try value(a))
            case "-shared": out.shared = true
            case "-nostdinc", "-isysroot", "--sysroot":
                throw DriverError.usage("cc: \(a): CrossRun chooses the headers itself (its include/ directory)")
            default:
                if a.hasPrefix("--target=") || a.hasPrefix("-target=") { out.target = String(a.split(separator: "=", maxSplits: 1)[1]) }
                else if a.hasPrefix("--backend=") { out.backend = try backend(String(a.dropFirst("--backend=".count))) }
                else if a.hasPrefix("--run-option=") { out.runOptions.append(String(a.dropFirst("--run-option=".count))) }
                else if a.hasPrefix("--sysroot=") || a.hasPrefix("-nostdinc") {
                    throw DriverError.usage("cc: \(a): CrossRun chooses the headers itself (its include/ directory)")
                }
                else if a.hasPrefix("-o") { out.output = String(a.dropFirst(2)) }
                else if a.hasPrefix("-l") { out.libraries.append(String(a.dropFirst(2))) }
                else if a.hasPrefix("-L") { out.libraryPaths.append(String(a.dropFirst(2))) }
                else if a.hasPrefix("-Wl,") {
                    linkerWords += a.dropFirst(4).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                }
                else if a.hasPrefix("-print-prog-name=") || a.hasPrefix("-print-file-name=") {
                    // gcc's answer for a name it has no path for is the name itself (libtool asks
                    // for `ld` this way and then searches PATH).
                    out.query = .echo(String(a.split(separator: "=", maxSplits: 1)[1]))
                }
                else if a.hasPrefix("-print-") {
                    throw DriverError.usage("cc: \(a) is not supported (CrossRun has no library search directories)")
                }
                else { out.clangWords.append(a) } // -O2, -Wall, -std=c99, -fno-common, -MMD, -DX…: clang's
            }
        }
        var words = linkerWords[...]
        while let word = words.popFirst() {
            try out.linkerOption(word, next: {
                guard let next = words.popFirst() else { throw DriverError.usage("cc: linker option \(word) needs a value") }
                return next
            })
        }
        return out
    }

    static func backend(_ name: String) throws -> Backend {
        guard let b = Backend(rawValue: name) else { throw DriverError.usage("cc: unknown backend '\(name)' (choose native or emu)") }
        return b
    }

    /// A linker option (`-Wl,` or `-Xlinker`): the entry point is kept; the rest (`--as-needed`,
    /// `-O1`, `--gc-sections`, `-rpath DIR`, `-soname NAME`, `--version-script FILE`…) change
    /// nothing for a program CrossRun links at run time.
    mutating func linkerOption(_ word: String, next: () throws -> String) throws {
        switch word {
        case "-e", "--entry": entry = try next()
        case "-rpath", "-soname", "-z", "--version-script", "-Map", "--dynamic-list", "-L", "-l":
            let v = try next()
            if word == "-L" { libraryPaths.append(v) } else if word == "-l" { libraries.append(v) }
        case "-shared", "--shared": shared = true
        default:
            if word.hasPrefix("--entry=") { entry = String(word.dropFirst("--entry=".count)) }
            else if word.hasPrefix("-l") && word.count > 2 { libraries.append(String(word.dropFirst(2))) }
            else if word.hasPrefix("-L") && word.count > 2 { libraryPaths.append(String(word.dropFirst(2))) }
        }
    }

    /// The target chosen by `--target` (a CrossRun name, or a triple such as
    /// `riscv64-linux-gnu`, whose architecture is used), or this host's.
    func resolvedTarget() throws -> Target {
        guard let target else { return try BuildOptions.resolveTarget(nil) }
        if let t = Target(name: target) { return t }
        if let arch = target.split(separator: "-").first, let t = Target(name: String(arch)) { return t }
        throw DriverError.usage("cc: unknown target '\(target)' (choose x64, aarch64 or rv64)")
    }
}
