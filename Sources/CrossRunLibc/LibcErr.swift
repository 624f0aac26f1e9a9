#if canImport(Glibc)
import Glibc
#endif

/// err.h: glibc's messages on the guest's stderr, "program: message[: strerror(errno)]\n";
/// the `err` forms then exit like `exit(status)`.
enum LibcErr {
    /// Formats and writes one message; `withErrno` appends the text of the errno on entry.
    static func report(_ rt: LibcRuntime, format: UInt64, args: (any VariadicArguments)?, withErrno: Bool) throws {
        let saved = try rt.memory.load(rt.errnoAddress, as: Int32.self)
        var text = Array("\(rt.programName): ".utf8)
        if format != 0, var a = args {
            text += try Printf.format(rt, format: format, args: &a)
            if withErrno { text += Array(": ".utf8) }
        }
        if withErrno { text += Array(String(cString: strerror(saved)).utf8) }
        text.append(10)
        rt.streams[rt.dataHandle("stderr")]?.write(text)
        rt.setErrno(saved)
    }

    static let functions: [String: HostFunction] = [
        // GNU error(status, errnum, format, ...): stdout flushed first, argv[0] as the prefix.
        "error": { rt, f in
            let status = try f.int32(0), errnum = try f.int32(1), format = try f.int(2)
            rt.streams[rt.dataHandle("stdout")]?.flush()
            var a = try f.variadic(afterInts: 3, floats: 0)
            var text = Array("\(rt.posix.programPath): ".utf8) + (try Printf.format(rt, format: format, args: &a))
            if errnum != 0 { text += Array(": \(String(cString: strerror(errnum)))".utf8) }
            text.append(10)
            rt.streams[rt.dataHandle("stderr")]?.write(text)
            if status != 0 { throw GuestTermination.exit(status) }
        },
        "warn": { rt, f in try report(rt, format: f.int(0), args: try f.variadic(afterInts: 1, floats: 0), withErrno: true) },
        "vwarn": { rt, f in try report(rt, format: f.int(0), args: try f.vaList(at: f.int(1)), withErrno: true) },
        "warnx": { rt, f in try report(rt, format: f.int(0), args: try f.variadic(afterInts: 1, floats: 0), withErrno: false) },
        "vwarnx": { rt, f in try report(rt, format: f.int(0), args: try f.vaList(at: f.int(1)), withErrno: false) },
        "err": { rt, f in
            try report(rt, format: f.int(1), args: try f.variadic(afterInts: 2, floats: 0), withErrno: true)
            throw GuestTermination.exit(try f.int32(0))
        },
        "verr": { rt, f in
            try report(rt, format: f.int(1), args: try f.vaList(at: f.int(2)), withErrno: true)
            throw GuestTermination.exit(try f.int32(0))
        },
        "errx": { rt, f in
            try report(rt, format: f.int(1), args: try f.variadic(afterInts: 2, floats: 0), withErrno: false)
            throw GuestTermination.exit(try f.int32(0))
        },
        "verrx": { rt, f in
            try report(rt, format: f.int(1), args: try f.vaList(at: f.int(2)), withErrno: false)
            throw GuestTermination.exit(try f.int32(0))
        },
    ]
}
