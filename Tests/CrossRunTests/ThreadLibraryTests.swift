import CrossRunDriver
import CrossRunELF
import CrossRunSupport
import XCTest

/// The guest thread library's contracts that fixtures cannot show: `include/`'s thread types
/// have glibc's sizes and alignments on each target (x86-64's checked against the host's
/// glibc too, which native runs bind) and its constants glibc's values; the runtime's list of
/// functions (what makes the driver link it) is what its sources define; programs without
/// threads or atomics do not pull it in; aarch64 objects built with `-moutline-atomics` run.
///
/// The thread types of `include/` have glibc's sizes and alignments and its constants on each
/// target (static asserts; x86-64's also against the host's glibc; a wrong size fails to compile);
/// `GuestRuntime.functions` is exactly what `runtime/` defines per target; programs without threads
/// or wide atomics do not pull the runtime in, 16-byte atomics on x86-64/riscv64 and
/// `-moutline-atomics` objects on aarch64 do; `atomic_widths` built with `-moutline-atomics`
/// reaches all 100 `__aarch64_*` helpers and runs on aarch64; natively a NULL write and a stack
/// overflow in a non-main thread are reported (139, symbolized).
final class ThreadLibraryTests: XCTestCase {
    /// (type, size, alignment) per target: glibc 2.36's `bits/pthreadtypes-arch.h`.
    static func layouts(_ target: Target) -> [(String, Int, Int)] {
        let aarch64 = target == .aarch64
        return [
            ("pthread_t", 8, 8), ("pthread_key_t", 4, 4), ("pthread_once_t", 4, 4), ("pthread_spinlock_t", 4, 4),
            ("pthread_attr_t", aarch64 ? 64 : 56, 8), ("pthread_mutex_t", aarch64 ? 48 : 40, 8),
            ("pthread_mutexattr_t", aarch64 ? 8 : 4, 4), ("pthread_cond_t", 48, 8),
            ("pthread_condattr_t", aarch64 ? 8 : 4, 4), ("pthread_rwlock_t", 56, 8), ("pthread_rwlockattr_t", 8, 8),
            ("pthread_barrier_t", 32, 8), ("pthread_barrierattr_t", aarch64 ? 8 : 4, 4), ("sem_t", 32, 8),
            ("thrd_t", 8, 8), ("tss_t", 4, 4), ("once_flag", 4, 4), ("mtx_t", aarch64 ? 48 : 40, 8), ("cnd_t", 48, 8),
            ("cpu_set_t", 128, 8), ("struct sched_param", 4, 4),
        ]
    }

    /// Constants with glibc's values (x86-64 host numbers; PTHREAD_STACK_MIN differs on aarch64).
    static func constants(_ target: Target) -> [(String, Int)] {
        [("PTHREAD_CREATE_JOINABLE", 0), ("PTHREAD_CREATE_DETACHED", 1), ("PTHREAD_MUTEX_NORMAL", 0),
         ("PTHREAD_MUTEX_RECURSIVE", 1), ("PTHREAD_MUTEX_ERRORCHECK", 2), ("PTHREAD_MUTEX_DEFAULT", 0),
         ("PTHREAD_MUTEX_ADAPTIVE_NP", 3), ("PTHREAD_PROCESS_PRIVATE", 0), ("PTHREAD_PROCESS_SHARED", 1),
         ("PTHREAD_INHERIT_SCHED", 0), ("PTHREAD_EXPLICIT_SCHED", 1), ("PTHREAD_SCOPE_SYSTEM", 0),
         ("PTHREAD_SCOPE_PROCESS", 1), ("PTHREAD_CANCEL_ENABLE", 0), ("PTHREAD_CANCEL_DISABLE", 1),
         ("PTHREAD_CANCEL_DEFERRED", 0), ("PTHREAD_CANCEL_ASYNCHRONOUS", 1), ("(long)PTHREAD_CANCELED", -1),
         ("PTHREAD_BARRIER_SERIAL_THREAD", -1), ("PTHREAD_ONCE_INIT", 0), ("PTHREAD_KEYS_MAX", 1024),
         ("PTHREAD_DESTRUCTOR_ITERATIONS", 4), ("PTHREAD_STACK_MIN", target == .aarch64 ? 131072 : 16384),
         ("SEM_VALUE_MAX", 2147483647), ("SCHED_OTHER", 0), ("SCHED_FIFO", 1), ("SCHED_RR", 2),
         ("thrd_success", 0), ("thrd_busy", 1), ("thrd_error", 2), ("thrd_nomem", 3), ("thrd_timedout", 4),
         ("mtx_plain", 0), ("mtx_recursive", 1), ("mtx_timed", 2), ("TSS_DTOR_ITERATIONS", 4), ("CPU_SETSIZE", 1024)]
    }

