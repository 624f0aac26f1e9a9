import CrossRunELF

/// The guest runtime (`runtime/*.c`): library functions that call back into the program
/// (`qsort`, `qsort_r`, `bsearch`), compiled for the target with the project's compile policy
/// and linked into the image as an archive when the program refers to one of them. As target
/// code a comparator call is a plain call; served by the host, each was a nested emulation.
/// The same image runs natively, so both backends execute the same sort.
public enum GuestRuntime {
    /// Functions the runtime's sources define.
    public static let functions: Set<String> = ["qsort", "qsort_r", "bsearch"]
    /// Sources, relative to the CrossRun home (beside `include/`).
    static let sources = ["runtime/sort.c"]
    /// Optimised, and with no library-call idioms: its copy loops must not become `memcpy`
    /// calls (each a trap to the host when emulated).
    static let flags = ["-O2", "-fno-builtin", "-w"]

    /// Whether any object refers to a runtime function without defining it.
    public static func isNeeded(by objects: [ObjectFile]) -> Bool {
        objects.contains { object in object.symbols.contains { $0.isUndefined && functions.contains($0.name) } }
    }

    /// The runtime compiled for `target` (through `compiler`'s cache), as an archive to search
    /// after the program's own.
    public static func archive(for target: Target, compiler: Compiler, scratch: String) throws -> Archive {
        var options = CompileOptions()
        options.clangFlags = flags
        var members: [Archive.Member] = []
        for (i, source) in sources.enumerated() {
            let path = compiler.toolchain.home + "/" + source
            guard FileIO.exists(path) else {
                throw DriverError.badInput(file: path, message: "the guest runtime's source is missing (is CROSSRUN_HOME right?)")
            }
            let object = try compiler.compile(path, displayName: source, target: target, options: options,
                                              scratch: scratch, index: 1000 + i)
            members.append(Archive.Member(name: source, bytes: object.bytes))
        }
        return Archive(name: "<crossrun runtime>", members: members)
    }
}
