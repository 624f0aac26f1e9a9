import CrossRunELF
import CrossRunSupport

/// The guest runtime (`runtime/*.c`): library functions that run as target code — those that
/// call back into the program (`qsort`, `qsort_r`, `bsearch`), the thread library (pthreads,
/// C11 threads, semaphores over the host's thread primitives), libatomic's entry points and
/// aarch64's outline-atomics helpers. Compiled for the target with the project's compile
/// policy and linked into the image as an archive when the program refers to one of them;
/// each source is one member, so only what a program uses is linked. As target code a
/// callback is a plain call; served by the host, each was a nested emulation. The same image
/// runs natively, so both backends execute the same code.
public enum GuestRuntime {
    /// `<search.h>` (runtime/search.c): hash tables, trees, linear search, queues.
    public static let searchFunctions: Set<String> = ["hcreate", "hdestroy", "hsearch", "hcreate_r", "hdestroy_r", "hsearch_r",
                                                      "tsearch", "tfind", "tdelete", "twalk", "tdestroy", "lfind", "lsearch",
                                                      "insque", "remque"]

    /// `<mntent.h>` (runtime/mntent.c): fstab/mtab tables over the program's own stdio.
    public static let mountTableFunctions: Set<String> = ["setmntent", "getmntent", "getmntent_r", "addmntent", "endmntent",
                                                          "hasmntopt"]

    /// Functions the runtime's sources define for programs to call (its private helpers
    /// are left out, but for the two `pthread_cleanup_push`/`pop` expand to).
    public static let functions: Set<String> = {
        var names: Set<String> = ["qsort", "qsort_r", "bsearch"]
        names.formUnion(directoryFunctions)
        names.insert("daemon")
        names.insert("forkpty")
        names.insert("fork")   // and pthread_atfork, among threadFunctions (runtime/fork.c)
        names.formUnion(searchFunctions)
        names.formUnion(["ftw", "nftw"])
        names.formUnion(mountTableFunctions)
        names.formUnion(threadFunctions)
        names.formUnion(atomicFunctions)
        names.formUnion(aarch64OutlineAtomics)
        names.insert("__riscv_flush_icache")
        names.insert("__cpu_indicator_init") // with the data symbols of cpuModelSymbols
        names.formUnion(["__init_cpu_features", "__init_cpu_features_resolver"]) // with aarch64CPUFeatureSymbols' data
        names.insert("__init_riscv_feature_bits") // with the data symbols of riscvFeatureSymbols
        return names
    }()

    /// The string functions `runtime/string.c` defines: linked only into emulated images
    /// (where each library call is a trap to the host), never into native ones, which bind
    /// the host's libc. Short inputs run as a guest loop, long ones go to the host.
    public static let stringFunctions: Set<String> = ["memcpy", "memmove", "memset", "memcmp", "bcmp", "memchr",
                                                      "strlen", "strcmp", "strchr"]

    /// `<complex.h>` (runtime/complex.c): linked only into emulated images, where each entry
    /// point splits its complex operands into parts for one host call (`__crossrun_NAME`), so
    /// every target's complex calling convention is clang's; native images bind the host libm's.
    public static let complexFunctions: Set<String> = {
        let names = ["cacos", "casin", "catan", "ccos", "csin", "ctan", "cacosh", "casinh", "catanh", "ccosh", "csinh",
                     "ctanh", "cexp", "clog", "clog10", "csqrt", "cabs", "carg", "cpow", "creal", "cimag", "conj", "cproj"]
        return Set(names.flatMap { [$0, $0 + "f", $0 + "l"] })
    }()

    /// `<dirent.h>`'s scanning functions (runtime/dirent.c): scandir's callbacks run as target code.
    public static let directoryFunctions: Set<String> = ["scandir", "scandirat", "alphasort", "versionsort", "readdir_r"]