    /// `host`: glibc's own headers, where `_GNU_SOURCE` makes PTHREAD_STACK_MIN a `sysconf`
    /// call (not a constant).
    static func assertions(_ target: Target, host: Bool = false) -> String {
        var lines = ["#define _GNU_SOURCE", "#include <limits.h>", "#include <pthread.h>", "#include <sched.h>",
                     "#include <semaphore.h>", "#include <threads.h>"]
        for (type, size, alignment) in layouts(target) {
            lines.append("_Static_assert(sizeof(\(type)) == \(size), \"sizeof(\(type))\");")
            lines.append("_Static_assert(_Alignof(\(type)) == \(alignment), \"_Alignof(\(type))\");")
        }
        for (name, value) in constants(target) where !(host && name == "PTHREAD_STACK_MIN") {
            lines.append("_Static_assert(\(name) == \(value), \"\(name)\");")
        }
        // Zero-filled objects are the statically initialised ones.
        lines.append("static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER; static pthread_cond_t c = PTHREAD_COND_INITIALIZER;")
        lines.append("static pthread_rwlock_t r = PTHREAD_RWLOCK_INITIALIZER; static pthread_once_t o = PTHREAD_ONCE_INIT;")
        lines.append("static pthread_mutex_t rm = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP, em = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;")
        return lines.joined(separator: "\n") + "\n"
    }

