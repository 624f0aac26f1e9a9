import CNativeSupport
import CrossRunELF
import CrossRunLibc
import CrossRunLink
import CrossRunRuntime
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A ``LinkImage`` placed in this process's memory with its imports bound to the host's
/// libc/libm: ready to call.
public final class NativeImage {
    /// The image that was loaded.
    public let image: LinkImage
    /// Where it was placed.
    public let base: UnsafeMutableRawPointer
    /// The loading thread's TLS block, the one the image's `__tls_get_addr` hands out in it
    /// (nil when the image has no TLS). The loader makes it the calling thread's block.
    public let tlsBlock: UnsafeMutableRawPointer?
    /// Where each of `image.imports` was bound.
    public let importAddresses: [UInt64]

    /// The architecture native code runs on here.
    public static var hostMachine: Machine {
        #if arch(x86_64)
        return .x86_64
        #elseif arch(arm64)
        return .aarch64
        #else
        return .riscv64
        #endif
    }

    /// Maps `image`, applies its fixups, binds imports with `dlsym`, protects each segment
    /// (never writable and executable at once) and sets up TLS.
    /// `overrides` bind imports to given addresses instead of the host libraries' (fuzzing's
    /// coverage callbacks and comparison-recording wrappers).
    public init(_ image: LinkImage, overrides: [String: UInt64] = [:]) throws {
        guard image.machine == Self.hostMachine else {
            throw NativeError.wrongMachine(image: image.machine.description, host: Self.hostMachine.description)
        }
        let addresses = try HostSymbols.resolve(image.imports, overrides: overrides)
        guard let mem = mmap(nil, image.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mem != MAP_FAILED else {
            throw NativeError.memory("mmap of \(image.size) bytes failed (errno \(errno))")
        }
        image.bytes.withUnsafeBytes { mem.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }

        var tls: UnsafeMutableRawPointer?
        if let t = image.tls {
            var p: UnsafeMutableRawPointer?
            guard posix_memalign(&p, max(t.alignment, 16), t.size) == 0, let block = p else {
                munmap(mem, image.size)
                throw NativeError.memory("cannot allocate the \(t.size)-byte TLS block")
            }
            memset(block, 0, t.size)
            tls = block
        }

        image.applyFixups(base: UInt64(UInt(bitPattern: mem)), importAddresses: addresses,
                          tlsBlockOffset: UInt64(bitPattern: crossrun_native_tls_offset())) { mem.advanced(by: $0) }
        if let t = image.tls, let block = tls, t.initializedSize > 0 {
            block.copyMemory(from: mem.advanced(by: t.imageOffset), byteCount: t.initializedSize)
        }
        // The image's resolver reads the TLS block from a host thread-local at a fixed offset
        // from the thread pointer: this thread's is this block.
        crossrun_native_set_tls_block(tls)
        if let t = image.tls {
            // Threads the program starts get a fresh copy of the (relocated) template.
            crossrun_native_set_tls_template(mem.advanced(by: t.imageOffset), t.initializedSize, t.size, t.alignment)
        } else {
            crossrun_native_set_tls_template(nil, 0, 0, 0)
        }
        for segment in image.segments {
            let prot: Int32
            switch segment.permissions {
            case .readExecute: prot = PROT_READ | PROT_EXEC
            case .read: prot = PROT_READ
            case .readWrite: prot = PROT_READ | PROT_WRITE
            }
            guard mprotect(mem.advanced(by: segment.offset), segment.memorySize, prot) == 0 else {
                munmap(mem, image.size)
                throw NativeError.memory("mprotect of segment \(segment.name) failed (errno \(errno))")
            }
            if segment.permissions == .readExecute {
                crossrun_native_clear_cache(mem.advanced(by: segment.offset), mem.advanced(by: segment.offset + segment.memorySize))
            }
        }
        self.image = image
        self.base = mem
        self.tlsBlock = tls
        self.importAddresses = addresses
    }

    /// Fills the image's GNU indirect function slots (``LinkImage/indirectSlots``) by calling
    /// each resolver in this process, before the initializers (a resolver that crashes is the
    /// program's crash, reported as such). A slot in a read-only segment is made writable
    /// for the store and protected again.
    public func resolveIndirectFunctions() {
        let base = self.base, image = self.image
        _ = image.resolveIndirectFunctions(base: UInt64(UInt(bitPattern: base))) { address in
            guard let resolver = UnsafeMutableRawPointer(bitPattern: UInt(address)) else { return nil }
            return crossrun_native_call_resolver(resolver)
        } store: { offset, value in
            let page = offset & ~(image.pageSize - 1)
            let span = offset + 8 > page + image.pageSize ? 2 * image.pageSize : image.pageSize
            let permissions = image.segments.first { $0.offset <= offset && offset < $0.offset + $0.memorySize }?.permissions
            let restore: Int32? = switch permissions {
            case .readWrite?: nil
            case .read?: PROT_READ
            case .readExecute?: PROT_READ | PROT_EXEC
            case nil: nil
            }
            if restore != nil { mprotect(base.advanced(by: page), span, PROT_READ | PROT_WRITE) }
            base.advanced(by: offset).storeBytes(of: value, as: UInt64.self)
            if let prot = restore { mprotect(base.advanced(by: page), span, prot) }
        }
    }

    /// The absolute address of a symbol the image defines.
    public func address(of name: String) -> UnsafeMutableRawPointer? {
        guard let s = image.symbol(named: name) else { return nil }
        return base.advanced(by: s.offset)
    }

    /// The function pointer stored in the 8-byte slot at image offset `slot`.
    func pointer(inSlot slot: Int) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(base.advanced(by: slot).load(as: UInt64.self)))
    }
}

