import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// stdio's GNU and BSD additions: `asprintf`/`vasprintf` (into a `malloc`ed guest block),
/// `vdprintf`, `setbuffer`/`setlinebuf`, the rest of the `*_unlocked` family (the locked
/// calls: a stream's lock is free in a single-threaded guest library), `getw`/`putw` and
/// `ctermid`, and `<stdio_ext.h>`'s stream inspection (the host's answers for the host stream).
enum LibcStdioGNU {
    /// The table entry `name` (with its errno handling), called under another name.
    static func alias(_ name: String) -> HostFunction {
        { rt, f in
            guard let body = HostLibc.functions[name] else { throw GuestTermination.signal(SIGSYS, "no \(name) in the runtime") }
            try body(rt, f)
        }
    }

    /// `asprintf`/`vasprintf`: formats once to count the bytes and once into a guest block of
    /// that size, so no host buffer ever holds the output (a `%2000000000d` needs 2 GB of
    /// guest heap, not of host memory). Returns the length, or −1 with `*strp` untouched
    /// (EOVERFLOW past `INT_MAX` bytes, ENOMEM when the heap cannot hold the result).
    static func allocatingPrint(_ rt: LibcRuntime, _ f: any CallFrame, _ args: () throws -> any VariadicArguments) throws {
        let target = try f.int(0), format = try f.int(1)
        var counting = try args()
        var counter = PrintfOutput(.guest(rt.memory, address: 0, limit: 0))
        guard try Printf.format(rt, format: format, args: &counting, into: &counter) else { f.returnInt32(-1); return }
        let length = counter.count
        guard length < Int(Int32.max) else { rt.setErrno(EOVERFLOW); f.returnInt32(-1); return }
        let block = try LibcMemory.allocate(rt, length + 1, zero: false)
        guard block != 0 else { f.returnInt32(-1); return }
        var writing = try args()
        var out = PrintfOutput(.guest(rt.memory, address: block, limit: length))
        _ = try Printf.format(rt, format: format, args: &writing, into: &out)
        try out.flush()
        try rt.memory.store(UInt8(0), at: block &+ UInt64(out.stored))
        try rt.memory.store(block, at: target)
        f.returnInt32(Int32(out.stored))
    }

    /// A `<stdio_ext.h>` query on the guest stream in argument 0 (0 for an unknown stream).
    static func streamQuery(_ body: @escaping @Sendable (UnsafeMutablePointer<FILE>) -> UInt64) -> HostFunction {
        { rt, f in f.returnInt(try LibcStdio.stream(rt, f, 0).map { body($0.file) } ?? 0) }
    }

    static let functions: [String: HostFunction] = [
        "asprintf": { rt, f in try allocatingPrint(rt, f) { try f.variadic(afterInts: 2, floats: 0) } },
        "vasprintf": { rt, f in try allocatingPrint(rt, f) { try f.vaList(at: f.int(2)) } },
        "vdprintf": LibcMath.withErrno { rt, f in try LibcStdio.print(rt, .descriptor(f.int32(0)), f.int(1), f.vaList(at: f.int(2)), f) },
        // Buffers live on the host: the mode and size are honoured, not the guest's buffer.
        "setbuffer": { rt, f in
            guard let s = try LibcStdio.stream(rt, f, 0) else { return }
            let size = try f.size(2)
            setvbuf(s.file, nil, try f.int(1) == 0 ? _IONBF : _IOFBF, size > 0 ? size : Int(BUFSIZ))
        },
        "setlinebuf": { rt, f in
            if let s = try LibcStdio.stream(rt, f, 0) { setvbuf(s.file, nil, _IOLBF, Int(BUFSIZ)) }
        },
        "clearerr_unlocked": alias("clearerr"), "feof_unlocked": alias("feof"), "ferror_unlocked": alias("ferror"),
        "fileno_unlocked": alias("fileno"), "fflush_unlocked": alias("fflush"), "fgets_unlocked": alias("fgets"),
        "fputs_unlocked": alias("fputs"), "fread_unlocked": alias("fread"), "fwrite_unlocked": alias("fwrite"),
        "getw": LibcMath.withErrno { rt, f in
            guard let s = try LibcStdio.stream(rt, f, 0) else { f.returnInt32(LibcStdio.EOF); return }
            f.returnInt32(Glibc.getw(s.file))
        },
        "putw": LibcMath.withErrno { rt, f in
            guard let s = try LibcStdio.stream(rt, f, 1) else { f.returnInt32(LibcStdio.EOF); return }
            f.returnInt32(Glibc.putw(try f.int32(0), s.file))
        },
        "__fbufsize": streamQuery { UInt64(crossrun_fbufsize($0)) },
        "__freading": streamQuery { UInt64(crossrun_freading($0)) },
        "__fwriting": streamQuery { UInt64(crossrun_fwriting($0)) },
        "__freadable": streamQuery { UInt64(crossrun_freadable($0)) },
        "__fwritable": streamQuery { UInt64(crossrun_fwritable($0)) },
        "__flbf": streamQuery { UInt64(crossrun_flbf($0)) },
        "__fpending": streamQuery { UInt64(crossrun_fpending($0)) },
        "__fpurge": { rt, f in if let s = try LibcStdio.stream(rt, f, 0) { crossrun_fpurge(s.file) } },
        "_flushlbf": { _, _ in crossrun_flushlbf() },
        // A guest stream's lock is free either way: the state is reported as asked.
        "__fsetlocking": { rt, f in
            guard let s = try LibcStdio.stream(rt, f, 0) else { f.returnInt32(0); return }
            f.returnInt32(crossrun_fsetlocking(s.file, try f.int32(1)))
        },
        // glibc's answer whatever the process: the controlling terminal's generic name.
        "ctermid": { rt, f in
            let out = try f.int(0)
            let address = out != 0 ? out : try rt.staticObject("ctermid", size: 9)
            try rt.memory.write(Array("/dev/tty".utf8) + [0], at: address)
            f.returnInt(address)
        },
    ]
}
