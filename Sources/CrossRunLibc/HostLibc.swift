#if canImport(Glibc)
import CHostSystem
import Glibc
#endif

/// The trampoline table: host implementations of the C library, written once against
/// ``GuestMemory`` and ``CallFrame`` so that every guest architecture shares them.
public enum HostLibc {
    /// Every function by name. (A run's start-up looks up its imports with ``function(named:)``,
    /// which builds only the parts it searches and never this merged table.)
    public static let functions: [String: HostFunction] = {
        var table: [String: HostFunction] = [:]
        table.reserveCapacity(1536) // ~1,000 names: no rehashing while merging
        for part in parts {
            table.merge(part) { a, _ in a }
        }
        for name in streamErrnoFunctions { table[name] = table[name].map(LibcMath.withErrno) }
        for name in hostStringFunctions { table["__crossrun_host_" + name] = table[name] }
        return table
    }()

    /// The function `name` is in ``functions``, found by searching the parts, each built on
    /// first use: an emulated hello.c builds a few of them instead of all ~50 and their
    /// ~1,000-entry merge. A name one part alone defines is searched for with the plain C
    /// library's parts first (where a small program's imports are), the POSIX additions'
    /// thirteen-plus parts last; the few names two parts define (``definedTwice``), in
    /// precedence order, so the first part naming it wins, as in the merge.
    public static func function(named name: String) -> HostFunction? {
        if name.utf8.starts(with: "__crossrun_host_".utf8) {
            let base = String(name.utf8.dropFirst("__crossrun_host_".utf8.count)) ?? ""
            return hostStringFunctions.contains(base) ? function(named: base) : nil
        }
        for part in definedTwice.contains(name) ? partNames : searchOrder {
            guard let body = part()[name] else { continue }
            return streamErrnoFunctions.contains(name) ? LibcMath.withErrno(body) : body
        }
        return nil
    }

    /// The parts, in order of precedence: the POSIX additions first (they take over
    /// rand/random once initstate/setstate ran).
    static var parts: [[String: HostFunction]] { partNames.map { $0() } }

    /// The names more than one part defines (`StartupLookupTests` checks this is all of them):
    /// ``LibcRandomState``'s take over from the plain ones once `initstate`/`setstate` ran.
    static let definedTwice: Set<String> = ["rand", "srand", "random", "srandom"]

    /// Each part's table, built when first asked for (a static `let` per part), in precedence order.
    private static let partNames = posixLibParts + plainParts

    /// The parts in the order a lookup of a name only one part defines searches them.
    private static let searchOrder = plainParts + posixLibParts

    /// The C library's parts but for the POSIX additions.
    private static let plainParts: [@Sendable () -> [String: HostFunction]] = [
        { LibcEnvironment.functions }, { LibcProcess.functions }, { LibcStdio.functions }, { LibcString.functions },
        { LibcMemory.functions }, { LibcMath.functions }, { LibcComplex.functions }, { LibcConvert.functions },
        { LibcCtype.functions }, { CompilerHelpers.functions }, { LibcPosix.functions }, { LibcTime.functions },
        { LibcTimers.functions }, { LibcEpoll.functions }, { LibcInotify.functions }, { LibcCloseRange.functions },
        { LibcSignal.functions }, { LibcSignalWait.functions }, { LibcMisc.functions }, { LibcScanf.functions },
        { LibcLongDouble.functions }, { CompilerHelpersX87.functions }, { CompilerHelpersBinary128.functions },
        { LibcDirent.functions }, { LibcMapping.functions }, { LibcFiles.functions }, { LibcUsers.functions },
        { LibcSystem.functions }, { LibcProcesses.functions }, { LibcExec.functions }, { LibcSpawn.functions },
        { LibcSockets.functions }, { LibcNetdb.functions }, { LibcSyslog.functions }, { LibcWideTime.functions },
        { LibcMemstream.functions }, { LibcWideScanf.functions }, { LibcSharedMemoryFiles.functions },
        { LibcMallocDebug.functions },
    ]

    /// Served also as `__crossrun_host_NAME`, for the guest runtime's short-input versions
    /// (`runtime/string.c`) to hand long inputs to; `RuntimeSymbols.hostStringFunctions`
    /// (the import table's side) lists the same names.
    public static let hostStringFunctions = ["memcpy", "memmove", "memset", "memcmp", "memchr", "strlen", "strcmp", "strchr"]

    /// The POSIX library additions (wide characters, locales, regex, glob, err.h…).
    static var posixLibFunctions: [[String: HostFunction]] { posixLibParts.map { $0() } }

    private static let posixLibParts: [@Sendable () -> [String: HostFunction]] = [
        { LibcLocale.functions }, { LibcWideString.functions }, { LibcWideConvert.functions }, { LibcWideClass.functions },
        { LibcWideIO.functions }, { LibcStringExt.functions }, { LibcStdlibExt.functions }, { LibcRegex.functions },
        { LibcGlob.functions }, { LibcErr.functions }, { LibcStdioExt.functions }, { LibcRandomState.functions },
        { LibcSched.functions }, { LibcPrctl.functions }, { LibcIconv.functions },
    ] + surfaceFunctions.indices.map { i in { @Sendable in surfaceFunctions[i] } }

