import ArgumentParser
import CrossRunDriver
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// `crossrun cc`: a C compiler driver for build systems (`make CC="crossrun cc --target rv64"`,
/// `./configure CC=...`). `-c` writes real ELF objects for the target with CrossRun's compile
/// policy and headers; linking writes an executable launcher holding the objects
/// (``ProgramBundle``), which runs through `crossrun run`, so `make test` runs the target's
/// program on every backend. The link is checked when the launcher is written (an undefined
/// symbol fails the build, as `ld` would).
struct CcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cc",
        abstract: "A C compiler driver for build systems: objects and launchers for any target.",
        discussion: ccHelp
    )

    @Argument(parsing: .allUnrecognized, help: "gcc-style arguments (see above).")
    var arguments: [String] = []

    func run() throws {
        let status = try CcDriver.run(try CcArguments.parse(arguments))
        if status != 0 { throw ExitCode(status) }
    }
}

let ccHelp = """
Use it as a build system's compiler: make CC="crossrun cc --target rv64".
  crossrun cc [--target T] [--backend B] -c a.c [-o a.o]   an ELF object for T
  crossrun cc [--target T] a.o b.o libx.a -lm -o prog      a launcher: ./prog args
  crossrun cc [--target T] -E a.c                          preprocess
Compile flags are clang's (-I -D -O2 -g -std= -f -W -m -MD -MF -MT -x ...),
applied after CrossRun's compile policy and headers. Linking checks that every
symbol resolves (an undefined one fails, naming who refers to it) and writes an
executable shell script followed by the objects: running it runs `crossrun run`
on itself (argv[0] is the name it was started by; $CROSSRUN overrides which
crossrun). --backend (native or emu; default: native for this host's target)
and --run-option OPT (repeatable: a `crossrun run` option such as --timeout=60)
are kept in the launcher. -lNAME links libNAME.a from -L directories (-lm -lc
-lpthread -ldl -lrt are built in); linker options (-Wl,..., -rdynamic, -static,
-pie) are accepted and ignored, except the entry point (-e, -Wl,-e). -shared
writes a stand-in for a shared library: programs linked with it (-lNAME finds
libNAME.so before libNAME.a, or the file named) take the objects they need, as
from an archive; it cannot be dlopen'ed.
Also: --version, -v, -dumpmachine, -dumpversion.
"""

/// What `crossrun cc` does with a parsed command line.
enum CcDriver {
    /// Runs the invocation; the exit status (clang's when it fails).
    static func run(_ args: CcArguments) throws -> Int32 {
        let target = try args.resolvedTarget()
        let host = try BuildOptions.resolveTarget(nil)
        let backend = args.backend ?? (target == host ? .native : .emu)
        if backend == .native && target != host {
            throw DriverError.usage("cc: --backend native cannot run \(target) code on this \(host) host; use --backend emu")
        }
        let toolchain = try Toolchain.discover()
        switch args.query {
        case .help?:
            print(CcCommand.helpMessage())
            return 0
        case .echo(let name)?:
            print(name)
            return 0
        case .dumpMachine?:
            print(target.triple)
            return 0
        case .dumpVersion?:
            return try Subprocess.run(toolchain.clang, ["-dumpversion"]).status
        case .version?:
            print("crossrun cc 0.1.0 (target \(target.triple), backend \(backend.rawValue)); compiling with:")
            fflush(StandardStreams.output)
            return try Subprocess.run(toolchain.clang, ["--version"]).status
        case nil:
            break
        }
        let compiler = Compiler(toolchain: toolchain)
        var policy = compiler.arguments(for: target, options: CompileOptions())
        switch args.mode {
        case .compile, .assemble, .preprocess:
            if let c = policy.firstIndex(of: "-c") {
                policy[c] = args.mode == .compile ? "-c" : args.mode == .assemble ? "-S" : "-E"
            }
            let sources = try args.inputs.filter { try isCompiled($0) }
            guard !sources.isEmpty else { throw DriverError.usage("cc: no input files to compile") }
            if args.output != nil && sources.count > 1 && args.mode != .preprocess {
                throw DriverError.usage("cc: cannot specify -o with -c or -S with multiple files")
            }
            // Objects and archives given with -c are not linked, as gcc says and ignores them.
            let words = try args.clangWords.filter { try !args.inputs.contains($0) || isCompiled($0) }
            return try clang(toolchain, policy + words + (args.output.map { ["-o", $0] } ?? []), verbose: args.verbose)
        case .link:
            return try link(args, target: target, backend: backend, toolchain: toolchain, policy: policy)
        }
    }

    /// Whether `input` is compiled by clang (a source or stdin) rather than linked.
    static func isCompiled(_ input: String) throws -> Bool {
        if input == "-" { return true }
        guard FileIO.exists(input) else { throw DriverError.badInput(file: input, message: "no such file") }
        let kind = try Pipeline.kind(of: input)
        return kind == .source || kind == .stdinSource
    }

