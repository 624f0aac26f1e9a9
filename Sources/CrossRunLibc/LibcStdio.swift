#if canImport(Glibc)
import Glibc
import CHostSystem
#endif

/// stdio over host `FILE*`s.
enum LibcStdio {
    static let EOF: Int32 = -1

    /// The stream of guest `FILE*` argument `index`, or EBADF.
    static func stream(_ rt: LibcRuntime, _ f: any CallFrame, _ index: Int) throws -> HostStream? {
        let s = rt.stream(try f.int(index))
        if s == nil { rt.setErrno(EBADF) }
        return s
    }

    /// Formats with the guest format at `format` and the given arguments.
    static func format(_ rt: LibcRuntime, _ format: UInt64, _ args: any VariadicArguments) throws -> [UInt8] {
        var a = args
        return try Printf.format(rt, format: format, args: &a)
    }

    /// printf to a stream or descriptor: the output streams as it is formatted; returns the
    /// byte count, or −1 after a write error or past `INT_MAX` bytes (`EOVERFLOW`).
    static func print(_ rt: LibcRuntime, _ destination: PrintfOutput.Destination, _ format: UInt64,
                      _ args: any VariadicArguments, _ f: any CallFrame) throws {
        var a = args
        var out = PrintfOutput(destination)
        let ok = try Printf.format(rt, format: format, args: &a, into: &out)
        try out.flush()
        f.returnInt32(ok && !out.writeFailed ? Int32(clamping: out.count) : -1)
    }

    /// sprintf (`size` nil) and snprintf (at most `size − 1` bytes and a NUL): returns the full
    /// length, or −1 past `INT_MAX` bytes, the buffer holding what fitted, NUL-terminated.
    static func printBuffer(_ rt: LibcRuntime, _ buffer: UInt64, size: Int?, _ format: UInt64,
                            _ args: any VariadicArguments, _ f: any CallFrame) throws {
        var a = args
        let limit = size.map { max($0 - 1, 0) } ?? Int.max
        var out = PrintfOutput(.guest(rt.memory, address: buffer, limit: limit))
        let ok = try Printf.format(rt, format: format, args: &a, into: &out)
        try out.flush()
        if size.map({ $0 > 0 }) ?? true { try rt.memory.store(UInt8(0), at: buffer &+ UInt64(out.stored)) }
        f.returnInt32(ok ? Int32(clamping: out.count) : -1)
    }