    /// Stream operations run on host `FILE*`s: the errno the host's stdio sets when one fails
    /// (EBADF writing a read-only stream, EIO, ENOSPC…) is the guest's, as natively.
    static let streamErrnoFunctions: Set<String> = [
        "printf", "vprintf", "fprintf", "vfprintf", "dprintf", "puts", "fputs", "putchar", "fputc", "putc", "fwrite",
        "fread", "fflush", "fclose", "fgetc", "getc", "getchar", "ungetc", "fgets", "fseek", "ftell", "rewind",
        "fseeko", "ftello", "fgetpos", "fsetpos", "setvbuf", "getline", "getdelim", "scanf", "vscanf", "fscanf", "vfscanf",
        "getc_unlocked", "fgetc_unlocked", "getchar_unlocked", "putc_unlocked", "fputc_unlocked", "putchar_unlocked",
    ]

    /// Functions only guests with a binary128 `long double` (aarch64, riscv64) can use: the
    /// binary128 compiler helpers, which x86-64 guests reach only through `__float128`.
    public static let binary128OnlyFunctions: Set<String> = Set(CompilerHelpersBinary128.functions.keys)

    /// Names of the data objects the library exports.
    public static let dataNames: Set<String> = ["stdin", "stdout", "stderr", "optind", "opterr", "optopt", "optarg",
                                                "environ", "__environ", "signgam", "__stack_chk_guard",
                                                "program_invocation_name", "program_invocation_short_name",
                                                "in6addr_any", "in6addr_loopback", "timezone", "daylight", "tzname"]

    /// The stack-protector canary (glibc's have a zero low byte, so string overruns stop at it).
    public static let stackGuard: UInt64 = 0x2f8d_3a1c_5b7e_9100

    /// Data objects the library exports, created on first use.
    public static func dataAddress(_ name: String, _ runtime: LibcRuntime) throws -> UInt64? {
        if let a = runtime.dataSymbols[name] { return a }
        switch name {
        case "optind", "opterr": return try runtime.defineData(name, size: 8, value: 1)
        case "optopt": return try runtime.defineData(name, size: 8, value: UInt64(UInt8(ascii: "?")))   // glibc's initial value
        case "optarg": return try runtime.defineData(name, size: 8, value: 0)
        case "environ", "__environ": return try LibcEnvironment.cell(runtime)
        case "signgam": return try runtime.defineData(name, size: 8)
        // The stack-protector canary aarch64/riscv64 code reads (x86-64 reads the TCB's, the same value).
        case "__stack_chk_guard": return try runtime.defineData(name, size: 8, value: stackGuard)
        case "program_invocation_name": return try runtime.defineData(name, size: 8, value: runtime.internedString(runtime.posix.programPath))
        case "program_invocation_short_name": return try runtime.defineData(name, size: 8, value: runtime.internedString(runtime.programName))
        // <time.h>'s zone globals: the host's, copied again after each call that runs tzset.
        case "timezone", "daylight", "tzname":
            let a = try runtime.defineData(name, size: name == "tzname" ? 16 : 8)
            try LibcTime.syncZone(runtime)
            return a
        case "in6addr_any": return try runtime.defineData(name, size: 16)
        case "in6addr_loopback":   // ::1
            let a = try runtime.defineData(name, size: 16)
            try runtime.memory.store(UInt8(1), at: a + 15)
            return a
        default: return nil
        }
    }
}

/// `exit`, `abort`, `atexit`, `errno`, environment, assertions.
enum LibcProcess {
    static let functions: [String: HostFunction] = [
        "exit": { _, f in throw GuestTermination.exit(try f.int32(0)) },
        "_Exit": { _, f in throw GuestTermination.immediateExit(try f.int32(0)) },
        "_exit": { _, f in throw GuestTermination.immediateExit(try f.int32(0)) },
        "quick_exit": { rt, f in
            let status = try f.int32(0)
            // at_quick_exit handlers, last registered first; then end without flushing (as _Exit).
            while let handler = rt.quickExitHandlers.popLast(), let call = rt.callGuest { _ = try call(handler, []) }
            throw GuestTermination.immediateExit(status)
        },
        "abort": { _, _ in throw GuestTermination.signal(SIGABRT, "aborted") },
        "atexit": { rt, f in rt.atexitHandlers.append(ExitHandler(function: try f.int(0))); f.returnInt32(0) },
        "at_quick_exit": { rt, f in rt.quickExitHandlers.append(try f.int(0)); f.returnInt32(0) },
        "__errno_location": { rt, f in f.returnInt(rt.errnoAddress) },
        "__assert_fail": { rt, f in
            let message = try rt.memory.string(f.int(0)), file = try rt.memory.string(f.int(1))
            let line = try f.int32(2), function = try rt.memory.string(f.int(3))
            fputs("\(rt.programName): \(file):\(line): \(function): Assertion `\(message)' failed.\n", crossrun_host_stdio(2))
            throw GuestTermination.signal(SIGABRT, "aborted")
        },
        "rand": { rt, f in f.returnInt32(rt.randState.next()) },
        "srand": { rt, f in rt.randState.reseed(UInt32(truncatingIfNeeded: try f.int(0))) },
        "getpid": { _, f in f.returnInt32(getpid()) },
        "getppid": { _, f in f.returnInt32(getppid()) },
        "time": { rt, f in
            let t = Int64(time(nil))
            let p = try f.int(0)
            if p != 0 { try rt.memory.store(t, at: p) }
            f.returnSigned(t)
        },
        "clock": { _, f in f.returnSigned(Int64(clock())) },
    ]
}
