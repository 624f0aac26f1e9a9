/// Compiler-driver options of a run: what goes to clang and what selects libraries.
public struct CompileOptions: Sendable, Equatable {
    /// Flags passed to clang unchanged (`-I -D -U -O -g -std= -f -W -w -m`, `-Xcc` values).
    public var clangFlags: [String] = []
    /// `-lNAME` names, in order.
    public var libraries: [String] = []
    /// `-L` directories, in order.
    public var libraryPaths: [String] = []
    /// `-e SYMBOL`: the entry point.
    public var entry: String = "main"

    public init() {}

    /// Libraries the runtime itself provides (`-lm`, `-lc`…): accepted and ignored. Since
    /// glibc 2.34 `libpthread`, `libdl`, `librt` and `libutil` are empty stubs whose functions
    /// live in libc, so build systems still pass `-lpthread -ldl -lrt -lutil` (Janet's Makefile
    /// does); the runtime provides what libc does, and a missing function is a link error naming it.
    public static let runtimeLibraries: Set<String> = ["c", "m", "gcc", "gcc_s", "compiler_rt", "pthread", "dl", "rt", "util"]

    /// Splits clang-style flags out of `arguments`, returning them and what is left (CrossRun's
    /// own options and the inputs) in order. `-` alone is an input (stdin), not a flag.
    public static func scan(_ arguments: [String]) throws -> (CompileOptions, rest: [String]) {
        var options = CompileOptions()
        var rest: [String] = []
        var i = 0
        func value(_ flag: String) throws -> String {
            guard i + 1 < arguments.count else { throw DriverError.usage("option \(flag) needs a value") }
            i += 1
            return arguments[i]
        }
        while i < arguments.count {
            let a = arguments[i]
            defer { i += 1 }
            if a == "-" || !a.hasPrefix("-") || a.hasPrefix("--") { rest.append(a); continue }
            switch a {
            case "-I", "-D", "-U", "-include", "-isystem", "-iquote", "-idirafter":
                options.clangFlags += [a, try value(a)]
            case "-Xcc", "-Xclang":
                let v = try value(a)
                options.clangFlags += a == "-Xclang" ? [a, v] : [v]
            case "-l": options.libraries.append(try value(a))
            case "-L": options.libraryPaths.append(try value(a))
            case "-e": options.entry = try value(a)
            case "-w", "-g", "-O", "-pedantic", "-pedantic-errors", "-ansi", "-pthread":
                if a != "-pthread" { options.clangFlags.append(a) }
            case "-c", "-S", "-E", "-o", "-shared", "-static", "-v":
                throw DriverError.usage("\(a) is not supported: crossrun compiles, links and runs in one step (use clang directly to produce files)")
            default:
                if a.hasPrefix("-Wl,") || a.hasPrefix("-Xlinker") {
                    throw DriverError.usage("\(a): linker options are not supported (CrossRun links by itself)")
                }
                if a.hasPrefix("-l") { options.libraries.append(String(a.dropFirst(2))) }
                else if a.hasPrefix("-L") { options.libraryPaths.append(String(a.dropFirst(2))) }
                else if a.hasPrefix("--target") || a.hasPrefix("-target") || a.hasPrefix("-nostd") || a.hasPrefix("-isysroot") || a.hasPrefix("--sysroot") {
                    throw DriverError.usage("\(a): CrossRun chooses the target and headers itself (use --target x64|aarch64|rv64)")
                }
                else if ["-I", "-D", "-U", "-O", "-g", "-f", "-W", "-m"].contains(where: { a.hasPrefix($0) })
                            || a.hasPrefix("-std=") || a.hasPrefix("-pedantic") {
                    options.clangFlags.append(a)
                } else {
                    rest.append(a) // CrossRun's own short options, or an unknown flag reported later
                }
            }
        }
        return (options, rest)
    }

    /// These options with relative directory and file operands (`-I`, `-isystem`, `-iquote`,
    /// `-idirafter`, `-include`, `-imacros`, `-L`) made absolute against `directory`, so they
    /// mean the same from any working directory.
    public func resolvingPaths(against directory: String) -> CompileOptions {
        func absolute(_ path: String) -> String { path.hasPrefix("/") || path.isEmpty ? path : directory + "/" + path }
        let separate: Set<String> = ["-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros"]
        var out = self
        out.clangFlags = []
        var i = 0
        while i < clangFlags.count {
            let flag = clangFlags[i]
            if separate.contains(flag), i + 1 < clangFlags.count {
                out.clangFlags += [flag, absolute(clangFlags[i + 1])]
                i += 2
                continue
            }
            if flag.hasPrefix("-I"), flag.count > 2 {
                out.clangFlags.append("-I" + absolute(String(flag.dropFirst(2))))
            } else {
                out.clangFlags.append(flag)
            }
            i += 1
        }
        out.libraryPaths = libraryPaths.map(absolute)
        return out
    }
}
