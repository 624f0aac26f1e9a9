import CNativeSupport
import CrossRunDriver
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// A program that executes itself (its first input, as `argv[0]` names it, or
/// `/proc/self/exe`) gets a new CrossRun run of the same program with the same options
/// (`self_exec.c` rewrites the exec; doc/CLI.md, "Processes"). The new run is told by hidden
/// options the directory the inputs and options were given relative to (``fromOption``), the
/// `argv[0]` the program passed (``argumentZeroOption``), and the clang, CrossRun home and
/// compile cache this run found (``clangOption``, ``homeOption``, ``cacheOption``): the new
/// run's environment is the one the program passed, which may lack `PATH`, `HOME`, `$CC`...
enum SelfExec {
    /// `--exec-from=DIR`: build from DIR (the original run's directory), then run the program
    /// in the directory the exec left the process in.
    static let fromOption = "exec-from"
    /// `--exec-argv0=:NAME`: the program's `argv[0]` (after a ':' so it is never empty or
    /// read as an option).
    static let argumentZeroOption = "exec-argv0"
    /// `--exec-clang=PATH`: the clang the original run found.
    static let clangOption = "exec-clang"
    /// `--fallback-clang=PATH`: a launcher's clang for when the environment finds none
    /// (``Toolchain/discover(fallbackClang:)``).
    static let fallbackClangOption = "fallback-clang"
    /// `--exec-home=DIR`: CrossRun's home (its `include/` and `runtime/`) the original run found.
    static let homeOption = "exec-home"
    /// `--exec-cache=MB:DIR` (the compile cache and its size limit) or `--exec-cache=off`.
    static let cacheOption = "exec-cache"
    /// Every hidden option a run of an exec gets (and a further exec replaces).
    static let hiddenOptions = [fromOption, argumentZeroOption, clangOption, homeOption, cacheOption]

    /// `--exec-cache`'s value for `cache`.
    static func cacheValue(_ cache: CompileCache?) -> String {
        cache.map { "\($0.maxBytes >> 20):\($0.directory)" } ?? "off"
    }

    /// The compile cache `--exec-cache`'s value names (nil: off, or a value it cannot read).
    static func cache(_ value: String) -> CompileCache? {
        guard value != "off", let colon = value.firstIndex(of: ":"), let mb = Int(value[..<colon]), mb > 0 else { return nil }
        let directory = String(value[value.index(after: colon)...])
        return directory.isEmpty ? nil : CompileCache(directory: directory, maxBytes: mb << 20)
    }

    /// The value of `--exec-argv0` as the program's `argv[0]`.
    static func argumentZero(_ value: String) -> String { value.hasPrefix(":") ? String(value.dropFirst()) : value }

    /// The run's own words (CommandLine's, up to the program's `--`) for a new run:
    /// without `--outcome-file` (`self_exec.c` adds it back in the original process only) and
    /// without an earlier exec's hidden options; `--exec-from` the current directory
    /// (``configure(inputs:commandLine:toolchain:cache:)`` adds the tools).
    static func words(_ commandLine: [String], directory: String) -> (words: [String], outcome: String?) {
        var words: [String] = []
        var outcome: String?
        var rest = commandLine[...]
        while let word = rest.popFirst(), word != "--" {
            if word == "--outcome-file" { outcome = rest.popFirst(); continue }
            if word.hasPrefix("--outcome-file=") { outcome = String(word.dropFirst("--outcome-file=".count)); continue }
            if hiddenOptions.contains(where: { word.hasPrefix("--\($0)=") }) { continue }
            if hiddenOptions.contains(where: { word == "--\($0)" }) { _ = rest.popFirst(); continue }
            words.append(word)
        }
        return (words + ["--\(fromOption)=\(directory)"], outcome)   // after a leading command name
    }

    /// Sets the recipe before the program starts, from the current directory (where the
    /// inputs are found) and the run's own `commandLine` (CrossRun's arguments, or those a run
    /// worker was asked to run with). Without CrossRun's own path the program's exec of itself
    /// stays the host's (EACCES for a `.c` file).
    static func configure(inputs: [String], commandLine: [String], toolchain: Toolchain?, cache: CompileCache?) {
        guard let exe = FileIO.realPath("/proc/self/exe") else { return }
        let (found, outcome) = Self.words(commandLine, directory: FileIO.currentDirectory())
        var words = found + ["--\(cacheOption)=\(cacheValue(cache))"]
        if let toolchain { words += ["--\(clangOption)=\(toolchain.clang)", "--\(homeOption)=\(toolchain.home)"] }
        let program = inputs.first.flatMap { $0 == "-" ? nil : $0 }
        let owned = words.map { strdup($0) }
        defer { for p in owned { free(p) } }
        let list: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } }
        _ = crossrun_self_exec_configure(exe, list, list.count, outcome, program)
    }

    /// Enters the `--exec-from` directory for the build; returns a descriptor of the directory
    /// the program must run in (the caller returns there with ``leave(_:)``) when `returning`.
    static func enter(_ directory: String, returning: Bool) throws -> Int32? {
        // Already there (an exec that did not change directory): nothing to enter or leave,
        // which also spares a process that gave up its privileges a directory it may no longer
        // open or enter (its current one can be a 0700 directory of the user it was).
        // (By name first: a directory it cannot search cannot even be stat'ed as ".".)
        var current = stat(), target = stat()
        if FileIO.currentDirectory() == directory
            || (stat(".", &current) == 0 && stat(directory, &target) == 0 && current.st_dev == target.st_dev && current.st_ino == target.st_ino) {
            return nil
        }
        guard returning else {
            guard chdir(directory) == 0 else { throw DriverError.badInput(file: directory, message: "--\(fromOption): " + String(cString: strerror(errno))) }
            return nil
        }
        let here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard here >= 0 else { throw DriverError.usage("--\(fromOption): the current directory: " + String(cString: strerror(errno))) }
        guard chdir(directory) == 0 else {
            close(here)
            throw DriverError.badInput(file: directory, message: "--\(fromOption): " + String(cString: strerror(errno)))
        }
        return here
    }

    /// Back to the directory ``enter(_:)`` left.
    static func leave(_ descriptor: Int32) throws {
        defer { close(descriptor) }
        guard fchdir(descriptor) == 0 else { throw DriverError.usage("--\(fromOption): cannot return to the program's directory: " + String(cString: strerror(errno))) }
    }
}