    func syntaxCheck(_ source: String, _ args: [String]) throws -> (Int32, String) {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(source.utf8), to: dir + "/t.c")
        var options = Subprocess.Options()
        options.captureOutput = true
        options.captureError = true
        let r = try Subprocess.run(TestSupport.toolchain.clang, args + ["-fsyntax-only", "-fno-color-diagnostics", dir + "/t.c"],
                                   options: options)
        return (r.status, String(decoding: r.output + r.error, as: UTF8.self))
    }

    func testThreadTypesAndConstantsAreGlibcsOnEveryTarget() throws {
        for target in [Target.x64, .aarch64, .rv64] {
            let (status, output) = try syntaxCheck(Self.assertions(target),
                                                   ["--target=\(target.triple)", "-nostdlibinc", "-isystem", TestSupport.toolchain.includeDirectory])
            XCTAssertEqual(status, 0, "\(target): include/ disagrees with glibc:\n\(output)")
        }
    }

    func testTheTableIsTheHostGlibcs() throws {
        let (status, output) = try syntaxCheck(Self.assertions(.x64, host: true), ["--target=x86_64-linux-gnu"])
        XCTAssertEqual(status, 0, "the host's glibc disagrees with the table:\n\(output)")
    }

    func testAWrongSizeIsCaught() throws {
        let source = Self.assertions(.aarch64)   // aarch64's sizes against x86-64's headers
        let (status, output) = try syntaxCheck(source, ["--target=x86_64-linux-gnu", "-nostdlibinc", "-isystem",
                                                        TestSupport.toolchain.includeDirectory])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("sizeof(pthread_mutex_t)"), output)
    }

    /// `GuestRuntime.functions` decides when the runtime is linked: it must name exactly the
    /// global functions its sources define for programs (the library's private helpers aside).
    func testRuntimeFunctionListMatchesItsSources() throws {
        for target in [Target.x64, .aarch64, .rv64] {
            var defined = Set<String>()
            for source in GuestRuntime.sources(for: target) {
                let text = try FileIO.read(TestSupport.toolchain.home + "/" + source)
                let object = try TestSupport.compile(String(decoding: text, as: UTF8.self), target: target,
                                                     name: String(source.split(separator: "/").last ?? "x.c"),
                                                     flags: GuestRuntime.flags + ["-I", TestSupport.toolchain.home + "/runtime"])
                for s in object.symbols where !s.isUndefined && s.binding == .global && s.type == .function {
                    defined.insert(s.name)
                }
            }
            let isPrivate = { (n: String) in n.hasPrefix("__crossrun_") && !n.hasPrefix("__crossrun_cleanup_") }
            var expected = target == .aarch64 ? GuestRuntime.functions
                                              : GuestRuntime.functions.subtracting(GuestRuntime.aarch64OutlineAtomics)
            if target != .rv64 { expected.remove("__riscv_flush_icache") }
            if target != .x64 { expected.remove("__cpu_indicator_init") }
            if target != .aarch64 { expected.subtract(["__init_cpu_features", "__init_cpu_features_resolver"]) }
            if target != .rv64 { expected.remove("__init_riscv_feature_bits") }
            XCTAssertEqual(defined.filter { !isPrivate($0) }.sorted(), expected.sorted(), "\(target)")
        }
    }

    func testOnlyProgramsThatUseItPullInTheRuntime() throws {
        let plain = try TestSupport.compile("#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }")
        XCTAssertFalse(GuestRuntime.isNeeded(by: [plain]))
        let sorting = try TestSupport.compile("#include <stdlib.h>\nint main(void) { qsort(0, 0, 1, 0); return 0; }")
        XCTAssertEqual(GuestRuntime.sources(for: .x64, neededBy: [sorting]), ["runtime/sort.c"], "only the sort, as before")
        let threads = try TestSupport.compile("#include <pthread.h>\nstatic void *f(void *a) { return a; }\n"
                                              + "int main(void) { pthread_t t; return pthread_create(&t, 0, f, 0); }")
        XCTAssertTrue(GuestRuntime.isNeeded(by: [threads]))
        XCTAssertEqual(GuestRuntime.sources(for: .rv64, neededBy: [threads]).count, 6, "the thread library, whole")
        let wide = "#include <stdatomic.h>\n_Atomic unsigned __int128 x;\nint main(void) { return (int)atomic_fetch_add(&x, 1); }"
        XCTAssertTrue(GuestRuntime.isNeeded(by: [try TestSupport.compile(wide, flags: ["-w"])]), "x86-64: libatomic calls")
        XCTAssertTrue(GuestRuntime.isNeeded(by: [try TestSupport.compile(wide, target: .rv64, flags: ["-w"])]), "riscv64: libatomic calls")
        let narrow = "#include <stdatomic.h>\n_Atomic int x;\nint main(void) { return atomic_fetch_add(&x, 1); }"
        for target in [Target.x64, .aarch64, .rv64] {
            XCTAssertFalse(GuestRuntime.isNeeded(by: [try TestSupport.compile(narrow, target: target)]), "\(target): inline")
        }
        let outline = try TestSupport.compile(narrow, target: .aarch64, flags: ["-moutline-atomics"])
        XCTAssertTrue(outline.symbols.contains { $0.isUndefined && $0.name == "__aarch64_ldadd4_acq_rel" })
        XCTAssertTrue(GuestRuntime.isNeeded(by: [outline]))
        XCTAssertEqual(GuestRuntime.sources(for: .aarch64, neededBy: [outline]), ["runtime/aarch64_atomics.c"])
    }

    /// `__builtin_cpu_supports` on aarch64 and riscv64 refers to the feature words of
    /// compiler-rt's names: they pull in only their target's file of the runtime.
    func testCPUFeatureBuiltinsPullInTheirTargetsPart() throws {
        let cases: [(Target, String, String, String)] = [
            (.aarch64, "lse", "__aarch64_cpu_features", "runtime/aarch64_cpu_features.c"),
            (.rv64, "zba", "__riscv_feature_bits", "runtime/riscv_feature_bits.c"),
            (.x64, "popcnt", "__cpu_model", "runtime/cpu_model.c"),
        ]
        for (target, feature, symbol, part) in cases {
            let text = "int main(void) { return __builtin_cpu_supports(\"\(feature)\"); }"
            let object = try TestSupport.compile(text, target: target)
            XCTAssertTrue(object.symbols.contains { $0.isUndefined && $0.name == symbol }, "\(target)")
            XCTAssertTrue(GuestRuntime.isNeeded(by: [object]), "\(target)")
            XCTAssertEqual(GuestRuntime.sources(for: target, neededBy: [object]), [part], "\(target)")
        }
        let initialise = try TestSupport.compile("int main(void) { __builtin_cpu_init(); return 0; }", target: .rv64)
        XCTAssertEqual(GuestRuntime.sources(for: .rv64, neededBy: [initialise]), ["runtime/riscv_feature_bits.c"])
    }

    /// aarch64 code built with outline atomics calls the runtime's __aarch64_* helpers: the
    /// atomics fixture, which then calls all 100 of them, gives the same output as built inline.
    func testOutlineAtomicsRunOnAArch64() throws {
        let fixture = TestSupport.toolchain.home + "/fixtures/atomic_widths.c"
        let expected = String(decoding: try FileIO.read(TestSupport.toolchain.home + "/fixtures/atomic_widths.expected"), as: UTF8.self)
        // The fixture reaches every helper (each size, operation and order) when built so.
        let object = try TestSupport.compile(String(decoding: try FileIO.read(fixture), as: UTF8.self), target: .aarch64,
                                             flags: ["-moutline-atomics", "-w"])
        let helpers = Set(object.symbols.filter { $0.isUndefined && $0.name.hasPrefix("__aarch64_") }.map(\.name))
        XCTAssertEqual(helpers.sorted(), GuestRuntime.aarch64OutlineAtomics.sorted())
        let r = try TestSupport.runCrossrun(["--target", "aarch64", "-moutline-atomics", fixture])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, expected)
    }

    /// Natively, a fault in a thread other than main is reported like one in main (the crash
    /// reporter runs on that thread's own alternate signal stack, so a thread's stack overflow
    /// is reported too), with exit status 139.
    func testNativeThreadCrashesAreReported() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let source = """
        #include <pthread.h>
        static int deep(int n) { volatile char b[4096]; b[0] = (char)n; return n ? deep(n - 1) + b[0] : 0; }
        static void *bad(void *overflow) {
            if (overflow) return (void *)(long)deep(1 << 20);
            *(volatile int *)0 = 1;
            return 0;
        }
        int main(int argc, char **argv) {
            (void)argv;
            pthread_t t;
            pthread_create(&t, 0, bad, argc > 1 ? (void *)1 : 0);
            pthread_join(t, 0);
            return 0;
        }
        """
        try FileIO.write(Array(source.utf8), to: dir + "/crash.c")
        let null = try TestSupport.runCrossrun(["--backend", "native", dir + "/crash.c"])
        XCTAssertEqual(null.status, 139, null.stderr)
        XCTAssertTrue(null.stderr.contains("SIGSEGV") && null.stderr.contains("(bad+"), null.stderr)
        let overflow = try TestSupport.runCrossrun(["--backend", "native", dir + "/crash.c", "--", "overflow"])
        XCTAssertEqual(overflow.status, 139, overflow.stderr)
        XCTAssertTrue(overflow.stderr.contains("SIGSEGV") && overflow.stderr.contains("(deep+"), overflow.stderr)
    }
}
