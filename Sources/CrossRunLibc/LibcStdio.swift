#if canImport(Glibc)
import Glibc
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

    /// snprintf semantics: writes at most `size - 1` bytes and a NUL, returns the full length.
    static func storeBounded(_ rt: LibcRuntime, _ bytes: [UInt8], to buffer: UInt64, size: Int, _ f: any CallFrame) throws {
        if size > 0 { try storeString(rt, bytes, count: min(bytes.count, size - 1), at: buffer) }
        f.returnInt32(Int32(clamping: bytes.count))
    }

    /// Writes the first `count` of `bytes` and a NUL at guest `address`.
    static func storeString(_ rt: LibcRuntime, _ bytes: [UInt8], count: Int, at address: UInt64) throws {
        let destination = try rt.memory.host(address, count + 1, write: true)
        bytes.withUnsafeBytes { source in
            if count > 0, let base = source.baseAddress { destination.copyMemory(from: base, byteCount: count) }
        }
        destination.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
    }

    static func output(_ rt: LibcRuntime, _ stream: HostStream?, _ bytes: [UInt8], _ f: any CallFrame) {
        guard let stream else { f.returnInt32(-1); return }
        let n = stream.write(bytes)
        f.returnInt32(n == bytes.count ? Int32(clamping: n) : -1)
    }

    static let functions: [String: HostFunction] = [
        "printf": { rt, f in output(rt, rt.streams[rt.dataHandle("stdout")], try format(rt, f.int(0), f.variadic(afterInts: 1, floats: 0)), f) },
        "vprintf": { rt, f in output(rt, rt.streams[rt.dataHandle("stdout")], try format(rt, f.int(0), f.vaList(at: f.int(1))), f) },
        "fprintf": { rt, f in output(rt, try stream(rt, f, 0), try format(rt, f.int(1), f.variadic(afterInts: 2, floats: 0)), f) },
        "vfprintf": { rt, f in output(rt, try stream(rt, f, 0), try format(rt, f.int(1), f.vaList(at: f.int(2))), f) },
        "dprintf": { rt, f in
            let fd = try f.int32(0)
            let bytes = try format(rt, f.int(1), f.variadic(afterInts: 2, floats: 0))
            f.returnSigned(Int64(bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }))
        },
        "sprintf": { rt, f in
            let bytes = try format(rt, f.int(1), f.variadic(afterInts: 2, floats: 0))
            try storeString(rt, bytes, count: bytes.count, at: f.int(0))
            f.returnInt32(Int32(clamping: bytes.count))
        },
        "vsprintf": { rt, f in
            let bytes = try format(rt, f.int(1), f.vaList(at: f.int(2)))
            try storeString(rt, bytes, count: bytes.count, at: f.int(0))
            f.returnInt32(Int32(clamping: bytes.count))
        },
        "snprintf": { rt, f in
            try storeBounded(rt, try format(rt, f.int(2), f.variadic(afterInts: 3, floats: 0)), to: f.int(0), size: f.size(1), f)
        },
        "vsnprintf": { rt, f in
            try storeBounded(rt, try format(rt, f.int(2), f.vaList(at: f.int(3))), to: f.int(0), size: f.size(1), f)
        },
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
            f.returnInt32(out.write([c]) == 1 ? Int32(c) : EOF)
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
            if handle == 0 { rt.flushAll(); f.returnInt32(0); return }
            guard let s = rt.stream(handle) else { rt.setErrno(EBADF); f.returnInt32(EOF); return }
            f.returnInt32(fflush(s.file))
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
            f.returnInt32(s.close())
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
            fputs(prefix.isEmpty ? "\(text)\n" : "\(prefix): \(text)\n", stderr)
        },
    ]

    static let putc: HostFunction = { rt, f in
        let c = UInt8(truncatingIfNeeded: try f.int(0))
        guard let s = try stream(rt, f, 1) else { f.returnInt32(EOF); return }
        f.returnInt32(s.write([c]) == 1 ? Int32(c) : EOF)
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
