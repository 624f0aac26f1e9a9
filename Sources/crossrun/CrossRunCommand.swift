import ArgumentParser
import CrossRunDriver
import CrossRunELF
import CrossRunEmulator
import CrossRunFuzz
import CrossRunGDB
import CrossRunLibc
import CrossRunLink
import CrossRunNative
import CNativeSupport
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// Compile flags and program arguments split off the command line before argument parsing
/// (clang-style flags such as `-DNAME` and `-O2` do not fit ArgumentParser's rules).
struct Invocation {
    nonisolated(unsafe) static var compile = CompileOptions()
    nonisolated(unsafe) static var programArguments: [String] = []
}

let compileFlagsHelp = """
Compile options (passed to clang): -I DIR, -D NAME[=VALUE], -U NAME, -O0..-O3,
-Os, -g, -std=STD, -fFLAG, -WWARNING, -w, -mFLAG, -include FILE, -Xcc FLAG
(any other clang flag). Link options: -lNAME and -L DIR (static archives
libNAME.a; -lm and -lc are built in), -e SYMBOL (entry point, default main).
"""

let programArgumentsHelp = """
Arguments after -- go to the program (argv[1]...); argv[0] is the first
input's name.
"""

@main
struct CrossRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossrun",
        abstract: "Compile, JIT-link and run C programs for x86-64, aarch64 and riscv64.",
        discussion: """
        Examples:
          crossrun hello.c                     compile, link and run for this host
          crossrun --target rv64 prog.c -- a b run for riscv64 with arguments a b
          echo 'int main(){return 3;}' | crossrun -
          crossrun inspect prog.c              show the linked image
          crossrun matrix prog.c               compare outputs on every target/backend
          crossrun test tests/                 run a test suite on every target/backend

        \(compileFlagsHelp)
        \(programArgumentsHelp)
        """,
        version: "crossrun 0.1.0 (emulator engine: Unicorn \(Emulator.engineVersionString))",
        subcommands: [Run.self, Inspect.self, MatrixCommand.self, TestCommand.self, CacheCommand.self, Fuzz.self],
        defaultSubcommand: Run.self
    )

    static func mainEntry() {
        var args = Array(CommandLine.arguments.dropFirst())
        if let dash = args.firstIndex(of: "--") {
            Invocation.programArguments = Array(args[(dash + 1)...])
            args = Array(args[..<dash])
        }
        FuzzFlags.extract(&args)
        do {
            let (compile, rest) = try CompileOptions.scan(args)
            Invocation.compile = compile
            args = rest
        } catch {
            fail(error)
        }
        do {
            var command = try parseAsRoot(args)
            try command.run()
        } catch let error as DriverError {
            fail(error)
        } catch let error as IOError {
            fail(error)
        } catch let error as LinkError {
            fail(error)
        } catch let error as NativeError {
            fail(error)
        } catch let error as EmulatorError {
            fail(error)
        } catch let error as ELFError {
            fail(error)
        } catch let error as FuzzError {
            fail(error)
        } catch {
            exit(withError: error)
        }
    }

    static func main() { mainEntry() }

    /// Prints `crossrun: error: …` for each line of `error` and exits with status 1.
    static func fail(_ error: Error) -> Never {
        fflush(stdout)
        for line in "\(error)".split(separator: "\n") {
            fputs("crossrun: error: \(line)\n", stderr)
        }
        Glibc.exit(1)
    }
}

/// Options shared by every command that builds a program.
struct BuildOptions: ParsableArguments {
    @Option(name: .long, help: "Target architecture: x64, aarch64 or rv64 (default: this host's).")
    var target: String?

    @Argument(help: ArgumentHelp("Inputs: .c sources, .o objects, .a archives, or - for C source on stdin.", valueName: "input"))
    var inputs: [String] = []

    func resolvedTarget() throws -> Target {
        guard let name = target else { return Target(machine: NativeImage.hostMachine) }
        guard let t = Target(name: name) else {
            throw DriverError.usage("unknown target '\(name)' (choose x64, aarch64 or rv64)")
        }
        return t
    }

    /// `guestStrings`: the emulated image's short string calls run as guest code (`Pipeline.build`).
    func build(guestStrings: Bool = false) throws -> Pipeline.Build {
        let pipeline = Pipeline(toolchain: try Toolchain.discover())
        return try pipeline.build(inputs: inputs, target: try resolvedTarget(), options: Invocation.compile,
                                  guestStrings: guestStrings)
    }
}

