import CrossRunSupport
import CrossRunDriver
import CrossRunEmulator
import CrossRunLibc
import CrossRunNative
import CNativeSupport
#if canImport(Glibc)
import Glibc
#endif

/// What `crossrun run` was asked to do: `Run`'s options as plain values. ArgumentParser fills
/// it through ``Run/request``; ``FastRun`` fills it for the common run forms without
/// ArgumentParser's start-up cost. Either way the same ``run()`` does the work.
struct RunRequest: Equatable {
    var target: String?
    var inputs: [String] = []
    var backend: Backend?
    var timeout: UInt32 = 0
    var root: String?
    var verbose = false
    var scheduleSeed: UInt64?
    var outcomeFile: String?
    var exitWithParent = false
    var deterministic = false
    var trace: String?
    var traceFile: String?
    var traceStringLimit = 32
    var gdb: UInt16?
    /// Hidden, set by a program's exec of itself (``SelfExec``): where the inputs are, and its `argv[0]`.
    var execFrom: String?
    var execArgumentZero: String?
    /// Hidden, set by a program's exec of itself: the clang, home and compile cache (a
    /// ``SelfExec/cacheValue(_:)``) the original run found, whatever the program's environment.
    var execClang: String?
    var execHome: String?
    var execCache: String?
    /// Hidden, written into launchers by `crossrun cc`: the clang that linked the program, for
    /// when the environment finds none.
    var fallbackClang: String?

    /// The toolchain: the one an exec's original run found, else the environment's.
    func toolchain() throws -> Toolchain {
        let found = execClang == nil || execHome == nil ? try Toolchain.discover(fallbackClang: fallbackClang) : nil
        return Toolchain(clang: execClang ?? found?.clang ?? "clang", home: execHome ?? found?.home ?? "/")
    }

    /// The compile cache: the one an exec's original run used, else the environment's.
    func cache() -> CompileCache? { execCache.map(SelfExec.cache) ?? CompileCache.shared }

    /// Builds and runs the program (an emulated run ends this process with the program's status).
    func run(_ invocation: Invocation) throws {
        if exitWithParent && !Subprocess.exitWithParent() { Glibc.exit(1) }
        // An exec of the program itself: build where the first run did, run where the exec was.
        // (Under --root the program starts at the root's / wherever CrossRun is: no way back
        // is kept, as the inherited descriptors are closed.)
        let programDirectory = try execFrom.map { try SelfExec.enter($0, returning: root == nil) } ?? nil
        let plan = try plan()
        // Natively, re-executed without address randomization once the build is in the cache
        // (so the process that runs the program always finds it there), or before reading a
        // source from stdin, which a second process could not read again.
        let reexec = deterministic && plan.backend == .native
        if reexec && inputs.contains("-") { DeterministicRun.reexecWithoutRandomization() }
        let toolchain = try toolchain(), cache = cache()
        let built = try build(plan, invocation, toolchain: toolchain, cache: cache)
        // (Back first: a deterministic re-exec below starts where the program runs.)
        if !inputs.contains("-") {
            SelfExec.configure(inputs: inputs, commandLine: invocation.commandLine ?? Array(CommandLine.arguments.dropFirst()),
                               toolchain: toolchain, cache: cache)
        }
        if let programDirectory { try SelfExec.leave(programDirectory) }
        if reexec { DeterministicRun.reexecWithoutRandomization() }
        try execute(plan, built, invocation)
    }

    /// What ``plan()`` settles before the build: the checked options and their consequences.
    struct Plan {
        var target: Target
        var backend: Backend
        var fileSystem: GuestFileSystem
        var syscallTrace: SyscallTraceOptions?
        var libcTrace: LibcTraceOptions?
        var signalTrace: UnsafeMutablePointer<FILE>?
        /// `outcomeFile` made absolute.
        var recordPath: String?
    }

    /// Checks the options, chooses the backend, opens what they name (`--root`, `--trace-file`).
    func plan() throws -> Plan {
        let target = try BuildOptions.resolveTarget(self.target)
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
        let (syscallTrace, libcTrace, signalTrace) = try Run.traceOptions(trace, file: traceFile, stringLimit: traceStringLimit, backend: chosen)
        if chosen == .emu && !Emulator.supports(target.machine) {
            throw DriverError.usage("the emulator cannot run \(target) programs")
        }
        // Absolute: the program may change the working directory before the record is written.
        let recordPath = outcomeFile.map { $0.hasPrefix("/") ? $0 : FileIO.currentDirectory() + "/" + $0 }
        return Plan(target: target, backend: chosen, fileSystem: fileSystem, syscallTrace: syscallTrace, libcTrace: libcTrace,
                    signalTrace: signalTrace, recordPath: recordPath)
    }