    /// `<pthread.h>`, `<semaphore.h>` and `<threads.h>` (runtime/pthread*.c, semaphore.c, threads.c).
    public static let threadFunctions: Set<String> = Set("""
        pthread_attr_destroy pthread_attr_getdetachstate pthread_attr_getstacksize pthread_attr_init
        pthread_attr_setdetachstate pthread_attr_setstacksize pthread_cancel pthread_create pthread_detach
        pthread_equal pthread_exit pthread_getattr_np pthread_getname_np pthread_getspecific pthread_join
        pthread_key_create pthread_key_delete pthread_once pthread_self pthread_setcancelstate
        pthread_setcanceltype pthread_setname_np pthread_setspecific pthread_sigmask pthread_kill pthread_sigqueue pthread_testcancel
        pthread_attr_setguardsize pthread_attr_getguardsize pthread_attr_setscope pthread_attr_getscope
        pthread_attr_setinheritsched pthread_attr_getinheritsched pthread_attr_setschedpolicy
        pthread_attr_getschedpolicy pthread_attr_setschedparam pthread_attr_getschedparam
        pthread_getschedparam pthread_setschedparam pthread_setschedprio pthread_setaffinity_np
        pthread_getaffinity_np pthread_atfork
        pthread_mutexattr_setpshared pthread_mutexattr_getpshared pthread_condattr_setpshared
        pthread_condattr_getpshared pthread_barrierattr_init pthread_barrierattr_destroy
        pthread_barrierattr_setpshared pthread_barrierattr_getpshared pthread_rwlockattr_init
        pthread_rwlockattr_destroy pthread_rwlockattr_setpshared pthread_rwlockattr_getpshared
        pthread_tryjoin_np pthread_timedjoin_np pthread_clockjoin_np pthread_mutex_clocklock
        pthread_cond_clockwait pthread_rwlock_clockrdlock pthread_rwlock_clockwrlock sem_clockwait
        __crossrun_cleanup_push __crossrun_cleanup_pop
        pthread_cond_broadcast pthread_cond_destroy pthread_cond_init pthread_cond_signal
        pthread_cond_timedwait pthread_cond_wait pthread_condattr_destroy pthread_condattr_getclock
        pthread_condattr_init pthread_condattr_setclock pthread_mutex_destroy pthread_mutex_init
        pthread_mutex_lock pthread_mutex_timedlock pthread_mutex_trylock pthread_mutex_unlock
        pthread_mutexattr_destroy pthread_mutexattr_gettype pthread_mutexattr_init pthread_mutexattr_settype
        pthread_mutexattr_setrobust pthread_mutexattr_getrobust pthread_mutex_consistent
        pthread_mutexattr_setprotocol pthread_mutexattr_getprotocol pthread_mutexattr_setprioceiling
        pthread_mutexattr_getprioceiling
        pthread_barrier_destroy pthread_barrier_init pthread_barrier_wait pthread_rwlock_destroy
        pthread_rwlock_init pthread_rwlock_rdlock pthread_rwlock_timedrdlock pthread_rwlock_timedwrlock
        pthread_rwlock_tryrdlock pthread_rwlock_trywrlock pthread_rwlock_unlock pthread_rwlock_wrlock
        pthread_spin_destroy pthread_spin_init pthread_spin_lock pthread_spin_trylock pthread_spin_unlock
        sem_destroy sem_getvalue sem_init sem_post sem_timedwait sem_trywait sem_wait
        call_once cnd_broadcast cnd_destroy cnd_init cnd_signal cnd_timedwait cnd_wait mtx_destroy mtx_init
        mtx_lock mtx_timedlock mtx_trylock mtx_unlock thrd_create thrd_current thrd_detach thrd_equal
        thrd_exit thrd_join thrd_sleep thrd_yield tss_create tss_delete tss_get tss_set
        """.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x0a }).map { String(decoding: $0, as: UTF8.self) })

    /// libatomic's entry points (runtime/atomic.c): the generic forms and the sized ones.
    public static let atomicFunctions: Set<String> = {
        var names: Set<String> = ["__atomic_load", "__atomic_store", "__atomic_exchange", "__atomic_compare_exchange",
                                  "__atomic_is_lock_free"]
        for n in [1, 2, 4, 8, 16] {
            for op in ["load", "store", "exchange", "compare_exchange"] { names.insert("__atomic_\(op)_\(n)") }
            for op in ["add", "sub", "and", "or", "xor", "nand"] {
                names.insert("__atomic_fetch_\(op)_\(n)")
                names.insert("__atomic_\(op)_fetch_\(n)")
            }
        }
        return names
    }()

    /// x86-64's CPU model globals and their initialiser (runtime/cpu_model.c), which clang's
    /// `__builtin_cpu_supports`/`__builtin_cpu_is`/`__builtin_cpu_init` refer to (only the
    /// initialiser is a function, so only it is in ``functions``).
    public static let cpuModelSymbols: Set<String> = ["__cpu_model", "__cpu_features2", "__cpu_indicator_init"]

    /// aarch64's CPU feature word and its initialisers (runtime/aarch64_cpu_features.c), which
    /// clang's `__builtin_cpu_supports` and multiversioning resolvers refer to.
    public static let aarch64CPUFeatureSymbols: Set<String> = ["__aarch64_cpu_features", "__init_cpu_features",
                                                               "__init_cpu_features_resolver"]

    /// riscv64's feature bits, CPU model and initialiser (runtime/riscv_feature_bits.c), which
    /// clang's `__builtin_cpu_supports`/`__builtin_cpu_is`/`__builtin_cpu_init` refer to.
    public static let riscvFeatureSymbols: Set<String> = ["__riscv_feature_bits", "__riscv_vendor_feature_bits",
                                                          "__riscv_cpu_model", "__init_riscv_feature_bits"]

    /// aarch64's outline-atomics helpers (runtime/aarch64_atomics.c).
    public static let aarch64OutlineAtomics: Set<String> = {
        var names: Set<String> = []
        for order in ["relax", "acq", "rel", "acq_rel"] {
            for n in [1, 2, 4, 8] {
                for op in ["cas", "swp", "ldadd", "ldclr", "ldeor", "ldset"] { names.insert("__aarch64_\(op)\(n)_\(order)") }
            }
            names.insert("__aarch64_cas16_\(order)")
        }
        return names
    }()

    /// One part of the runtime: its sources, compiled and linked as a whole (the thread
    /// library's files call each other), and whether it defines a given function.
    struct Part {
        var sources: [String]
        /// Whether the part defines `name` for programs. A test of the name's shape first,
        /// then (when it fits) the part's set: a warm run asks about a program's few undefined
        /// names, and building every part's set (~400 names, many made by interpolation) to
        /// answer was a tenth of a warm native hello.c.
        var defines: (String) -> Bool
    }

    /// The runtime's parts, in link order. `strings`: also the short-input string functions
    /// (emulated images only); `complex`: also `<complex.h>` (emulated images only).
    static func parts(for target: Target, strings: Bool = false, complex: Bool = false) -> [Part] {
        var list: [Part] = strings ? [Part(sources: ["runtime/string.c"], defines: { stringFunctions.contains($0) })] : []
        if complex {
            list.append(Part(sources: ["runtime/complex.c"], defines: { $0.utf8.first == UInt8(ascii: "c") && complexFunctions.contains($0) }))
        }
        list += [
            Part(sources: ["runtime/sort.c"], defines: { $0 == "qsort" || $0 == "qsort_r" || $0 == "bsearch" }),
            Part(sources: ["runtime/dirent.c"], defines: { directoryFunctions.contains($0) }),
            Part(sources: ["runtime/daemon.c"], defines: { $0 == "daemon" }),
            Part(sources: ["runtime/fork.c"], defines: { $0 == "fork" || $0 == "pthread_atfork" }),
            Part(sources: ["runtime/pty.c"], defines: { $0 == "forkpty" }),
            Part(sources: ["runtime/search.c"], defines: { searchFunctions.contains($0) }),
            Part(sources: ["runtime/ftw.c"], defines: { $0 == "ftw" || $0 == "nftw" }),
            Part(sources: ["runtime/mntent.c"], defines: { mountTableFunctions.contains($0) }),
            Part(sources: ["runtime/pthread.c", "runtime/pthread_mutex.c", "runtime/pthread_rwlock.c", "runtime/pthread_sched.c", "runtime/semaphore.c",
                           "runtime/threads.c"], defines: { $0 != "pthread_atfork" && isThreadFunction($0) }),
            Part(sources: ["runtime/atomic.c"], defines: { $0.utf8.starts(with: "__atomic_".utf8) && atomicFunctions.contains($0) }),
        ]
        if target == .aarch64 {
            list.append(Part(sources: ["runtime/aarch64_atomics.c"],
                             defines: { $0.utf8.starts(with: "__aarch64_".utf8) && aarch64OutlineAtomics.contains($0) }))
        }
        if target == .aarch64 {
            list.append(Part(sources: ["runtime/aarch64_cpu_features.c"], defines: { aarch64CPUFeatureSymbols.contains($0) }))
        }
        if target == .rv64 {
            list.append(Part(sources: ["runtime/riscv_cache.c"], defines: { $0 == "__riscv_flush_icache" }))
            list.append(Part(sources: ["runtime/riscv_feature_bits.c"], defines: { riscvFeatureSymbols.contains($0) }))
        }
        if target == .x64 {
            list.append(Part(sources: ["runtime/cpu_model.c"], defines: { cpuModelSymbols.contains($0) }))
        }
        return list
    }

    /// Sources, relative to the CrossRun home (beside `include/`), for `target`: all of them,
    /// or (`objects` given) the parts defining a function the objects refer to.
    public static func sources(for target: Target, neededBy objects: [ObjectFile]? = nil, strings: Bool = false,
                               complex: Bool = false) -> [String] {
        let all = parts(for: target, strings: strings, complex: complex)
        guard let objects else { return all.flatMap(\.sources) }
        var wanted = Set<String>()
        for object in objects {
            for symbol in object.symbols where symbol.isUndefined { wanted.insert(symbol.name) }
        }
        return all.filter { part in wanted.contains(where: part.defines) }.flatMap(\.sources)
    }

    /// Whether `name` is one of ``threadFunctions`` (looked up only for the thread library's prefixes).
    static func isThreadFunction(_ name: String) -> Bool {
        let bytes = name.utf8
        for prefix in threadPrefixes where bytes.starts(with: prefix.utf8) { return threadFunctions.contains(name) }
        return false
    }

    /// Optimised, and with no library-call idioms: its copy loops must not become `memcpy`
    /// calls (each a trap to the host when emulated). Frame pointers keep emulated
    /// backtraces through the thread library walkable. (The policy's `-mno-outline-atomics`
    /// makes aarch64's helpers inline sequences rather than calls to themselves.)
    /// Leaf functions keep frame records too, so a fault inside a runtime string function
    /// finds the program's call (`GuestProcess.attributeRuntimeStringFault`).
    public static let flags = ["-O2", "-fno-builtin", "-fno-omit-frame-pointer", "-mno-omit-leaf-frame-pointer", "-w"]

    /// Whether any object refers to a runtime function without defining it.
    public static func isNeeded(by objects: [ObjectFile], strings: Bool = false, complex: Bool = false) -> Bool {
        objects.contains { object in
            object.symbols.contains {
                $0.isUndefined && (defines($0.name) || strings && stringFunctions.contains($0.name)
                                   || complex && $0.name.utf8.first == UInt8(ascii: "c") && complexFunctions.contains($0.name))
            }
        }
    }

    /// Whether `name` is in ``functions``, building only the small sets the name's prefix
    /// points to: the whole set (~400 names, many made by interpolation) cost ~0.2 ms of every
    /// warm run, which usually asks about a few `printf`s.
    static func defines(_ name: String) -> Bool {
        let bytes = name.utf8
        if bytes.starts(with: "__atomic_".utf8) { return atomicFunctions.contains(name) }
        if bytes.starts(with: "__aarch64_".utf8) {
            return aarch64OutlineAtomics.contains(name) || aarch64CPUFeatureSymbols.contains(name)
        }
        for prefix in threadPrefixes where bytes.starts(with: prefix.utf8) { return threadFunctions.contains(name) }
        return plainFunctions.contains(name)
    }

    /// Every name of ``threadFunctions`` starts with one of these (`GuestRuntimeTests`).
    static let threadPrefixes = ["pthread_", "sem_", "cnd_", "mtx_", "thrd_", "tss_", "call_once", "__crossrun_cleanup_"]

    /// ``functions`` but for the thread library and the atomics.
    static let plainFunctions: Set<String> = {
        var names: Set<String> = ["qsort", "qsort_r", "bsearch", "daemon", "forkpty", "fork", "ftw", "nftw", "__riscv_flush_icache"]
        names.formUnion(cpuModelSymbols)
        names.formUnion(aarch64CPUFeatureSymbols)
        names.formUnion(riscvFeatureSymbols)
        names.formUnion(directoryFunctions)
        names.formUnion(searchFunctions)
        names.formUnion(mountTableFunctions)
        return names
    }()

    /// The runtime compiled for `target` (through `compiler`'s cache), as an archive to search
    /// after the program's own: the parts `objects` need (a program calling only `qsort`
    /// compiles only the sort), or all of it (`nil`: other archives' members may need any).
    public static func archive(for target: Target, compiler: Compiler, scratch: @autoclosure () throws -> String,
                               neededBy objects: [ObjectFile]? = nil, strings: Bool = false, complex: Bool = false) throws -> Archive {
        var options = CompileOptions()
        options.clangFlags = flags
        var members: [Archive.Member] = []
        for (i, source) in sources(for: target, neededBy: objects, strings: strings, complex: complex).enumerated() {
            let path = compiler.toolchain.home + "/" + source
            guard FileIO.exists(path) else {
                throw DriverError.badInput(file: path, message: "the guest runtime's source is missing (is CROSSRUN_HOME right?)")
            }
            let object = try compiler.compile(path, displayName: source, target: target, options: options,
                                              scratch: scratch(), index: 1000 + i)
            members.append(Archive.Member(name: source, bytes: object.bytes))
        }
        return Archive(name: "<crossrun runtime>", members: members)
    }
}
