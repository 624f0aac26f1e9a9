#!/usr/bin/env python3
"""Regenerates Sources/CrossRunRuntime/RuntimeSymbols.swift from include/.

Every extern function and variable the headers declare (for x86-64) becomes an entry, with
the host library that provides it natively; compiler helpers clang may call are added from
COMPILER_HELPERS. HeaderContractTests fails if the table and the headers disagree, so run
this after changing include/.
"""
import os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = os.path.join(ROOT, "include")
CLANG = os.environ.get("CC") or "clang"

# Functions clang emits calls to on its own (x86-64 host libgcc_s has these).
COMPILER_HELPERS = """__divti3 __udivti3 __modti3 __umodti3 __udivmodti4 __fixsfti __fixdfti __fixxfti __fixunssfti
__fixunsdfti __fixunsxfti __floattisf __floattidf __floattixf __floatuntisf __floatuntidf __floatuntixf
__mulsc3 __muldc3 __mulxc3 __divsc3 __divdc3 __divxc3 __powisf2 __powidf2 __powixf2 __popcountdi2
__popcountti2 __clzti2 __ctzti2 __ffsti2 __parityti2 __negti2
__addtf3 __subtf3 __multf3 __divtf3 __negtf2 __eqtf2 __netf2 __lttf2 __letf2 __gttf2 __getf2 __unordtf2
__extenddftf2 __extendsftf2 __trunctfdf2 __trunctfsf2 __fixtfsi __fixtfdi __fixtfti __fixunstfsi __fixunstfdi
__fixunstfti __floatsitf __floatditf __floattitf __floatunsitf __floatunditf __floatuntitf __powitf2 __multc3
__divtc3 __clear_cache""".split()
# binary128 (`long double` on aarch64/riscv64, `__float128` on x86-64) helpers above are in the
# host's libgcc_s too. compiler-rt's __cmptf2 is not (clang does not emit it): the emulator's
# host table serves it, but it stays out of the import table.
# Called by compiler-generated code but living in libc.
LIBC_EXTRAS = ["__stack_chk_fail"]
# Data compiler-generated code reads: the stack-protector canary on aarch64 and riscv64
# (x86-64 reads it from the thread block). Not in x86-64's libc: the native loader defines it.
LIBC_EXTRA_DATA = ["__stack_chk_guard"]
# The host primitives the guest thread library (runtime/crossrun_thread.h, private: not in
# include/) is built on, and runtime/fork.c's process fork. Natively the loader binds them
# (CNativeSupport), emulated the scheduler (the fork: HostLibc).
THREAD_PRIMITIVES = ["__crossrun_thread_spawn", "__crossrun_thread_exit", "__crossrun_futex_wait",
                     "__crossrun_futex_wake", "__crossrun_shared_cas", "__crossrun_gettid", "__crossrun_tgsigqueue",
                     "__crossrun_fork"]
# The host's routines under a private name, for the guest runtime's short-input string
# functions (runtime/string.c, linked into emulated images only) to hand long inputs to.
HOST_STRING_FUNCTIONS = ["memcpy", "memmove", "memset", "memcmp", "memchr", "strlen", "strcmp", "strchr"]
HOST_STRING_ALIASES = ["__crossrun_host_" + n for n in HOST_STRING_FUNCTIONS]
# The guest runtime's <complex.h> host calls (runtime/complex.c, linked into emulated images):
# each splits a complex value into parts for one host function. Natively the loader binds the
# same host functions (CHostMath/hostcomplex.c), though native images call libm directly.
COMPLEX_HOST_NAMES = ["cacos", "casin", "catan", "ccos", "csin", "ctan", "cacosh", "casinh", "catanh",
                      "ccosh", "csinh", "ctanh", "cexp", "clog", "clog10", "csqrt", "cabs", "carg", "cpow"]
COMPLEX_HOST_CALLS = ["__crossrun_" + n + s for n in COMPLEX_HOST_NAMES for s in ("", "f", "l")]
# Declared, but hidden when every header is read at once: <libgen.h>'s `basename` macro
# (the XPG version) suppresses <string.h>'s GNU `basename`, as in glibc.
HIDDEN_DECLARATIONS = ["basename"]

