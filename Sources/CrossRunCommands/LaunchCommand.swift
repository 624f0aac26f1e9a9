import CrossRunDriver
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// `crossrun launch PROGRAM ARGS...`: how the kernel starts a program `crossrun cc` linked.
/// The launcher's first line is `#!/path/to/crossrun launch`, so `./prog a b` becomes
/// `crossrun launch ./prog a b` with no shell in between: the environment reaches the program
/// exactly as its parent passed it (a shell drops variables whose names are not identifiers,
/// such as `v[0]`, and adds `PWD`). The run options (`--target`, `--backend`, the fallback
/// clang, `--run-option`s) are the bundle's `r` records (``ProgramBundle/runOptions``), and the
/// program's arguments are passed on byte for byte. `$CROSSRUN`, when it names another
/// executable, runs instead, as the shell form's `${CROSSRUN:-...}` did.
enum LaunchCommand {
    /// The command word the launcher's `#!` line passes.
    static let word = "launch"

    /// Runs the launch command line `arguments` (`crossrun launch PROGRAM ARGS...`); returns
    /// the `run` arguments and the program's raw arguments, or exits for `$CROSSRUN`.
    static func runArguments() throws -> (arguments: [String], programArguments: [[UInt8]]) {
        let argc = Int(CommandLine.argc)
        let argv = CommandLine.unsafeArgv
        guard argc >= 3, let programPointer = argv[2] else {
            throw DriverError.usage("launch: usage: crossrun launch PROGRAM [ARGS...] (the first line of a program crossrun cc linked)")
        }
        handOverToOverride()
        let program = String(cString: programPointer)
        let raw: [[UInt8]] = (3..<argc).map { k in
            guard let p = argv[k] else { return [] }
            return Array(UnsafeRawBufferPointer(start: p, count: strlen(p)))
        }
        let prefix = try FileIO.readPrefix(program, count: ProgramBundle.headerLimit)
        guard let options = ProgramBundle.runOptions(inPrefix: prefix) else {
            throw DriverError.badInput(file: program, message: "not a program linked by crossrun cc (no bundle marker)")
        }
        return (["run"] + options + [program], raw)
    }

    /// `$CROSSRUN`, when set to an executable other than this one, runs the program instead
    /// (`CROSSRUN launch PROGRAM ARGS...`, the same words).
    static func handOverToOverride() {
        guard let value = getenv("CROSSRUN").map({ String(cString: $0) }), !value.isEmpty,
              let other = FileIO.realPath(value), other != FileIO.realPath("/proc/self/exe") else { return }
        var words: [UnsafeMutablePointer<CChar>?] = [strdup(other)]
        for k in 1..<Int(CommandLine.argc) { words.append(CommandLine.unsafeArgv[k].flatMap { strdup($0) }) }
        words.append(nil)
        execv(other, words)
        fputs("crossrun: launch: cannot run $CROSSRUN (\(other)): \(String(cString: strerror(errno)))\n", StandardStreams.error)
        Glibc.exit(127)
    }
}
