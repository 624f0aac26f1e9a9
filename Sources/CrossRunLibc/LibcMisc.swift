#if canImport(Glibc)
import Glibc
import CHostSystem
#endif

/// The rest of stdlib/stdio/string/locale/inttypes that fits no larger group.
enum LibcMisc {
    static func divPair(_ f: any CallFrame, _ a: Int64, _ b: Int64) throws {
        try CompilerHelpers.nonZero(b)
        let (q, r) = (a.dividedReportingOverflow(by: b).partialValue, a.remainderReportingOverflow(dividingBy: b).partialValue)
        f.returnPair(UInt64(bitPattern: q), UInt64(bitPattern: r))
    }

    static func stream(_ rt: LibcRuntime, _ f: any CallFrame, _ i: Int) throws -> HostStream? { try LibcStdio.stream(rt, f, i) }

    static let functions: [String: HostFunction] = [
        "div": { _, f in
            let a = try f.int32(0), b = try f.int32(1)
            try CompilerHelpers.nonZero(b)
            let q = a.dividedReportingOverflow(by: b).partialValue, r = a.remainderReportingOverflow(dividingBy: b).partialValue
            f.returnInt(UInt64(UInt32(bitPattern: q)) | UInt64(UInt32(bitPattern: r)) << 32)   // div_t packed in one register
        },
        "ldiv": { _, f in try divPair(f, try f.long(0), try f.long(1)) },
        "lldiv": { _, f in try divPair(f, try f.long(0), try f.long(1)) },
        "imaxdiv": { _, f in try divPair(f, try f.long(0), try f.long(1)) },
        "imaxabs": { _, f in let v = try f.long(0); f.returnSigned(v == Int64.min ? v : Swift.abs(v)) },
        "random": { rt, f in f.returnSigned(Int64(rt.randState.next())) },   // glibc's rand() is random()
        "srandom": { rt, f in rt.randState.reseed(UInt32(truncatingIfNeeded: try f.int(0))) },
        "strtoimax": { rt, f in let b = try f.int32(2); f.returnSigned(Int64(try LibcConvert.parse(rt, f) { strtoimax($0, $1, b) })) },
        "strtoumax": { rt, f in let b = try f.int32(2); f.returnInt(UInt64(try LibcConvert.parse(rt, f) { strtoumax($0, $1, b) })) },
        "ffs": { _, f in let v = try f.int32(0); f.returnInt32(v == 0 ? 0 : Int32(v.trailingZeroBitCount + 1)) },
        "strsignal": { rt, f in
            let text = String(cString: strsignal(try f.int32(0)))
            let generated = text.hasPrefix("Real-time signal") ? "Real-time signal" : "Unknown signal"
            f.returnInt(try rt.messageString(text, buffer: "strsignal", generated: generated))
        },
        "strxfrm": { rt, f in
            // C locale: a copy of at most n bytes (glibc's stpncpy: no NUL when it does not fit).
            let dst = try f.int(0), src = try f.int(1), n = try f.size(2)
            let len = try rt.memory.stringLength(src)
            let count = Swift.min(len + 1, n)
            if count > 0 { try rt.memory.write(Array(try rt.memory.bytes(src, count)), at: dst) }
            f.returnInt(UInt64(len))
        },
        "strtok_r": { rt, f in
            var s = try f.int(0)
            let delims = try rt.memory.cString(f.int(1)), save = try f.int(2)
            if s == 0 { s = try rt.memory.load(save, as: UInt64.self) }
            guard s != 0 else { f.returnInt(0); return }
            let text = try rt.memory.cString(s)
            var i = 0
            while i < text.count && delims.contains(text[i]) { i += 1 }
            if i == text.count { try rt.memory.store(s + UInt64(i), at: save); f.returnInt(0); return }
            var j = i
            while j < text.count && !delims.contains(text[j]) { j += 1 }
            if j < text.count {
                try rt.memory.store(UInt8(0), at: s + UInt64(j))
                try rt.memory.store(s + UInt64(j) + 1, at: save)
            } else {
                try rt.memory.store(s + UInt64(j), at: save)
            }
            f.returnInt(s + UInt64(i))
        },
        "localeconv": { rt, f in
            let a = try rt.staticObject("lconv", size: 96)
            if try rt.memory.load(a, as: UInt64.self) == 0 {
                let dot = try rt.internedString("."), empty = try rt.internedString("")
                for i in 0..<10 { try rt.memory.store(i == 0 ? dot : empty, at: a + UInt64(8 * i)) }
                let charMax: UInt8 = rt.charIsUnsigned ? 255 : 127   // CHAR_MAX: "not available"
                for i in 0..<14 { try rt.memory.store(charMax, at: a + 80 + UInt64(i)) }
            }
            f.returnInt(a)
        },
        "__stack_chk_fail": { _, _ in
            fputs("*** stack smashing detected ***: terminated\n", crossrun_host_stdio(2))
            throw GuestTermination.signal(SIGABRT, "stack smashing detected")
        },
        // glibc's shape, "/tmp/fileXXXXXX": it must fit the guest's L_tmpnam (20 bytes).
        "tmpnam": { rt, f in
            let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            var name = ""
            repeat {
                name = "/tmp/file" + String((0..<6).map { _ in letters[Int.random(in: 0..<letters.count)] })
            } while access(name, F_OK) == 0
            let out = try f.int(0)
            let a = out != 0 ? out : try rt.staticObject("tmpnam", size: 20)
            try rt.memory.write(Array(name.utf8) + [0], at: a)
            f.returnInt(a)
        },
        "tmpfile": { rt, f in
            // Under --root the unnamed file lives in the guest's /tmp (DIR/tmp), as in a chroot.
            guard rt.fileSystem.root != nil else {
                guard let file = Glibc.tmpfile() else { rt.setErrno(errno); f.returnInt(0); return }
                f.returnInt(try rt.register(HostStream(file: file, owned: true)))
                return
            }
            let directory: [CChar]
            do throws(GuestFileSystem.Failure) { directory = try rt.fileSystem.resolve(Array("/tmp".utf8)).host } catch { rt.setErrno(error.code); f.returnInt(0); return }
            let tmpfile: Int32 = 0o20000000 | O_DIRECTORY   // Linux's O_TMPFILE (a macro Swift does not import)
            let fd = Glibc.open(directory, tmpfile | O_RDWR | O_EXCL, 0o600)
            guard fd >= 0 else { rt.setErrno(errno); f.returnInt(0); return }
            guard let file = Glibc.fdopen(fd, "w+") else { rt.setErrno(errno); Glibc.close(fd); f.returnInt(0); return }
            f.returnInt(try rt.register(HostStream(file: file, owned: true)))
        },
        "fdopen": { rt, f in
            guard let file = Glibc.fdopen(try f.int32(0), try rt.memory.string(f.int(1))) else { rt.setErrno(errno); f.returnInt(0); return }
            f.returnInt(try rt.register(HostStream(file: file, owned: true)))
        },
        "freopen": { rt, f in
            let pathAddress = try f.int(0), mode = try rt.memory.string(f.int(1)), handle = try f.int(2)
            guard let s = rt.stream(handle) else { rt.setErrno(EBADF); f.returnInt(0); return }
            var path: [CChar]? = nil
            if pathAddress != 0 {
                guard let flags = GuestFileSystem.openFlags(fopenMode: Array(mode.utf8)) else {
                    // glibc closes the stream, then refuses the mode.
                    _ = s.close()
                    rt.streams[handle] = nil
                    rt.setErrno(EINVAL)
                    f.returnInt(0)
                    return
                }
                path = try rt.hostPath(at: pathAddress, followLast: GuestFileSystem.followsLastComponent(openFlags: flags))
                if path == nil { f.returnInt(0); return }
            }
            let r = rt.creatingFiles { path.map { Glibc.freopen($0, mode, s.file) } ?? Glibc.freopen(nil, mode, s.file) }
            if r == nil { rt.setErrno(errno); rt.streams[handle] = nil; f.returnInt(0) } else { f.returnInt(handle) }
        },
        "fgetpos": { rt, f in
            guard let s = try stream(rt, f, 0) else { f.returnInt32(-1); return }
            let pos = ftell(s.file)
            if pos < 0 { rt.setErrno(errno); f.returnInt32(-1); return }
            memset(try rt.memory.host(f.int(1), 16, write: true), 0, 16)
            try rt.memory.store(Int64(pos), at: f.int(1))
            f.returnInt32(0)
        },
        "fsetpos": { rt, f in
            guard let s = try stream(rt, f, 0) else { f.returnInt32(-1); return }
            let r = fseek(s.file, Int(try rt.memory.load(f.int(1), as: Int64.self)), SEEK_SET)
            if r != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "fseeko": { rt, f in
            guard let s = try stream(rt, f, 0) else { f.returnInt32(-1); return }
            let r = fseeko(s.file, off_t(try f.long(1)), try f.int32(2))
            if r != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "ftello": { rt, f in
            guard let s = try stream(rt, f, 0) else { f.returnSigned(-1); return }
            f.returnSigned(Int64(ftello(s.file)))
        },
        "getline": { rt, f in try getdelim(rt, f, line: try f.int(0), size: try f.int(1), delimiter: 10, streamIndex: 2) },
        "getdelim": { rt, f in try getdelim(rt, f, line: try f.int(0), size: try f.int(1), delimiter: try f.int32(2), streamIndex: 3) },
    ]

    /// getline/getdelim as glibc: a NULL `*lineptr` or zero `*n` first gets a 120-byte block
    /// (whatever `*n` said), and the block grows to at least twice its size when the line
    /// does not fit. `*n` is the guest's claim about its buffer, never trusted for host sizes.
    static func getdelim(_ rt: LibcRuntime, _ f: any CallFrame, line: UInt64, size: UInt64, delimiter: Int32, streamIndex: Int) throws {
        guard line != 0, size != 0 else { rt.setErrno(EINVAL); f.returnSigned(-1); return }
        guard let s = try stream(rt, f, streamIndex) else { f.returnSigned(-1); return }
        var buffer = try rt.memory.load(line, as: UInt64.self)
        var capacity = Int(clamping: try rt.memory.load(size, as: UInt64.self))
        if buffer == 0 || capacity == 0 {
            buffer = try LibcMemory.allocate(rt, 120, zero: false)
            if buffer == 0 { f.returnSigned(-1); return }
            capacity = 120
            try rt.memory.store(buffer, at: line)
            try rt.memory.store(UInt64(capacity), at: size)
        }
        var bytes: [UInt8] = []
        while true {
            // A line longer than the guest heap could hold: glibc's realloc fails the same way.
            guard bytes.count < Int(rt.heap.limit - rt.heap.base) else { rt.setErrno(ENOMEM); f.returnSigned(-1); return }
            let c = Glibc.getc(s.file)
            if c == EOF { break }
            bytes.append(UInt8(truncatingIfNeeded: c))
            if c == delimiter { break }
        }
        if bytes.isEmpty { f.returnSigned(-1); return }
        if capacity < bytes.count + 1 {
            let newCapacity = max(bytes.count + 1, capacity <= Int.max / 2 ? 2 * capacity : capacity)
            let fresh = try LibcMemory.allocate(rt, newCapacity, zero: false)
            if fresh == 0 { f.returnSigned(-1); return }
            _ = rt.heap.free(buffer)
            buffer = fresh
            try rt.memory.store(buffer, at: line)
            try rt.memory.store(UInt64(newCapacity), at: size)
        }
        try rt.memory.write(bytes + [0], at: buffer)
        f.returnSigned(Int64(bytes.count))
    }
}