/// Addresses of runtime symbols in the host's own libraries.
public enum HostSymbols {
    /// The host libraries opened so far (their `dlopen` handles' addresses), shared by threads.
    private static let handles = Mutex<[HostLibrary: UInt]>([:])

    /// Runtime symbols the native loader implements itself (not exported by the host's
    /// shared libraries).
    public static let loaderProvided: [String: UInt64] = {
        let atexit: @convention(c) ((@convention(c) () -> Void)?) -> Int32 = crossrun_native_atexit
        let quick: @convention(c) ((@convention(c) () -> Void)?) -> Int32 = crossrun_native_at_quick_exit
        // <dlfcn.h>: the program's own symbols and imports, as under the emulator.
        let dlopen: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutableRawPointer? = crossrun_native_dlopen
        let dlsym: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> UnsafeMutableRawPointer? = crossrun_native_dlsym
        let dlclose: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = crossrun_native_dlclose
        let dlerror: @convention(c) () -> UnsafeMutablePointer<CChar>? = crossrun_native_dlerror
        let dladdr: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32 = crossrun_native_dladdr
        // <execinfo.h>: glibc's unwinds with tables the image does not have.
        let backtrace: @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?, Int32) -> Int32 = crossrun_native_execinfo_backtrace
        let symbols: @convention(c) (UnsafePointer<UnsafeMutableRawPointer?>?, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = crossrun_native_execinfo_symbols
        let symbolsFD: @convention(c) (UnsafePointer<UnsafeMutableRawPointer?>?, Int32, Int32) -> Void = crossrun_native_execinfo_symbols_fd
        func address<T>(_ f: T) -> UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(f, to: UnsafeRawPointer.self))) }
        var table = ["atexit": address(atexit), "at_quick_exit": address(quick),
                "backtrace": address(backtrace), "backtrace_symbols": address(symbols), "backtrace_symbols_fd": address(symbolsFD),
                "dlopen": address(dlopen), "dlsym": address(dlsym), "dlclose": address(dlclose), "dlerror": address(dlerror),
                "dladdr": address(dladdr),
                "__stack_chk_guard": UInt64(UInt(bitPattern: crossrun_native_stack_chk_guard_address()))]
        // The exec family and posix_spawn(p): an exec of the program itself is a CrossRun run (self_exec.c).
        for (name, f) in selfExecFunctions { table[name] = f }
        // The guest thread library's primitives: real host threads and futexes.
        for name in RuntimeSymbols.threadPrimitives {
            if let f = crossrun_native_thread_primitive(name) { table[name] = UInt64(UInt(bitPattern: f)) }
        }
        // The host routines' private names (runtime/string.c's long-input path, linked into
        // emulated images only): natively simply the host's own.
        let libc = Glibc.dlopen("libc.so.6", RTLD_NOW)   // (the locals above shadow dlopen/dlsym)
        for name in RuntimeSymbols.hostStringFunctions {
            if let f = Glibc.dlsym(libc, name) { table["__crossrun_host_" + name] = UInt64(UInt(bitPattern: f)) }
        }
        // runtime/complex.c's host calls (emulated images link it; native builds call libm).
        table.merge(HostLibc.nativeComplexFunctions) { own, _ in own }
        return table
    }()

    /// `crossrun_native_<name>` for the exec family and posix_spawn(p) (self_exec.c).
    static var selfExecFunctions: [(String, UInt64)] {
        func address<T>(_ f: T) -> UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(f, to: UnsafeRawPointer.self))) }
        typealias Vector = UnsafePointer<UnsafeMutablePointer<CChar>?>?
        typealias Spawn = @convention(c) (UnsafeMutablePointer<pid_t>?, UnsafePointer<CChar>?, UnsafePointer<posix_spawn_file_actions_t>?,
                                          UnsafePointer<posix_spawnattr_t>?, Vector, Vector) -> Int32
        let execve: @convention(c) (UnsafePointer<CChar>?, Vector, Vector) -> Int32 = crossrun_native_execve
        let execv: @convention(c) (UnsafePointer<CChar>?, Vector) -> Int32 = crossrun_native_execv
        let execvp: @convention(c) (UnsafePointer<CChar>?, Vector) -> Int32 = crossrun_native_execvp
        let execvpe: @convention(c) (UnsafePointer<CChar>?, Vector, Vector) -> Int32 = crossrun_native_execvpe
        let spawn: Spawn = crossrun_native_posix_spawn, spawnp: Spawn = crossrun_native_posix_spawnp
        return [("execve", address(execve)), ("execv", address(execv)), ("execvp", address(execvp)), ("execvpe", address(execvpe)),
                ("execl", UInt64(UInt(bitPattern: crossrun_native_exec_list(0)))), ("execle", UInt64(UInt(bitPattern: crossrun_native_exec_list(1)))),
                ("execlp", UInt64(UInt(bitPattern: crossrun_native_exec_list(2)))),
                ("posix_spawn", address(spawn)), ("posix_spawnp", address(spawnp))]
    }

    /// The loader's own address for `name` (``loaderProvided``), without building that table
    /// for names it cannot hold: besides the few fixed ones, every entry is `__crossrun_…`
    /// (thread primitives, host string routines, complex host calls). A run importing only
    /// ordinary library functions never builds it (~0.1 ms of a warm native hello.c).
    public static func loaderAddress(_ name: String) -> UInt64? {
        switch name {
        case "atexit", "at_quick_exit", "backtrace", "backtrace_symbols", "backtrace_symbols_fd",
             "dlopen", "dlsym", "dlclose", "dlerror", "dladdr", "__stack_chk_guard",
             "execve", "execv", "execvp", "execvpe", "execl", "execle", "execlp", "posix_spawn", "posix_spawnp":
            return loaderProvided[name]
        default:
            return name.utf8.starts(with: "__crossrun_".utf8) ? loaderProvided[name] : nil
        }
    }

    /// Resolves every import or throws listing those the host lacks.
    static func resolve(_ imports: [LinkImage.Import], overrides: [String: UInt64] = [:]) throws -> [UInt64] {
        var missing: [String] = []
        let addresses = try imports.map { imp -> UInt64 in
            if let given = overrides[imp.name] { return given }
            if let own = loaderAddress(imp.name) { return own }
            let library = RuntimeSymbols.lookup(imp.name)?.library ?? .libc
            guard let p = dlsym(try handle(library), imp.name) ?? dlsym(UnsafeMutableRawPointer(bitPattern: 0), imp.name) else {
                missing.append(imp.name)
                return 0
            }
            return UInt64(UInt(bitPattern: p))
        }
        if !missing.isEmpty { throw NativeError.unresolvedImports(missing) }
        return addresses
    }

    /// The host address of runtime-table symbol `name` (as an import of it would be bound), or nil.
    static func address(of name: String) -> UInt64? {
        if let own = loaderAddress(name) { return own }
        guard let symbol = RuntimeSymbols.lookup(name), let h = try? handle(symbol.library),
              let p = dlsym(h, name) else { return nil }
        return UInt64(UInt(bitPattern: p))
    }

    private static func handle(_ library: HostLibrary) throws -> UnsafeMutableRawPointer {
        try handles.withLock { opened in
            if let known = opened[library], let h = UnsafeMutableRawPointer(bitPattern: known) { return h }
            guard let h = dlopen(library.rawValue, RTLD_NOW | RTLD_GLOBAL) else {
                throw NativeError.library("cannot open \(library.rawValue): \(String(cString: dlerror()))")
            }
            opened[library] = UInt(bitPattern: h)
            return h
        }
    }
}
