#if canImport(Glibc)
import Glibc
#endif

/// `on_exit`, C23's `strfromd`/`strfromf`/`strfroml`, `tempnam` and `fchdir`: the stdlib,
/// stdio and unistd calls real programs still missed (issue 14 point 8).
enum LibcStdlibBreadth {
    /// One floating value handed to the printf engine as if it were the only variadic argument.
    struct SingleValue: VariadicArguments {
        var double: Double = 0
        var longDouble: (UInt64, UInt64) = (0, 0)
        mutating func nextInt() throws -> UInt64 { 0 }
        mutating func nextDouble() throws -> Double { double }
        mutating func nextLongDouble() throws -> (UInt64, UInt64) { longDouble }
    }

    /// glibc's `strfrom*` format check: `%`, an optional `.` and digits, one of `aAeEfFgG`
    /// and nothing after; anything else aborts (as glibc's `strfrom` does). Returns the
    /// conversion's precision digits and letter.
    static func strfromFormat(_ format: [UInt8]) throws -> (precision: [UInt8]?, conversion: UInt8) {
        var i = 0
        guard format.first == UInt8(ascii: "%") else { throw GuestTermination.signal(SIGABRT, "aborted (strfrom: bad format)") }
        i = 1
        var precision: [UInt8]?
        if i < format.count, format[i] == UInt8(ascii: ".") {
            i += 1
            let digits = format[i...].prefix { $0 >= 0x30 && $0 <= 0x39 }
            precision = Array(digits)
            i += digits.count
        }
        guard i < format.count, "aAeEfFgG".utf8.contains(format[i]) else {
            throw GuestTermination.signal(SIGABRT, "aborted (strfrom: bad format)")
        }
        // glibc reads the conversion letter and ignores what follows it.
        return (precision, format[i])
    }

    /// `strfrom*(buffer, size, format, value)`: snprintf with the equivalent `%.NX`/`%.NLX`
    /// directive, through the printf engine (glibc's digits, bounded host memory).
    static func strfrom(_ rt: LibcRuntime, _ f: any CallFrame, _ value: SingleValue, longDouble: Bool) throws {
        let (precision, conversion) = try strfromFormat(Array(try rt.memory.cString(f.int(2))))
        var directive = [UInt8(ascii: "%")]
        if let precision { directive += [UInt8(ascii: ".")] + (precision.isEmpty ? [UInt8(ascii: "0")] : precision) }
        if longDouble { directive.append(UInt8(ascii: "L")) }
        directive += [conversion, 0]
        let format = try LibcMemory.allocate(rt, directive.count, zero: false)
        guard format != 0 else { rt.setErrno(ENOMEM); f.returnInt32(-1); return }
        defer { _ = rt.heap.free(format) }
        try rt.memory.write(directive, at: format)
        try LibcStdio.printBuffer(rt, f.int(0), size: f.size(1), format, value, f)
    }

    /// Whether the guest path names a directory (resolved through the guest's file system).
    static func isDirectory(_ rt: LibcRuntime, _ path: [UInt8]) -> Bool {
        guard let r = try? rt.fileSystem.resolve(path) else { return false }
        var st = stat()
        return stat(r.host, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// glibc's `tempnam`: the directory is `$TMPDIR` if that is a directory, else `dir` if it
    /// is one, else `P_tmpdir` (`/tmp`); the prefix is at most 5 bytes (`file` when missing);
    /// six random letters or digits follow, chosen until the name does not exist.
    static func tempnam(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let dirArg = try f.int(0), prefixArg = try f.int(1)
        var candidates: [[UInt8]] = []
        if let tmp = LibcEnvironment.current(rt)["TMPDIR"] { candidates.append(Array(tmp.utf8)) }
        if dirArg != 0 { candidates.append(Array(try rt.memory.cString(dirArg))) }
        candidates.append(Array("/tmp".utf8))
        guard var dir = candidates.first(where: { !$0.isEmpty && isDirectory(rt, $0) }) else {
            rt.setErrno(ENOENT); f.returnInt(0); return
        }
        while dir.count > 1 && dir.last == UInt8(ascii: "/") { dir.removeLast() }
        var prefix = prefixArg == 0 ? [] : Array(try rt.memory.cString(prefixArg).prefix(5))
        if prefix.isEmpty { prefix = Array("file".utf8) }
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<238_328 {   // glibc's TMP_MAX attempts
            let name = dir + [UInt8(ascii: "/")] + prefix + (0..<6).map { _ in letters[Int(generator.next() % UInt64(letters.count))] }
            if let r = try? rt.fileSystem.resolve(name, followLast: false) {
                var st = stat()
                if lstat(r.host, &st) == 0 { continue }
                guard errno == ENOENT else { rt.setErrno(errno); f.returnInt(0); return }
            }
            let copy = try LibcMemory.allocate(rt, name.count + 1, zero: false)   // the caller frees it
            if copy == 0 { rt.setErrno(ENOMEM) } else { try rt.memory.write(name + [0], at: copy) }
            f.returnInt(copy)
            return
        }
        rt.setErrno(EEXIST)
        f.returnInt(0)
    }

    static let functions: [String: HostFunction] = [
        "on_exit": { rt, f in
            rt.atexitHandlers.append(ExitHandler(function: try f.int(0), argument: try f.int(1)))
            f.returnInt32(0)
        },
        "strfromd": { rt, f in try strfrom(rt, f, SingleValue(double: try f.double(0)), longDouble: false) },
        // printf's %f of a float is of the float promoted to double, exactly as glibc's strfromf.
        "strfromf": { rt, f in try strfrom(rt, f, SingleValue(double: Double(try f.float(0))), longDouble: false) },
        "strfroml": { rt, f in
            try strfrom(rt, f, SingleValue(longDouble: try f.longDouble(afterInts: 3)), longDouble: true)
        },
        "tempnam": { rt, f in try tempnam(rt, f) },
        // The guest's directory becomes the descriptor's; under --root only one inside the root.
        "fchdir": { rt, f in
            let fd = try f.int32(0)
            do throws(GuestFileSystem.Failure) {
                try rt.fileSystem.changeDirectory(descriptor: fd)
                f.returnInt32(0)
            } catch {
                rt.setErrno(error.code)
                f.returnInt32(-1)
            }
        },
    ]
}