def declarations():
    headers = []
    for dirpath, _, files in os.walk(INCLUDE):
        for f in files:
            if f.endswith(".h") and not f.startswith("_"):
                headers.append(os.path.relpath(os.path.join(dirpath, f), INCLUDE))
    src = "".join(f"#include <{h}>\n" for h in sorted(headers))
    # _GNU_SOURCE: every declaration, including those glibc's feature macros gate.
    out = subprocess.run([CLANG, "--target=x86_64-linux-gnu", "-fsyntax-only", "-D_GNU_SOURCE", "-nostdlibinc", "-isystem", INCLUDE,
                          "-Xclang", "-ast-dump", "-fno-color-diagnostics", "-x", "c", "-"],
                         input=src, capture_output=True, text=True, check=True).stdout
    funcs, datas = set(), set()
    for line in out.splitlines():
        m = re.match(r"^[|`]-(FunctionDecl|VarDecl) .*? (?:used |referenced )?(\w+) '[^']*'(.*)$", line)
        # "implicit": builtins clang declares itself (__builtin_bswap32 used by an inline function).
        if not m or " static" in m.group(3) or " inline" in m.group(3) or " implicit " in line:
            continue
        kind, name, rest = m.groups()
        if kind == "VarDecl":
            if "extern" in rest:
                datas.add(name)
        else:
            funcs.add(name)
    return funcs, datas

# Each entry's tag in the sorted table: lower case functions, upper case data; c libc, m libm,
# g libgcc_s.
TAGS = {("function", "libc"): "c", ("function", "libm"): "m", ("function", "libgcc"): "g",
        ("data", "libc"): "C", ("data", "libm"): "M", ("data", "libgcc"): "G"}

def wrapped(names):
    """A Swift array literal's elements, quoted, in lines of at most ~100 characters."""
    lines, line = [], ""
    for n in names:
        item = f'"{n}",'
        if line and len(line) + len(item) + 1 > 100:
            lines.append(line); line = ""
        line = (line + " " + item).strip()
    lines.append(line)
    return "\n" + "\n".join("        " + l for l in lines) + "\n    "

def main():
    funcs, datas = declarations()
    math_names = {"signgam"}
    for header in ("math.h", "fenv.h", "complex.h"):   # libm's headers
        with open(os.path.join(INCLUDE, header)) as f:
            math_names |= set(re.findall(r"\b(\w+)\(", f.read()))
    groups = {}   # (kind, library) -> names
    datas |= set(LIBC_EXTRA_DATA)
    funcs |= set(HIDDEN_DECLARATIONS)
    math_names |= set(COMPLEX_HOST_CALLS)
    names = sorted(funcs | datas | set(COMPILER_HELPERS) | set(LIBC_EXTRAS) | set(THREAD_PRIMITIVES) | set(HOST_STRING_ALIASES)
                   | set(COMPLEX_HOST_CALLS))
    for n in names:
        kind = "data" if n in datas else "function"
        lib = "libgcc" if n in COMPILER_HELPERS else "libm" if n in math_names else "libc"
        groups.setdefault((kind, lib), []).append(n)
    # One sorted string of `name:T` entries (T: the kind and library, see TAGS), which lookups
    # binary-search without building anything; `all` is built from it on first use. (A
    # 1,000-element dictionary literal took ~50 s and 3.5 GB of RAM to type-check.)
    tag_of = {}
    for (kind, lib), members in groups.items():
        for n in members:
            tag_of[n] = TAGS[(kind, lib)]
    lines, line = [], ""
    for n in sorted(tag_of, key=lambda x: x.encode()):
        entry = f"{n}:{tag_of[n]}"
        if line and len(line) + len(entry) + 1 > 100:
            lines.append(line); line = ""
        line = (line + " " + entry).strip()
    lines.append(line)
    entries = "\n".join("        " + l for l in lines)
    swift = TEMPLATE.replace("@ENTRIES@", entries).replace(
        "@COUNT@", str(len(names))).replace(
        "@PRIMITIVES@", ", ".join(f'"{n}"' for n in THREAD_PRIMITIVES)).replace(
        "@HOSTSTRING@", ", ".join(f'"{n}"' for n in HOST_STRING_FUNCTIONS)).replace(
        "@COMPLEX@", wrapped(COMPLEX_HOST_CALLS))
    path = os.path.join(ROOT, "Sources", "CrossRunRuntime", "RuntimeSymbols.swift")
    with open(path, "w") as f:
        f.write(swift)
    print(f"{len(names)} symbols -> {os.path.relpath(path, ROOT)}")