    /// The image `plan` runs (``build(_:_:)``'s arguments: what makes one image differ from another).
    func buildVariant(_ plan: Plan) -> (guestStrings: Bool, native: Bool) {
        // Emulated, short string calls run as guest code rather than a trap each; not under
        // --trace or --gdb, which show and stop at library calls as the program makes them.
        // Natively, <complex.h> is the host libm's; emulated, runtime/complex.c's entry points.
        (plan.backend == .emu && trace == nil && gdb == nil, plan.backend == .native)
    }

    /// Compiles (through the cache) and links the program as `plan` runs it.
    func build(_ plan: Plan, _ invocation: Invocation) throws -> Pipeline.Build {
        try build(plan, invocation, toolchain: try toolchain(), cache: cache())
    }

    /// Compiles and links with the given tools (those an exec's new run inherits).
    func build(_ plan: Plan, _ invocation: Invocation, toolchain: Toolchain, cache: CompileCache?) throws -> Pipeline.Build {
        let variant = buildVariant(plan)
        let pipeline = Pipeline(toolchain: toolchain, cache: cache)
        return try pipeline.build(inputs: inputs, target: plan.target, options: invocation.compile,
                                  guestStrings: variant.guestStrings, native: variant.native)
    }

    /// Runs `built` as `plan` says; ends this process with the program's status (natively the
    /// program's own exit does).
    func execute(_ plan: Plan, _ built: Pipeline.Build, _ invocation: Invocation) throws {
        let (chosen, fileSystem, recordPath) = (plan.backend, plan.fileSystem, plan.recordPath)
        let (syscallTrace, libcTrace, signalTrace) = (plan.syscallTrace, plan.libcTrace, plan.signalTrace)
        let argumentZero = execArgumentZero ?? (deterministic ? DeterministicRun.programArgument(built.programName) : built.programName)
        let arguments = [argumentZero] + invocation.programArguments
        let argumentBytes = invocation.programArgumentBytes.map { [Array(argumentZero.utf8)] + $0 }
        if chosen == .emu {
            let entries = deterministic ? nil : Run.environmentEntries(environ)
            let environment = entries.map(Run.environment(entries:)) ?? DeterministicRun.environment
            var options = GuestProcess.Options(arguments: arguments, environment: environment, programName: built.programName)
            options.environmentBytes = entries
            options.deterministic = deterministic
            options.syscallTrace = syscallTrace
            options.libcTrace = libcTrace
            options.signalTrace = signalTrace
            options.entry = built.entry
            options.argumentBytes = argumentBytes
            options.timeout = timeout
            options.verbose = verbose
            options.scheduleSeed = try scheduleSeed ?? Run.environmentScheduleSeed() ?? GuestProcess.defaultScheduleSeed
            options.fileSystem = fileSystem
            options.inheritedSignals = InheritedSignals.atStart
            options.watchdogExit = Run.watchdogExit(programName: built.programName, timeout: timeout)
            if let gdb { options.gdb = try Run.waitForDebugger(port: gdb, built: built) }
            // The engine is left for the exit to free (Emulator.runToExit).
            try Emulator.runToExit(built.image, options: options) { outcome in
                fflush(StandardStreams.output)
                // A child of the program's fork ends here too; only the original process records.
                if let recordPath, crossrun_is_original_process() != 0 { try? FileIO.write(Array(Run.record(outcome, programName: built.programName, timeout: timeout).json.utf8), to: recordPath) }
                if let report = outcome.report, Run.reportsOnStandardError(outcome) {
                    fputs(Run.render(report, programName: built.programName) + "\n", StandardStreams.error)
                }
                if let signalTrace, crossrun_is_original_process() != 0 {
                    // strace's last line.
                    let end = outcome.signal.map { "killed by \(GuestProcess.signalName($0))" } ?? "exited with \(outcome.status)"
                    fputs("+++ \(end) +++\n", signalTrace)
                    fflush(signalTrace)
                }
                if crossrun_is_original_process() == 0, let signal = outcome.signal, signal > 0 {
                    Run.dieBySignal(signal)   // so the guest parent's waitpid sees WIFSIGNALED, as natively
                }
                Glibc.exit(outcome.status)
            }
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
        var options = NativeRunner.Options(entry: built.entry, arguments: arguments,
                                           programName: built.programName, timeout: timeout)
        options.outcomePath = recordPath
        options.argumentBytes = argumentBytes
        if deterministic { DeterministicRun.replaceProcessEnvironment() }
        try NativeRunner.run(loaded, options: options)
    }
}
