import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// The last `<unistd.h>` gaps real programs hit: `getwd`, `swab`, `copy_file_range`,
/// `fallocate`, `readahead` and `sync_file_range` (the host's, on host descriptors), `renameat2`
/// (through the guest's paths, as `renameat`) and `getpass`.
enum LibcUnistdGaps {
    /// The longest line `getpass` keeps (glibc's has no limit; the rest of a longer line stays
    /// unread in the stream).
    static let passwordLimit = 65536

    /// glibc's `getpass`: `/dev/tty` for both prompt and answer when it opens (never under
    /// `--root`), else the guest's stderr and stdin; echo and signals off while reading when
    /// the input is a terminal; the newline removed. The answer is in one static guest buffer,
    /// overwritten by the next call, as glibc's.
    static func getpass(_ rt: LibcRuntime, prompt: [UInt8]) throws -> UInt64 {
        var tty: UnsafeMutablePointer<FILE>?
        if !rt.fileSystem.confined { tty = fopen("/dev/tty", "w+ce") }
        defer { if let tty { fclose(tty) } }
        guard let input = tty ?? rt.streams[rt.dataHandle("stdin")]?.file,
              let output = tty ?? rt.streams[rt.dataHandle("stderr")]?.file else { return 0 }
        var saved = termios(), quiet = termios()
        var changed = false
        if tcgetattr(fileno(input), &saved) == 0 {
            quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO | ISIG)
            changed = tcsetattr(fileno(input), TCSAFLUSH, &quiet) == 0
        }
        defer { if changed { tcsetattr(fileno(input), TCSAFLUSH, &saved) } }
        if !prompt.isEmpty { prompt.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, prompt.count, output) } }
        fflush(output)
        var line: [UInt8] = []
        while line.count < passwordLimit {
            let c = getc(input)
            if c == EOF { break }
            if c == 10 {
                if changed { fputc(10, output) }   // the newline the terminal did not echo
                break
            }
            line.append(UInt8(truncatingIfNeeded: c))
        }
        let buffer = try rt.staticObject("getpass", size: passwordLimit + 1)
        try rt.memory.write(line + [0], at: buffer)
        return buffer
    }

    static let functions: [String: HostFunction] = [
        "getwd": { rt, f in
            let buffer = try f.int(0)
            guard buffer != 0 else { rt.setErrno(EINVAL); f.returnInt(0); return }
            var failure: Int32 = 0
            var path: [UInt8] = []
            do throws(GuestFileSystem.Failure) { path = try rt.fileSystem.workingDirectory() } catch { failure = error.code }
            if failure == 0 && path.count >= 4096 { failure = ENAMETOOLONG }
            guard failure != 0 else {
                try rt.memory.write(path + [0], at: buffer)
                f.returnInt(buffer)
                return
            }
            // glibc: the error's text in the buffer (at most 1,024 bytes), and NULL.
            rt.setErrno(failure)
            let text = Array(String(cString: strerror(failure)).utf8.prefix(1023))
            try rt.memory.write(text + [0], at: buffer)
            f.returnInt(0)
        },
        "swab": { rt, f in
            let from = try f.int(0), to = try f.int(1)
            let n = Int64(bitPattern: try f.int(2)) & ~1
            guard n > 0 else { return }
            var bytes = Array(try rt.memory.bytes(from, Int(n)))
            for i in stride(from: 0, to: bytes.count, by: 2) { bytes.swapAt(i, i + 1) }
            try rt.memory.write(bytes, at: to)
        },
        "copy_file_range": { rt, f in
            let input = try f.int32(0), inOffset = try f.int(1), output = try f.int32(2), outOffset = try f.int(3)
            let length = try f.size(4), flags = UInt32(truncatingIfNeeded: try f.int(5))
            for a in [inOffset, outOffset] where a != 0 { _ = try rt.memory.host(a, 8, write: true) }
            var inValue = inOffset == 0 ? 0 : Int(try rt.memory.load(inOffset, as: Int64.self))
            var outValue = outOffset == 0 ? 0 : Int(try rt.memory.load(outOffset, as: Int64.self))
            let r = withUnsafeMutablePointer(to: &inValue) { inPointer in
                withUnsafeMutablePointer(to: &outValue) { outPointer in
                    crossrun_copy_file_range(input, inOffset == 0 ? nil : inPointer, output, outOffset == 0 ? nil : outPointer, length, flags)
                }
            }
            if r < 0 { rt.setErrno(errno); f.returnSigned(-1); return }
            if inOffset != 0 { try rt.memory.store(Int64(inValue), at: inOffset) }
            if outOffset != 0 { try rt.memory.store(Int64(outValue), at: outOffset) }
            f.returnSigned(Int64(r))
        },
        "fallocate": { rt, f in
            let r = crossrun_fallocate(try f.int32(0), try f.int32(1), Int(try f.long(2)), Int(try f.long(3)))
            LibcPosix.result(rt, f, Int(r))
        },
        "readahead": { rt, f in
            LibcPosix.result(rt, f, crossrun_readahead(try f.int32(0), Int(try f.long(1)), try f.size(2)))
        },
        "sync_file_range": { rt, f in
            let flags = UInt32(truncatingIfNeeded: try f.int(3))
            LibcPosix.result(rt, f, Int(crossrun_sync_file_range(try f.int32(0), Int(try f.long(1)), Int(try f.long(2)), flags)))
        },
        "renameat2": { rt, f in
            let flags = UInt32(truncatingIfNeeded: try f.int(4))
            guard let (oldAt, old) = try LibcFiles.path(rt, f, 1, dirfd: try f.int32(0), followLast: false, removing: .rename) else {
                f.returnInt32(-1)
                return
            }
            try LibcFiles.atCall(rt, f, 3, dirfd: try f.int32(2), followLast: false, removing: .rename) { at, p in
                crossrun_renameat2(oldAt, old, at, p, flags)
            }
        },
        "getpass": { rt, f in
            let address = try f.int(0)
            let prompt = address == 0 ? Array("(null)".utf8) : Array(try rt.memory.cString(address))   // glibc prints it with %s
            f.returnInt(try getpass(rt, prompt: prompt))
        },
    ]
}
