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

/// What is split off the command line before argument parsing: compile flags (clang-style
/// `-DNAME` and `-O2` do not fit ArgumentParser's rules), the program's arguments after `--`,
/// and `fuzz`'s libFuzzer-style `-name=value` flags. Commands receive it as a value
/// (``InvocationCommand``).
struct Invocation: Sendable {
    var compile = CompileOptions()
    var programArguments: [String] = []
    /// The program's arguments as the kernel gave them to CrossRun (``rawProgramArguments()``),
    /// when they are this process's own: a `String` replaces bytes that are not UTF-8.
    var programArgumentBytes: [[UInt8]]?
    var fuzzFlags: [String] = []
    /// The words this run stands for when they are not CrossRun's own `argv`: a launcher's
    /// `crossrun launch PROG ARGS` is `crossrun run OPTIONS PROG -- ARGS` (what a program's
    /// exec of itself must repeat, ``SelfExec``); nil: `CommandLine.arguments`.
    var commandLine: [String]?

    /// Splits `arguments` (without the program name) into the invocation and what is left for
    /// ArgumentParser.
    static func scan(_ arguments: [String]) throws -> (Invocation, [String]) {
        var invocation = Invocation()
        var args = arguments
        if let dash = args.firstIndex(of: "--") {
            invocation.programArguments = Array(args[(dash + 1)...])
            args = Array(args[..<dash])
        }
        invocation.fuzzFlags = FuzzFlags.extract(&args)
        let (compile, rest) = try CompileOptions.scan(args)
        invocation.compile = compile
        return (invocation, rest)
    }

    /// The words after this process's first `--` in `argv`, byte for byte (Latin-1 text in a
    /// test script's arguments must reach the program unchanged); nil when there is none or
    /// they do not match `expected`'s count (arguments not from this command line).
    static func rawProgramArguments(expected: Int) -> [[UInt8]]? {
        let argc = Int(CommandLine.argc)
        let argv = CommandLine.unsafeArgv
        var i = 1
        while i < argc, let p = argv[i], strcmp(p, "--") != 0 { i += 1 }
        guard i < argc, argc - i - 1 == expected else { return nil }
        return ((i + 1)..<argc).map { k in
            guard let p = argv[k] else { return [] }
            return Array(UnsafeRawBufferPointer(start: p, count: strlen(p)))
        }
    }
}

/// A command that needs the scanned ``Invocation``: `mainEntry` calls ``run(_:)`` with it
/// instead of ArgumentParser's `run()`.
protocol InvocationCommand: ParsableCommand {
    func run(_ invocation: Invocation) throws
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

/// The `crossrun` command line, as a library: the executable's `main.swift` only calls
/// ``main()``, and tests exercise the commands (option scanning, configuration selection,
/// reports) directly.
public enum CrossRunCLI {
    /// Runs the command line in `CommandLine.arguments` and exits as `crossrun` does.
    public static func main() { CrossRunCommand.mainEntry() }
}

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
          make CC="crossrun cc --target rv64"  build a program's objects and launchers