/// The execution engine.
enum Backend: String, ExpressibleByArgument, CaseIterable {
    case native, emu
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile, link and run a program (the default command).",
        discussion: compileFlagsHelp + "\n" + programArgumentsHelp
    )

    @OptionGroup var build: BuildOptions

    @Option(help: "Execution backend: native (default when the target is this host's) or emu.")
    var backend: Backend?

    @Option(help: "Stop the program after this many seconds (exit status 124).")
    var timeout: UInt32 = 0

    @Option(help: ArgumentHelp("Confine the program's files to DIR: it sees DIR as / (emulated runs only).", valueName: "DIR"))
    var root: String?

    @Flag(help: "Report emulator events such as unsupported system calls on stderr.")
    var verbose = false

    @Option(help: ArgumentHelp("Seed of the emulated thread scheduler (default: $CROSSRUN_SCHEDULE_SEED, else 1): the same seed replays the same interleaving.", valueName: "N"))
    var scheduleSeed: UInt64?

    @Option(help: ArgumentHelp("Write how the run ended to FILE (one line of JSON; see doc/CLI.md).", valueName: "FILE"))
    var outcomeFile: String?

    @Flag(help: ArgumentHelp("Die with the parent process (test and matrix children).", visibility: .hidden))
    var exitWithParent = false

    @Flag(help: "Same program and input, same output: fixed clocks, pid, random sources, environment and argv[0]; natively no address randomization (doc/CLI.md).")
    var deterministic = false

    @Option(help: ArgumentHelp("What to trace on stderr, strace-style: syscall (the system calls the program makes itself; emulated runs), libc or libc:NAME,... (its C library calls; also natively), signal (signals delivered to it; emulated runs).", valueName: "LIST"))
    var trace: String?

    @Option(help: ArgumentHelp("Write the --trace lines to FILE instead of stderr.", valueName: "FILE"))
    var traceFile: String?

    @Option(help: ArgumentHelp("Quote at most N bytes of each string or buffer in --trace lines (strace's -s).", valueName: "N"))
    var traceStringLimit = 32

    @Option(help: ArgumentHelp("Debug with gdb: start stopped and serve the GDB remote protocol on localhost:PORT (emulated runs; see doc/DEBUGGING.md).", valueName: "PORT"))
    var gdb: UInt16?

    func run() throws {
        if exitWithParent && !Subprocess.exitWithParent() { Glibc.exit(1) }
        let target = try build.resolvedTarget()
        let host = Target(machine: NativeImage.hostMachine)
        // Native code makes its own system calls: only the emulator can confine its files.
        let chosen = backend ?? (target == host && root == nil && gdb == nil && trace == nil ? .native : .emu)
        if chosen == .native && gdb != nil {
            throw DriverError.usage("--gdb debugs emulated runs only; use --backend emu, or host gdb for a native run: gdb --args crossrun prog.c")
        }
        if gdb != nil && timeout > 0 {
            throw DriverError.usage("--timeout cannot be combined with --gdb (the deadline would run out while the program is stopped in the debugger)")
        }
        if chosen == .native && target != host {
            throw DriverError.usage("--backend native cannot run \(target) code on this \(host) host; use --backend emu")
        }
        if chosen == .native && root != nil {
            throw DriverError.usage("--root confines only emulated runs (native code makes its own system calls); use --backend emu")
        }
        var fileSystem = GuestFileSystem()
        if let root {
            // A descriptor inherited from the shell (`3< /outside`) would be a way out.
            GuestFileSystem.closeInheritedDescriptors()
            do {
                fileSystem = try GuestFileSystem(root: root)
            } catch {
                throw DriverError.badInput(file: root, message: "--root: " + String(cString: strerror(error.code)))
            }
        }
        let (syscallTrace, libcTrace, signalTrace) = try Self.traceOptions(trace, file: traceFile, stringLimit: traceStringLimit, backend: chosen)
        if chosen == .emu && !Emulator.supports(target.machine) {
            throw DriverError.usage("the emulator cannot run \(target) programs")
        }
        // Absolute: the program may change the working directory before the record is written.
        let recordPath = outcomeFile.map { $0.hasPrefix("/") ? $0 : FileIO.currentDirectory() + "/" + $0 }
        // Natively, re-executed without address randomization once the build is in the cache
        // (so the process that runs the program always finds it there), or before reading a
        // source from stdin, which a second process could not read again.
        let reexec = deterministic && chosen == .native
        if reexec && build.inputs.contains("-") { DeterministicRun.reexecWithoutRandomization() }
        // Emulated, short string calls run as guest code rather than a trap each; not under
        // --trace or --gdb, which show and stop at library calls as the program makes them.
        let built = try build.build(guestStrings: chosen == .emu && trace == nil && gdb == nil)
        if reexec { DeterministicRun.reexecWithoutRandomization() }
        let argumentZero = deterministic ? DeterministicRun.programArgument(built.programName) : built.programName
        let arguments = [argumentZero] + Invocation.programArguments
        if chosen == .emu {
            var options = GuestProcess.Options(arguments: arguments, environment: deterministic ? DeterministicRun.environment : Self.environment(),
                                               programName: built.programName)
            options.deterministic = deterministic
            options.syscallTrace = syscallTrace
            options.libcTrace = libcTrace
            options.signalTrace = signalTrace
            options.entry = Invocation.compile.entry
            options.timeout = timeout
            options.verbose = verbose
            options.scheduleSeed = try scheduleSeed ?? Self.environmentScheduleSeed() ?? GuestProcess.defaultScheduleSeed
            options.fileSystem = fileSystem
            options.watchdogExit = Self.watchdogExit(programName: built.programName, timeout: timeout)
            if let gdb { options.gdb = try Self.waitForDebugger(port: gdb, built: built) }
            let outcome = try Emulator.run(built.image, options: options)
            fflush(stdout)
            // A child of the program's fork ends here too; only the original process records.
            if let recordPath, crossrun_is_original_process() != 0 { try? FileIO.write(Array(Self.record(outcome, timeout: timeout).json.utf8), to: recordPath) }
            if let report = outcome.report { fputs(report + "\n", stderr) }
            if let signalTrace, crossrun_is_original_process() != 0 {
                // strace's last line.
                let end = outcome.signal.map { "killed by \(GuestProcess.signalName($0))" } ?? "exited with \(outcome.status)"
                fputs("+++ \(end) +++\n", signalTrace)
                fflush(signalTrace)
            }
            if crossrun_is_original_process() == 0, let signal = outcome.signal, signal > 0 {
                Self.dieBySignal(signal)   // so the guest parent's waitpid sees WIFSIGNALED, as natively
            }
            Glibc.exit(outcome.status)
        }
        var bindings = deterministic ? DeterministicRun.nativeBindings : [:]
        if let libcTrace {
            // Only traced runs bind imports to stubs: untraced ones call the host directly.
            var native = NativeLibcTrace(output: libcTrace.output)
            native.stringLimit = libcTrace.stringLimit
            native.only = libcTrace.only
            bindings = try native.bindings(for: built.image.imports, overrides: bindings)
        }
        let loaded = try NativeImage(built.image, overrides: bindings)
        var options = NativeRunner.Options(entry: Invocation.compile.entry, arguments: arguments,
                                           programName: built.programName, timeout: timeout)
        options.outcomePath = recordPath
        if deterministic { DeterministicRun.replaceProcessEnvironment() }
        try NativeRunner.run(loaded, options: options)
    }

    /// `--trace LIST` (`syscall`, `libc`, `libc:NAME,NAME...`, `signal`) with its file and
    /// string limit, for the emulator; nils when not tracing.
    static func traceOptions(_ list: String?, file: String?, stringLimit: Int, backend: Backend) throws
        -> (SyscallTraceOptions?, LibcTraceOptions?, UnsafeMutablePointer<FILE>?) {
        guard let list else {
            if file != nil { throw DriverError.usage("--trace-file needs --trace (e.g. --trace=syscall)") }
            return (nil, nil, nil)
        }
        var syscalls = false, libc = false, signals = false
        var names: Set<String>?
        var inLibcList = false
        for item in list.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            switch item {
            case "syscall": syscalls = true; inLibcList = false
            case "libc": libc = true; names = nil; inLibcList = false
            case "signal": signals = true; inLibcList = false
            default:
                if item.hasPrefix("libc:") {
                    libc = true
                    names = (names ?? []).union([String(item.dropFirst(5))])
                    inLibcList = true
                } else if inLibcList && !item.isEmpty {
                    names?.insert(item)   // --trace=libc:fopen,fclose
                } else {
                    throw DriverError.usage("--trace: unknown item '\(item)' (choose syscall, libc, libc:NAME,..., signal)")
                }
            }
        }
        if backend == .native && syscalls {
            throw DriverError.usage("--trace=syscall needs the emulator: natively the program's own system calls go straight to the kernel, "
                                    + "where CrossRun does not see them (use --backend emu, or strace); --trace=libc works natively")
        }
        if backend == .native && signals {
            throw DriverError.usage("--trace=signal needs the emulator: natively the kernel delivers signals straight to the program "
                                    + "(use --backend emu, or strace); --trace=libc works natively")
        }
        guard (1...1 << 20).contains(stringLimit) else { throw DriverError.usage("--trace-string-limit: expected 1…1048576") }
        guard var output = stderr else { return (nil, nil, nil) }
        if let file {
            guard let f = fopen(file, "w") else { throw DriverError.badInput(file: file, message: "--trace-file: " + String(cString: strerror(errno))) }
            output = f
        }
        var options = SyscallTraceOptions(output: output)
        options.stringLimit = stringLimit
        var calls = LibcTraceOptions(output: output)
        calls.stringLimit = stringLimit
        calls.only = names
        return (syscalls ? options : nil, libc ? calls : nil, signals ? output : nil)
    }

    /// Listens on localhost:`port` and waits until gdb connects (the emulator serves it the
    /// program as an ELF file once loaded).
    static func waitForDebugger(port: UInt16, built: Pipeline.Build) throws -> GDBServer {
        do {
            let server = try GDBServer(port: port, dispatcher: GDBDispatcher())
            fputs("crossrun: \(built.programName): waiting for gdb on localhost:\(server.port) (gdb-multiarch -ex 'target remote :\(server.port)')\n", stderr)
            try server.waitForClient()
            return server
        } catch let error as GDBServerError {
            throw DriverError.usage(error.description)
        }
    }

    /// Ends a child of the program's `fork` by the host signal that ended its guest (default
    /// action, unblocked); returns only if the signal does not end the process.
    static func dieBySignal(_ signal: Int32) {
        fflush(nil)
        Glibc.signal(signal, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(signal)
    }

    /// What the watchdog prints and records when an emulated program does not stop at its deadline.
    static func watchdogExit(programName: String, timeout: UInt32) -> (report: String, record: String) {
        let report = "crossrun: \(programName): timed out after \(timeout) s (the program did not stop: ended by the watchdog)"
        var record = OutcomeRecord(ending: .timeout, status: 124)
        record.seconds = timeout
        record.report = report
        return (report + "\n", record.json)
    }

    /// The outcome record of an emulated run.
    static func record(_ outcome: GuestProcess.Outcome, timeout: UInt32) -> OutcomeRecord {
        let ending: OutcomeRecord.Ending = outcome.timedOut ? .timeout : outcome.deadlocked ? .deadlock
            : outcome.signal != nil ? .signal : .exit
        var record = OutcomeRecord(ending: ending, status: outcome.status)
        if outcome.timedOut { record.seconds = timeout }
        record.signal = outcome.signal
        record.pc = outcome.pc
        record.symbol = outcome.symbol
        record.function = outcome.function
        record.faultAddress = outcome.faultAddress
        record.report = outcome.report
        return record
    }

    /// `CROSSRUN_SCHEDULE_SEED`, when set (an unsigned decimal number, else a usage error).
    static func environmentScheduleSeed() throws -> UInt64? {
        guard let text = getenv("CROSSRUN_SCHEDULE_SEED").map({ String(cString: $0) }), !text.isEmpty else { return nil }
        guard let seed = UInt64(text) else {
            throw DriverError.usage("CROSSRUN_SCHEDULE_SEED=\(text): not an unsigned decimal number")
        }
        return seed
    }

    /// This process's environment, for the guest.
    static func environment() -> [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") { env[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            p += 1
        }
        return env
    }
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile and link, then print the image: segments, fixups, imports, symbols.",
        discussion: compileFlagsHelp
    )

    @OptionGroup var build: BuildOptions

    /// `test` and `matrix` build each program in a child `crossrun inspect --build-only`, so a
    /// build that crashes cannot take the whole suite down (see ``RunMatrix/build(_:_:)``).
    @Flag(help: .private)
    var buildOnly = false

    @Option(help: ArgumentHelp("Write the linked image as an ELF executable with its symbols, at the address an emulated run loads it (for gdb, objdump, addr2line).", valueName: "OUT"))
    var elf: String?

    /// `--build-only`'s exit status for a compile error (clang's diagnostics are on stderr).
    static let compileFailedStatus: Int32 = 3

    func run() throws {
        guard buildOnly else {
            let built = try build.build()
            if let elf {
                // FileIO's error names the file and the reason.
                try FileIO.write(built.image.executableELF(base: GuestLayout().imageBase), to: elf)
                return
            }
            print(ImageReport.render(built.image, name: built.programName), terminator: "")
            return
        }
        // Prints only this process's compile-cache counts (hits, misses) on stdout.
        defer {
            let stats = CompileCache.shared?.statistics
            print("\(stats?.hits ?? 0) \(stats?.misses ?? 0)")
            fflush(stdout)
        }
        do {
            _ = try build.build()
        } catch DriverError.compileFailed(let file, let diagnostics) {
            if diagnostics.isEmpty { fputs("\(file): compilation failed\n", stderr) }
            throw ExitCode(Self.compileFailedStatus)
        }
    }
}