    static func clang(_ toolchain: Toolchain, _ arguments: [String], verbose: Bool) throws -> Int32 {
        if verbose { fputs(([toolchain.clang] + arguments).map(ProgramBundle.shellQuoted).joined(separator: " ") + "\n", StandardStreams.error) }
        // The driver's own stdin, for `-` (C on stdin), as a compiler reads it.
        var options = Subprocess.Options()
        options.inheritInput = true
        return try Subprocess.run(toolchain.clang, arguments, options: options).status
    }

    /// Compiles the sources, gathers objects and archives into a bundle, checks that it links,
    /// and writes the launcher to `-o` (default `a.out`); with `-shared`, a library stand-in
    /// whose objects a program linking it takes as from an archive (not checked: a shared
    /// object may leave symbols to the program).
    static func link(_ args: CcArguments, target: Target, backend: Backend, toolchain: Toolchain, policy: [String]) throws -> Int32 {
        guard !args.inputs.isEmpty else { throw DriverError.usage("cc: no input files") }
        let scratch = try FileIO.makeTemporaryDirectory()
        defer { FileIO.removeTree(scratch) }
        let flags = args.clangWords.filter { !args.inputs.contains($0) }
        let objectKind: ProgramBundle.Member.Kind = args.shared ? .library : .object
        var members: [ProgramBundle.Member] = []
        for (index, input) in args.inputs.enumerated() {
            if try isCompiled(input) {
                var source = input
                if input == "-" {
                    source = scratch + "/stdin.c"
                    try FileIO.write(FileIO.readStandardInput(), to: source)
                }
                let object = "\(scratch)/\(index).o"
                let status = try clang(toolchain, policy + flags + ["-o", object, source], verbose: args.verbose)
                guard status == 0 else { return status }
                members.append(.init(kind: objectKind, name: input == "-" ? "<stdin>" : input, bytes: try FileIO.read(object)))
                continue
            }
            switch try Pipeline.kind(of: input) {
            case .object: members.append(.init(kind: objectKind, name: input, bytes: try FileIO.read(input)))
            case .archive: members.append(.init(kind: .archive, name: input, bytes: try FileIO.read(input)))
            case .bundle: members += try libraryMembers(of: input)
            case .source, .stdinSource: break
            }
        }
        for library in args.libraries where !CompileOptions.runtimeLibraries.contains(library) {
            members += try findLibrary(library, in: args.libraryPaths)
        }
        let bundle = ProgramBundle(members: members, entry: args.entry)
        let output = args.output ?? "a.out"
        let script: String
        if args.shared {
            script = ProgramBundle.libraryScript(target: target)
        } else {
            guard let crossrun = FileIO.realPath("/proc/self/exe") else { throw DriverError.environment("cc: cannot find the crossrun executable (/proc/self/exe)") }
            script = ProgramBundle.launcher(crossrun: crossrun, target: target, backend: backend.rawValue,
                                            runOptions: ["--linked-clang=\(toolchain.clang)"] + args.runOptions)
        }
        // Written beside the output, checked, then renamed: a failed link leaves no program.
        // An output that exists and is not a regular file (`-o /dev/null`, as configure
        // scripts link) is written into once checked, never replaced.
        var st = stat()
        let special = lstat(output, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG && (st.st_mode & S_IFMT) != S_IFLNK
        let temporary = special ? "\(scratch)/linked" : output + ".crossrun-tmp"
        try FileIO.write(bundle.encoded(script: script), to: temporary)
        if !args.shared {
            do {
                let pipeline = Pipeline(toolchain: toolchain)
                _ = try pipeline.build(inputs: [temporary], target: target, options: CompileOptions(),
                                       guestStrings: backend == .emu, native: backend == .native)
            } catch {
                unlink(temporary)
                throw error
            }
        }
        if special {
            try FileIO.write(try FileIO.read(temporary), to: output)
            return 0
        }
        guard chmod(temporary, 0o755) == 0, rename(temporary, output) == 0 else {
            let problem = String(cString: strerror(errno))
            unlink(temporary)
            throw DriverError.badInput(file: output, message: "cannot write the program: \(problem)")
        }
        return 0
    }

    /// What linking another bundle (a `-shared` stand-in, or given by name) adds: its
    /// archives, and its objects as library objects, taken when needed.
    static func libraryMembers(of path: String) throws -> [ProgramBundle.Member] {
        let bundle = try ProgramBundle(bytes: try FileIO.read(path), name: path)
        return bundle.members.map { member in
            var member = member
            if member.kind == .object { member.kind = .library }
            return member
        }
    }

    /// `-lNAME`'s members (``Pipeline/libraryFile(_:in:sharedStandIns:)``: a `-shared` stand-in
    /// `libNAME.so` before `libNAME.a`).
    static func findLibrary(_ name: String, in paths: [String]) throws -> [ProgramBundle.Member] {
        guard let path = Pipeline.libraryFile(name, in: paths, sharedStandIns: true) else {
            throw DriverError.usage("cc: cannot find -l\(name): no lib\(name).a or crossrun cc -shared lib\(name).so (\(Pipeline.searched(paths)))")
        }
        if path.hasSuffix(".so") { return try libraryMembers(of: path) }
        return [.init(kind: .archive, name: path, bytes: try FileIO.read(path))]
    }
}
