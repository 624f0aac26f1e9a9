import CrossRunRuntime
import CNativeSupport
import CrossRunLink
#if canImport(Glibc)
import Glibc
#endif

/// Runs a loaded image as this process: constructors, the entry, `exit` with its status.
public enum NativeRunner {
    /// How to start the program.
    public struct Options: Sendable {
        /// Symbol called as `int entry(int argc, char **argv, char **envp)`.
        public var entry: String = "main"
        /// `argv[0]` and the rest of the arguments.
        public var arguments: [String]
        /// The arguments as bytes, used instead of ``arguments`` when set (arguments that are
        /// not UTF-8 reach the program unchanged).
        public var argumentBytes: [[UInt8]]?
        /// Name used in crash reports.
        public var programName: String
        /// Seconds before the run is stopped with exit status 124 (0: no limit).
        public var timeout: UInt32 = 0
        /// Absolute path the outcome record is written to (`nil`: none).
        public var outcomePath: String?

        public init(entry: String = "main", arguments: [String], programName: String, timeout: UInt32 = 0) {
            self.entry = entry
            self.arguments = arguments
            self.programName = programName
            self.timeout = timeout
        }
    }

    /// Installs the crash reporter (one line: signal, symbolized PC with `file:line` for a -g
    /// build, fault address; exit 128+N). Its tables live for the rest of the process.
    public static func installCrashReporter(_ loaded: NativeImage, programName: String) {
        let functions = loaded.image.symbols.filter { $0.kind == .function || $0.kind == .other }.sorted { $0.offset < $1.offset }
        let table = UnsafeMutablePointer<crossrun_symbol>.allocate(capacity: max(functions.count, 1))
        for (i, s) in functions.enumerated() {
            table[i] = crossrun_symbol(start: UInt(bitPattern: loaded.base.advanced(by: s.offset)), size: UInt(s.size), name: strdup(s.name))
        }
        crossrun_native_install_crash_handlers(strdup(programName), UInt(bitPattern: loaded.base),
                                               loaded.image.size, table, functions.count)
        // `at prog.c:12` for a -g build: the line table at the load address, file names interned.
        let lines = LineTable(loaded.image)
        guard !lines.rows.isEmpty else { return }
        let names = lines.files.map { UnsafePointer(strdup($0)) }
        let inImage = lines.rows.filter { $0.offset <= UInt64(loaded.image.size) }   // sorted stays sorted
        let rows = UnsafeMutablePointer<crossrun_line>.allocate(capacity: max(inImage.count, 1))
        for (i, r) in inImage.enumerated() {
            let start = UInt(bitPattern: loaded.base) &+ UInt(truncatingIfNeeded: r.offset)
            let file = r.file >= 0 && Int(r.file) < names.count ? names[Int(r.file)] : nil
            rows[i] = crossrun_line(start: start, file: file, line: r.line)
        }
        crossrun_native_set_line_table(rows, inImage.count)
    }

    /// The table `dlsym` searches: the image's global symbols, then its imports, then (for an
    /// image that imports `dlsym`) the rest of the runtime's import table, so code a program
    /// generates at run time finds any library function (TinyCC's `-run` resolves `strcat`,
    /// `sin`, `stdin` this way). It lives for the rest of the process.
    static func installDynamicSymbols(_ loaded: NativeImage) {
        var entries: [crossrun_dynamic_symbol] = []
        for s in loaded.image.symbols where s.isGlobal && s.kind != .tls {
            entries.append(crossrun_dynamic_symbol(name: strdup(s.name), address: loaded.base.advanced(by: s.offset), library: 0))
        }
        for (imp, address) in zip(loaded.image.imports, loaded.importAddresses) {
            entries.append(crossrun_dynamic_symbol(name: strdup(imp.name), address: UnsafeMutableRawPointer(bitPattern: UInt(address)), library: 1))
        }
        let imported = Set(loaded.image.imports.map(\.name))
        if imported.contains("dlsym") {
            for name in RuntimeSymbols.all.keys.sorted() where !imported.contains(name) {
                guard let address = HostSymbols.address(of: name) else { continue }
                entries.append(crossrun_dynamic_symbol(name: strdup(name), address: UnsafeMutableRawPointer(bitPattern: UInt(address)), library: 1))
            }
        }
        let table = UnsafeMutablePointer<crossrun_dynamic_symbol>.allocate(capacity: max(entries.count, 1))
        table.initialize(from: entries, count: entries.count)
        crossrun_native_set_dynamic_symbols(table, entries.count)
    }

    /// Transfers control to the program; the process exits with the program's status
    /// (128+N if it dies of signal N, 124 on timeout). Does not return.
    public static func run(_ loaded: NativeImage, options: Options) throws -> Never {
        guard let entry = loaded.address(of: options.entry),
              loaded.image.symbol(named: options.entry)?.kind != .object else {
            throw NativeError.noEntry(options.entry)
        }
        if let path = options.outcomePath { crossrun_outcome_set_path(path) }
        installCrashReporter(loaded, programName: options.programName)
        installDynamicSymbols(loaded)
        NativeDebugging.register(loaded)   // under gdb: the image's symbols and lines (JIT interface)
        crossrun_native_set_program_name(options.programName)
        crossrun_native_set_timeout(options.timeout)
        loaded.resolveIndirectFunctions()   // IRELATIVE: before the initializers, as ld.so does

        let inits = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(loaded.image.initializers.count, 1))
        for (i, slot) in loaded.image.initializers.enumerated() { inits[i] = loaded.pointer(inSlot: slot) }
        let finis = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(loaded.image.finalizers.count, 1))
        for (i, slot) in loaded.image.finalizers.enumerated() { finis[i] = loaded.pointer(inSlot: slot) }

        let bytes = options.argumentBytes ?? options.arguments.map { Array($0.utf8) }
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: bytes.count + 1)
        for (i, a) in bytes.enumerated() {
            let copy = UnsafeMutableRawPointer.allocate(byteCount: a.count + 1, alignment: 1)
            UnsafeMutableRawBufferPointer(start: copy, count: a.count + 1).copyBytes(from: a + [0])
            argv[i] = copy.assumingMemoryBound(to: CChar.self)
        }
        argv[bytes.count] = nil
        fflush(nil)
        crossrun_native_run(inits, loaded.image.initializers.count, finis, loaded.image.finalizers.count,
                            entry, Int32(bytes.count), argv, environ)
    }
}
