#if canImport(Glibc)
import Glibc
#endif

/// stdio.h's POSIX additions: the `*_unlocked` forms (the same host calls: a guest is one
/// thread, so stream locks are free), `flockfile` & co., and `fmemopen` over guest memory.
enum LibcStdioExt {
    static func alias(_ name: String) -> HostFunction {
        { rt, f in
            guard let body = LibcStdio.functions[name] else { throw GuestTermination.signal(SIGSYS, "no \(name) in the runtime") }
            try body(rt, f)
        }
    }

    static let functions: [String: HostFunction] = [
        "getc_unlocked": alias("getc"), "fgetc_unlocked": alias("fgetc"), "getchar_unlocked": alias("getchar"),
        "putc_unlocked": alias("putc"), "fputc_unlocked": alias("fputc"), "putchar_unlocked": alias("putchar"),
        "flockfile": { _, _ in },
        "funlockfile": { _, _ in },
        "ftrylockfile": { _, f in f.returnInt32(0) },
        // The host stream reads and writes the guest's buffer in place (guest memory is host memory).
        "fmemopen": { rt, f in
            let buffer = try f.int(0), size = try f.size(1), mode = try rt.memory.string(f.int(2))
            guard size > 0 else { rt.setErrno(EINVAL); f.returnInt(0); return }
            // With no buffer the host allocates one: no larger than the guest's whole heap.
            guard buffer != 0 || size <= 1 << 30 else { rt.setErrno(ENOMEM); f.returnInt(0); return }
            let host = buffer == 0 ? nil : try rt.memory.host(buffer, size, write: true)
            guard let file = fmemopen(host, size, mode) else { rt.setErrno(errno); f.returnInt(0); return }
            f.returnInt(try rt.register(HostStream(file: file, owned: true)))
        },
    ]
}