    static let functions: [String: HostFunction] = [
        "printf": { rt, f in try print(rt, .stream(rt.streams[rt.dataHandle("stdout")]), f.int(0), f.variadic(afterInts: 1, floats: 0), f) },
        "vprintf": { rt, f in try print(rt, .stream(rt.streams[rt.dataHandle("stdout")]), f.int(0), f.vaList(at: f.int(1)), f) },
        "fprintf": { rt, f in
            guard let s = try stream(rt, f, 0) else { f.returnInt32(-1); return }
            try print(rt, .stream(s), f.int(1), f.variadic(afterInts: 2, floats: 0), f)
        },
        "vfprintf": { rt, f in
            guard let s = try stream(rt, f, 0) else { f.returnInt32(-1); return }
            try print(rt, .stream(s), f.int(1), f.vaList(at: f.int(2)), f)
        },
        "dprintf": { rt, f in try print(rt, .descriptor(f.int32(0)), f.int(1), f.variadic(afterInts: 2, floats: 0), f) },
        "sprintf": { rt, f in try printBuffer(rt, f.int(0), size: nil, f.int(1), f.variadic(afterInts: 2, floats: 0), f) },
        "vsprintf": { rt, f in try printBuffer(rt, f.int(0), size: nil, f.int(1), f.vaList(at: f.int(2)), f) },
        "snprintf": { rt, f in try printBuffer(rt, f.int(0), size: f.size(1), f.int(2), f.variadic(afterInts: 3, floats: 0), f) },
        "vsnprintf": { rt, f in try printBuffer(rt, f.int(0), size: f.size(1), f.int(2), f.vaList(at: f.int(3)), f) },
        "puts": { rt, f in
            let s = try rt.memory.cString(f.int(0))
            guard let out = rt.streams[rt.dataHandle("stdout")] else { f.returnInt32(EOF); return }
            let ok = out.write(s) == s.count && out.write([0x0a]) == 1
            f.returnInt32(ok ? Int32(clamping: s.count + 1) : EOF)   // glibc: the bytes written
        },
        "fputs": { rt, f in
            let s = try rt.memory.cString(f.int(0))
            guard let out = try stream(rt, f, 1) else { f.returnInt32(EOF); return }
            f.returnInt32(out.write(s) == s.count ? 1 : EOF)
        },
        "putchar": { rt, f in
            let c = UInt8(truncatingIfNeeded: try f.int(0))
            guard let out = rt.streams[rt.dataHandle("stdout")] else { f.returnInt32(EOF); return }
            f.returnInt32(Glibc.putc(Int32(c), out.file))   // as `putc` below: no orientation check
        },
        "fputc": putc, "putc": putc,
        "fwrite": { rt, f in
            let size = try f.size(1), count = try f.size(2)
            let (total, overflow) = size.multipliedReportingOverflow(by: count)
            guard !overflow, let out = try stream(rt, f, 3) else { f.returnInt(0); return }
            if total == 0 { f.returnInt(0); return }
            let n = out.write(try rt.memory.bytes(f.int(0), total))
            f.returnInt(UInt64(n / size))
        },
        "fread": { rt, f in
            let size = try f.size(1), count = try f.size(2)
            let (total, overflow) = size.multipliedReportingOverflow(by: count)
            guard !overflow, let s = try stream(rt, f, 3) else { f.returnInt(0); return }
            if total == 0 { f.returnInt(0); return }
            let buffer = try rt.memory.mutableBytes(f.int(0), total)
            let n = fread(buffer.baseAddress, 1, total, s.file)
            f.returnInt(UInt64(n / size))
        },
        "fflush": { rt, f in
            let handle = try f.int(0)
            if handle == 0 { rt.flushAll(); f.returnInt32(0); return }   // glibc's fflush(NULL) does not update memory streams
            guard let s = rt.stream(handle) else { rt.setErrno(EBADF); f.returnInt32(EOF); return }
            let r = fflush(s.file)
            try s.memory?.synchronize(rt)
            f.returnInt32(r)
        },
        "fopen": { rt, f in
            let mode = try rt.memory.string(f.int(1))
            // The mode as glibc reads it: a bad one is EINVAL before the path is looked at, and
            // only "w…x"/"a…x" (O_CREAT|O_EXCL) leave a symbolic link in the last component alone.
            guard let flags = GuestFileSystem.openFlags(fopenMode: Array(mode.utf8)) else { rt.setErrno(EINVAL); f.returnInt(0); return }
            let follow = GuestFileSystem.followsLastComponent(openFlags: flags)
            guard let path = try rt.hostPath(at: f.int(0), followLast: follow) else { f.returnInt(0); return }
            guard let s = rt.creatingFiles({ HostStream.open(path, mode: mode) }) else { rt.setErrno(errno); f.returnInt(0); return }
            let handle = try rt.allocateZeroed(32)
            rt.streams[handle] = s
            f.returnInt(handle)
        },
        "fclose": { rt, f in
            let handle = try f.int(0)
            guard let s = rt.streams.removeValue(forKey: handle) else { rt.setErrno(EBADF); f.returnInt32(EOF); return }
            let r = s.close()
            try s.memory?.synchronize(rt)
            f.returnInt32(r)
        },
        "fgetc": getc, "getc": getc,
        "getchar": { rt, f in
            guard let s = rt.streams[rt.dataHandle("stdin")] else { f.returnInt32(EOF); return }
            f.returnInt32(Glibc.getc(s.file))
        },
        "ungetc": { rt, f in
            guard let s = try stream(rt, f, 1) else { f.returnInt32(EOF); return }
            f.returnInt32(Glibc.ungetc(try f.int32(0), s.file))
        },
        "fgets": { rt, f in
            let buf = try f.int(0), size = try f.int32(1)
            guard let s = try stream(rt, f, 2) else { f.returnInt(0); return }
            guard size > 0 else { f.returnInt(0); return }
            let dst = try rt.memory.mutableBytes(buf, Int(size))
            let r = Glibc.fgets(dst.baseAddress!.assumingMemoryBound(to: CChar.self), size, s.file)
            f.returnInt(r == nil ? 0 : buf)
        },
        "fseek": { rt, f in
            guard let s = try stream(rt, f, 0) else { f.returnInt32(-1); return }
            let r = fseek(s.file, Int(try f.long(1)), try f.int32(2))
            if r != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "ftell": { rt, f in
            guard let s = try stream(rt, f, 0) else { f.returnSigned(-1); return }
            f.returnSigned(Int64(ftell(s.file)))
        },
        "rewind": { rt, f in if let s = try stream(rt, f, 0) { rewind(s.file) } },
        "feof": { rt, f in f.returnInt32(try stream(rt, f, 0).map { feof($0.file) } ?? 0) },
        "ferror": { rt, f in f.returnInt32(try stream(rt, f, 0).map { ferror($0.file) } ?? 0) },
        "clearerr": { rt, f in if let s = try stream(rt, f, 0) { clearerr(s.file) } },
        "fileno": { rt, f in f.returnInt32(try stream(rt, f, 0).map { fileno($0.file) } ?? -1) },
        "setvbuf": { rt, f in
            // Buffers live on the host: honour the mode and size, not the guest buffer address.
            guard let s = try stream(rt, f, 0) else { f.returnInt32(-1); return }
            f.returnInt32(setvbuf(s.file, nil, try f.int32(2), try f.size(3)))
        },
        "setbuf": { rt, f in
            if let s = try stream(rt, f, 0) { setvbuf(s.file, nil, try f.int(1) == 0 ? _IONBF : _IOFBF, Int(BUFSIZ)) }
        },
        "remove": { rt, f in
            // glibc: unlink, and rmdir when that says EISDIR (so "/" is EBUSY, as rmdir says).
            guard let path = try rt.hostPath(at: f.int(0), removing: .unlink) ?? rt.hostPath(at: f.int(0), removing: .rmdir) else {
                f.returnInt32(-1)
                return
            }
            let r = Glibc.remove(path)
            if r != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "rename": { rt, f in
            guard let from = try rt.hostPath(at: f.int(0), removing: .rename),
                  let to = try rt.hostPath(at: f.int(1), removing: .rename) else { f.returnInt32(-1); return }
            let r = Glibc.rename(from, to)
            if r != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "perror": { rt, f in
            rt.flushAll()
            let p = try f.int(0)
            let e = try rt.memory.load(rt.errnoAddress, as: Int32.self)
            let prefix = p == 0 ? "" : try rt.memory.string(p)
            let text = String(cString: strerror(e))
            fputs(prefix.isEmpty ? "\(text)\n" : "\(prefix): \(text)\n", crossrun_host_stdio(2))
        },
    ]

    /// The host's `putc` on the host stream, not a one-byte `fwrite`: glibc's `putc` does not
    /// check the stream's orientation (on a wide stream it succeeds), `fwrite` does.
    static let putc: HostFunction = { rt, f in
        let c = UInt8(truncatingIfNeeded: try f.int(0))
        guard let s = try stream(rt, f, 1) else { f.returnInt32(EOF); return }
        f.returnInt32(Glibc.putc(Int32(c), s.file))
    }

    static let getc: HostFunction = { rt, f in
        guard let s = try stream(rt, f, 0) else { f.returnInt32(EOF); return }
        f.returnInt32(Glibc.getc(s.file))
    }
}

extension LibcRuntime {
    /// The guest `FILE*` currently stored in a standard stream variable (`stdout` may be reassigned).
    func dataHandle(_ name: String) -> UInt64 {
        guard let cell = dataSymbols[name] else { return 0 }
        return (try? memory.load(cell, as: UInt64.self)) ?? 0
    }
}