        \(compileFlagsHelp)
        \(programArgumentsHelp)
        """,
        version: "crossrun 0.1.0 (emulator engine: Unicorn \(Emulator.engineVersionString))",
        subcommands: [Run.self, Inspect.self, MatrixCommand.self, TestCommand.self, CcCommand.self, CacheCommand.self, Fuzz.self, RunWorkerCommand.self],
        defaultSubcommand: Run.self
    )

    static func mainEntry() {
        // What the guest of an emulated run inherits as from execve: read before CrossRun
        // sets a disposition or mask of its own.
        _ = InheritedSignals.atStart
        // `cc` reads gcc's command line, which the run forms' scanning would refuse (-c, -o).
        if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "cc" {
            reportingErrors {
                let status = try CcDriver.run(try CcArguments.parse(Array(CommandLine.arguments.dropFirst(2))))
                fflush(StandardStreams.output)
                if status != 0 { Glibc.exit(status) }
            }
            return
        }
        var invocation: Invocation
        let args: [String]
        do {
            if CommandLine.arguments.count > 1, CommandLine.arguments[1] == LaunchCommand.word {
                // A launcher's `#!` line: `crossrun launch PROGRAM ARGS...` is `crossrun run
                // OPTIONS PROGRAM -- ARGS...` with the bundle's options.
                let launch = try LaunchCommand.runArguments()
                let words = launch.programArguments.map { String(decoding: $0, as: UTF8.self) }
                (invocation, args) = try Invocation.scan(launch.arguments + ["--"] + words)
                invocation.programArgumentBytes = launch.programArguments
                invocation.commandLine = launch.arguments + ["--"] + words
            } else {
                (invocation, args) = try Invocation.scan(Array(CommandLine.arguments.dropFirst()))
                invocation.programArgumentBytes = Invocation.rawProgramArguments(expected: invocation.programArguments.count)
            }
        } catch {
            fail(error)
        }
        reportingErrors {
            // The common run forms skip ArgumentParser (see FastRun); all else goes through it.
            if let request = FastRun.scan(args) {
                try request.run(invocation)
                return
            }
            if let build = FastRun.scanBuildOnly(args) {
                let status = try Inspect.buildOnly(inputs: build.inputs, target: build.target, options: invocation.compile)
                if status != 0 { Glibc.exit(status) }
                return
            }
            var command = try parseAsRoot(args)
            if let command = command as? InvocationCommand {
                try command.run(invocation)
            } else {
                try command.run()
            }
        }
    }

    /// Runs `body`; an error it throws ends the process as `crossrun`'s errors do (``fail(_:)``,
    /// or ArgumentParser's rendering of its own).
    static func reportingErrors(_ body: () throws -> Void) {
        do {
            try body()
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

    /// Prints `crossrun: error: …` for each line of `error` and exits with status 1.
    static func fail(_ error: Error) -> Never {
        fflush(StandardStreams.output)
        fputs(errorReport(error), StandardStreams.error)
        Glibc.exit(1)
    }

    /// `crossrun: error: …` for each line of `error`, as ``fail(_:)`` prints it.
    static func errorReport(_ error: Error) -> String {
        "\(error)".split(separator: "\n").map { "crossrun: error: \($0)\n" }.joined()
    }
}

/// Options shared by every command that builds a program.
struct BuildOptions: ParsableArguments {
    @Option(name: .long, help: "Target architecture: x64, aarch64 or rv64 (default: this host's).")
    var target: String?

    @Argument(help: ArgumentHelp("Inputs: .c sources, .o objects, .a archives, or - for C source on stdin.", valueName: "input"))
    var inputs: [String] = []

    func resolvedTarget() throws -> Target { try Self.resolveTarget(target) }

    /// The `--target` named `name` (this host's when `nil`).
    static func resolveTarget(_ name: String?) throws -> Target {
        guard let name else { return Target(machine: NativeImage.hostMachine) }
        guard let t = Target(name: name) else {
            throw DriverError.usage("unknown target '\(name)' (choose x64, aarch64 or rv64)")
        }
        return t
    }

    /// `guestStrings`: the emulated image's short string calls run as guest code; `native`: the
    /// image is for the native backend (`Pipeline.build`).
    func build(options: CompileOptions, guestStrings: Bool = false, native: Bool = false) throws -> Pipeline.Build {
        try Self.build(inputs: inputs, target: try resolvedTarget(), options: options, guestStrings: guestStrings, native: native)
    }

    static func build(inputs: [String], target: Target, options: CompileOptions, guestStrings: Bool = false,
                      native: Bool = false) throws -> Pipeline.Build {
        let pipeline = Pipeline(toolchain: try Toolchain.discover())
        return try pipeline.build(inputs: inputs, target: target, options: options, guestStrings: guestStrings, native: native)
    }
}

/// The execution engine.
enum Backend: String, ExpressibleByArgument, CaseIterable {
    case native, emu
}

struct Run: InvocationCommand {
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

    @Option(name: .customLong("exec-from"), help: ArgumentHelp("Build from DIR (a program's exec of itself; doc/CLI.md).", valueName: "DIR", visibility: .hidden))
    var execFrom: String?

    @Option(name: .customLong("exec-argv0"), help: ArgumentHelp("The program's argv[0] after ':' (a program's exec of itself).", valueName: "NAME", visibility: .hidden))
    var execArgumentZero: String?

    @Option(name: .customLong("exec-clang"), help: ArgumentHelp("The clang the original run found (a program's exec of itself).", valueName: "PATH", visibility: .hidden))
    var execClang: String?

    @Option(name: .customLong("fallback-clang"), help: ArgumentHelp("The clang to use when none is found (written into launchers by crossrun cc).", valueName: "PATH", visibility: .hidden))
    var fallbackClang: String?

    @Option(name: .customLong("exec-home"), help: ArgumentHelp("CrossRun's home the original run found (a program's exec of itself).", valueName: "DIR", visibility: .hidden))
    var execHome: String?

    @Option(name: .customLong("exec-cache"), help: ArgumentHelp("MB:DIR, the compile cache the original run used, or off (a program's exec of itself).", valueName: "CACHE", visibility: .hidden))
    var execCache: String?

    /// The parsed options as plain values (what ``FastRun`` scans without ArgumentParser).
    var request: RunRequest {
        RunRequest(target: build.target, inputs: build.inputs, backend: backend, timeout: timeout, root: root,
                   verbose: verbose, scheduleSeed: scheduleSeed, outcomeFile: outcomeFile, exitWithParent: exitWithParent,
                   deterministic: deterministic, trace: trace, traceFile: traceFile, traceStringLimit: traceStringLimit, gdb: gdb,
                   execFrom: execFrom, execArgumentZero: execArgumentZero.map(SelfExec.argumentZero),
                   execClang: execClang, execHome: execHome, execCache: execCache, fallbackClang: fallbackClang)
    }

    func run(_ invocation: Invocation) throws { try request.run(invocation) }

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
        var output = StandardStreams.error
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
            fputs("crossrun: \(built.programName): waiting for gdb on localhost:\(server.port) (gdb-multiarch -ex 'target remote :\(server.port)')\n", StandardStreams.error)
            try server.waitForClient()
            return server
        } catch let error as GDBServerError {
            throw DriverError.usage(error.description)
        }
    }

    /// Ends a child of the program's `fork` by the host signal that ended its guest (default
    /// action, unblocked); returns only if the signal does not end the process.
    static func dieBySignal(_ signal: Int32) { HostSignal.endProcess(by: signal) }

    /// What the watchdog prints and records when an emulated program does not stop at its deadline.
    static func watchdogExit(programName: String, timeout: UInt32) -> (report: String, record: String) {
        let report = "crossrun: \(programName): timed out after \(timeout) s (the program did not stop: ended by the watchdog)"
        var record = OutcomeRecord(ending: .timeout, status: 124)
        record.seconds = timeout
        record.report = report
        return (report + "\n", record.json)
    }

    /// The signals that are crashes (the program's own fault, or `abort`): their report goes to
    /// stderr, as the native crash reporter's does.
    static let crashSignals: Set<Int32> = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS]

    /// Whether an emulated run's report is printed on stderr: for crashes, timeouts, deadlocks
    /// and CrossRun's errors, not for a death by a signal that ends processes quietly (SIGPIPE
    /// writing to a closed pipe, SIGTERM, SIGINT, SIGHUP from outside…): a real process prints
    /// nothing then, and its parent, which sees `WIFSIGNALED`, reports it if it wants to (a
    /// pipeline's `yes | head` must leave stderr empty). The outcome record still has it.
    static func reportsOnStandardError(_ outcome: GuestProcess.Outcome) -> Bool {
        guard let signal = outcome.signal, !outcome.timedOut, !outcome.deadlocked, !outcome.killedByDebugger else { return true }
        return crashSignals.contains(signal)
    }

    /// How the command line shows an emulated run's report: `crossrun: PROG: …` about the
    /// program (a deadlock's thread lines follow as they are), `crossrun: error: …` otherwise.
    static func render(_ report: GuestProcess.Report, programName: String) -> String {
        switch report {
        case .program(let text): return "crossrun: \(programName): " + text
        case .error(let text): return "crossrun: error: " + text
        }
    }

    /// The outcome record of an emulated run of `programName`.
    static func record(_ outcome: GuestProcess.Outcome, programName: String, timeout: UInt32) -> OutcomeRecord {
        let ending: OutcomeRecord.Ending = outcome.timedOut ? .timeout : outcome.deadlocked ? .deadlock
            : outcome.signal != nil ? .signal : .exit
        var record = OutcomeRecord(ending: ending, status: outcome.status)
        if outcome.timedOut { record.seconds = timeout }
        record.signal = outcome.signal
        record.pc = outcome.pc
        record.symbol = outcome.symbol
        record.function = outcome.function
        record.faultAddress = outcome.faultAddress
        record.report = outcome.report.map { render($0, programName: programName) }
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
    static func environment() -> [String: String] { environment(environ) }

    /// The `NAME=value` entries of a NULL-terminated `environ`-style array, split at the first
    /// `=` byte as the C library's `getenv` splits them (entries without one are left out; a
    /// later entry for a name wins).
    static func environment(_ entries: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> [String: String] {
        environment(entries: environmentEntries(entries))
    }

    /// ``environment(_:)`` of entries already read (``environmentEntries(_:)``). By byte:
    /// finding the `=` as a `Character` cost grapheme breaking over every variable at each start.
    static func environment(entries: [[UInt8]]) -> [String: String] {
        var env: [String: String] = [:]
        for entry in entries {
            guard let eq = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            env[String(decoding: entry[..<eq], as: UTF8.self)] = String(decoding: entry[(eq + 1)...], as: UTF8.self)
        }
        return env
    }

    /// The entries of a NULL-terminated `environ`-style array, byte for byte and in order (what
    /// `execve` would pass on; ``GuestProcess/Options/environmentBytes``).
    static func environmentEntries(_ entries: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var p = entries
        while let entry = p.pointee {
            out.append(Array(UnsafeRawBufferPointer(start: entry, count: strlen(entry))))
            p += 1
        }
        return out
    }

}

struct Inspect: InvocationCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile and link, then print the image: segments, fixups, imports, symbols.",
        discussion: compileFlagsHelp
    )

    @OptionGroup var build: BuildOptions

    /// `test` and `matrix` build each program as `crossrun inspect --build-only` in a run worker
    /// or a child process, so a build that crashes cannot take the whole suite down (see
    /// ``RunMatrix/build(_:_:index:)``).
    @Flag(help: .private)
    var buildOnly = false

    @Option(help: ArgumentHelp("Write the linked image as an ELF executable with its symbols, at the address an emulated run loads it (for gdb, objdump, addr2line).", valueName: "OUT"))
    var elf: String?

    /// `--build-only`'s exit status for a compile error (clang's diagnostics are on stderr).
    static let compileFailedStatus: Int32 = 3

    func run(_ invocation: Invocation) throws {
        guard buildOnly else {
            let built = try build.build(options: invocation.compile)
            if let elf {
                // FileIO's error names the file and the reason.
                try FileIO.write(built.image.executableELF(base: GuestLayout().imageBase), to: elf)
                return
            }
            print(ImageReport.render(built.image, name: built.programName), terminator: "")
            return
        }
        let status = try Self.buildOnly(inputs: build.inputs, target: build.target, options: invocation.compile)
        if status != 0 { throw ExitCode(status) }
    }

    /// `--build-only`: builds, then prints only this process's compile-cache counts (hits,
    /// misses) on stdout, whatever happened. Returns 0, or ``compileFailedStatus`` for a compile
    /// error (clang's diagnostics are on stderr); other errors are thrown.
    /// (In a run worker, which builds many programs, the counts are this build's alone.)
    static func buildOnly(inputs: [String], target: String?, options: CompileOptions) throws -> Int32 {
        let before = CompileCache.shared?.statistics
        defer {
            let stats = CompileCache.shared?.statistics
            print("\((stats?.hits ?? 0) - (before?.hits ?? 0)) \((stats?.misses ?? 0) - (before?.misses ?? 0))")
            fflush(StandardStreams.output)
        }
        do {
            _ = try BuildOptions.build(inputs: inputs, target: try BuildOptions.resolveTarget(target), options: options)
        } catch DriverError.compileFailed(let file, let diagnostics) {
            if diagnostics.isEmpty { fputs("\(file): compilation failed\n", StandardStreams.error) }
            return compileFailedStatus
        }
        return 0
    }
}