TEMPLATE = '''// Generated by scripts/gen-runtime-symbols.py from include/: do not edit by hand.

/// Where the host implementation of a runtime symbol lives when running natively.
public enum HostLibrary: String, Sendable, CaseIterable {
    case libc = "libc.so.6"
    case libm = "libm.so.6"
    case libgcc = "libgcc_s.so.1"
}

/// Whether a runtime symbol is code or data.
public enum RuntimeSymbolKind: Sendable, Hashable {
    case function, data
}

/// One symbol the CrossRun runtime provides to guest programs.
public struct RuntimeSymbol: Sendable, Hashable {
    public let name: String
    public let kind: RuntimeSymbolKind
    /// The host library that defines it (native runs bind it with dlsym there).
    public let library: HostLibrary

    public init(name: String, kind: RuntimeSymbolKind, library: HostLibrary) {
        self.name = name
        self.kind = kind
        self.library = library
    }
}

/// The runtime's import table: what `include/` declares plus the helpers compilers call.
/// Undefined references to anything else are link errors.
public enum RuntimeSymbols {
    /// Every symbol the runtime provides, keyed by name (built on first use; a lookup of one
    /// name is ``lookup(_:)``, which builds nothing).
    public static let all: [String: RuntimeSymbol] = {
        var table: [String: RuntimeSymbol] = [:]
        table.reserveCapacity(@COUNT@)
        entries.withUTF8Buffer { text in
            var start = 0
            for end in 0...text.count where end == text.count || isSeparator(text[end]) {
                defer { start = end + 1 }
                guard end - start >= 3, let (kind, library) = decode(text[end - 1]) else { continue }
                let name = String(decoding: UnsafeBufferPointer(rebasing: text[start..<(end - 2)]), as: UTF8.self)
                table[name] = RuntimeSymbol(name: name, kind: kind, library: library)
            }
        }
        return table
    }()

    /// The runtime symbol named `name`, or nil: a binary search of the sorted table, so a
    /// run's start-up does not build the 1,000-entry dictionary to look up its few imports.
    public static func lookup(_ name: String) -> RuntimeSymbol? {
        var key = name
        let tag: UInt8? = key.withUTF8 { key in
            entries.withUTF8Buffer { text in
                var lo = 0
                var hi = text.count
                while lo < hi {
                    // The entry holding byte `mid`: text[start..<end] is `NAME:T`.
                    var start = (lo + hi) / 2
                    while start > lo && !isSeparator(text[start - 1]) { start -= 1 }
                    var end = start
                    while end < text.count && !isSeparator(text[end]) { end += 1 }
                    guard end - start >= 3 else { return nil }
                    let order = compare(key, UnsafeBufferPointer(rebasing: text[start..<(end - 2)]))
                    if order == 0 { return text[end - 1] }
                    if order < 0 { hi = start } else { lo = end + 1 }
                }
                return nil
            }
        }
        guard let tag, let (kind, library) = decode(tag) else { return nil }
        return RuntimeSymbol(name: name, kind: kind, library: library)
    }

    private static func isSeparator(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0a }

    /// Byte-wise order of `a` and `b` (negative, zero, positive), as the table is sorted.
    private static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count - b.count
    }

    /// An entry's tag: lower case a function, upper case data; c libc, m libm, g libgcc_s.
    private static func decode(_ tag: UInt8) -> (RuntimeSymbolKind, HostLibrary)? {
        switch tag {
        case UInt8(ascii: "c"): return (.function, .libc)
        case UInt8(ascii: "m"): return (.function, .libm)
        case UInt8(ascii: "g"): return (.function, .libgcc)
        case UInt8(ascii: "C"): return (.data, .libc)
        case UInt8(ascii: "M"): return (.data, .libm)
        case UInt8(ascii: "G"): return (.data, .libgcc)
        default: return nil
        }
    }

    /// Every symbol as `NAME:T` (T: ``decode(_:)``), sorted by name byte by byte, separated by
    /// spaces and newlines.
    static let entries: StaticString = """
@ENTRIES@
        """

    /// The thread primitives the guest thread library (`runtime/crossrun_thread.h`) calls:
    /// served natively by the loader, emulated by the scheduler; no header declares them.
    public static let threadPrimitives: [String] = [@PRIMITIVES@]

    /// The string functions the host also serves as `__crossrun_host_NAME`: the guest
    /// runtime's short-input versions (`runtime/string.c`, emulated images only) call these
    /// for long inputs. Natively nothing refers to them.
    public static let hostStringFunctions: [String] = [@HOSTSTRING@]

    /// The guest runtime's `<complex.h>` host calls (`runtime/complex.c`, emulated images):
    /// `__crossrun_NAME`, `NAMEf`, `NAMEl`, each computing NAME with the host's libm. Natively
    /// the loader binds the same host functions; no header declares them.
    public static let complexHostCalls: [String] = [@COMPLEX@]
}
'''

if __name__ == "__main__":
    sys.exit(main())
