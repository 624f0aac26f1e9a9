import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// glob.h: glibc's `glob` on the host with its directory access redirected through the guest's
/// file system view (``GuestFileSystem``: the guest's working directory, `--root`), so the
/// names it returns are the guest's. The result array and strings are guest heap blocks that
/// `globfree` (or the guest's own `free`) releases.
enum LibcGlob {
    static let flagDoOffs: Int32 = 1 << 3, flagAppend: Int32 = 1 << 5, flagAltDirFunc: Int32 = 1 << 9
    static let noSpace: Int32 = 1, aborted: Int32 = 2, noSys: Int32 = 4

    /// The run the host's callbacks serve (glob calls them synchronously; `lock` keeps runs on
    /// other threads out while one is in progress).
    nonisolated(unsafe) static var current: LibcRuntime?
    nonisolated(unsafe) static var lock: pthread_mutex_t = {
        var m = pthread_mutex_t()
        pthread_mutex_init(&m, nil)
        return m
    }()
    nonisolated(unsafe) static var errors: [(path: [UInt8], code: Int32)] = []

    static func resolve(_ name: UnsafePointer<CChar>?, followLast: Bool) -> [CChar]? {
        guard let name, let rt = current else { errno = EFAULT; return nil }
        let bytes = Array(UnsafeRawBufferPointer(start: name, count: strlen(name)))
        do { return try rt.fileSystem.resolve(bytes, followLast: followLast).host } catch { errno = error.code; return nil }
    }

    static let openDirectory: crossrun_glob_opendir = { name in
        guard let host = resolve(name, followLast: true) else { return nil }
        return UnsafeMutableRawPointer(opendir(host))
    }
    static let statName: crossrun_glob_stat = { name, st in
        guard let st, let host = resolve(name, followLast: true) else { return -1 }
        return stat(host, st)
    }
    static let lstatName: crossrun_glob_stat = { name, st in
        guard let st, let host = resolve(name, followLast: false) else { return -1 }
        return lstat(host, st)
    }
    static let recordError: @convention(c) (UnsafePointer<CChar>?, Int32) -> Int32 = { path, code in
        if let path { errors.append((Array(UnsafeRawBufferPointer(start: path, count: strlen(path))), code)) }
        return 0
    }

    static let functions: [String: HostFunction] = [
        "glob": { rt, f in
            let pattern = try LibcString.cstr(rt.memory, f.int(0)), flags = try f.int32(1), errfunc = try f.int(2), pglob = try f.int(3)
            _ = try rt.memory.host(pglob, 72, write: true)
            guard flags & flagAltDirFunc == 0 else { f.returnInt32(noSys); return }   // guest directory callbacks
            var result = glob_t()
            pthread_mutex_lock(&lock)
            current = rt
            errors = []
            let r = crossrun_glob(pattern, flags & ~(flagAppend | flagDoOffs), recordError, &result, openDirectory, statName, lstatName)
            current = nil
            let errors = LibcGlob.errors
            pthread_mutex_unlock(&lock)
            defer { globfree(&result) }
            var status = r
            // The guest's error callback sees each failure afterwards; non-zero ends the search.
            if errfunc != 0, let call = rt.callGuest {
                for e in errors {
                    let path = try rt.internedString(String(decoding: e.path, as: UTF8.self))
                    if try call(errfunc, [path, UInt64(UInt32(bitPattern: e.code))]) & 0xffff_ffff != 0 { status = aborted; break }
                }
            }
            let found = (0..<Int(result.gl_pathc)).compactMap { i in result.gl_pathv[i].map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) } }
            guard try store(rt, found, flags: flags, hostFlags: result.gl_flags, pglob: pglob) else { f.returnInt32(noSpace); return }
            f.returnInt32(status)
        },
        "globfree": { rt, f in
            let pglob = try f.int(0)
            let count = try rt.memory.load(pglob, as: UInt64.self), vector = try rt.memory.load(pglob &+ 8, as: UInt64.self)
            let offs = try rt.memory.load(pglob &+ 16, as: UInt64.self)
            guard vector != 0 else { return }
            var i: UInt64 = 0
            while i < count {
                let p = try rt.memory.load(vector &+ 8 &* (offs &+ i), as: UInt64.self)
                if p != 0 { try LibcMemory.release(rt, p) }
                i += 1
            }
            try LibcMemory.release(rt, vector)
            try rt.memory.store(UInt64(0), at: pglob &+ 8)
        },
    ]

    /// Writes the guest's `glob_t`: [gl_offs NULLs if GLOB_DOOFFS] + earlier names (GLOB_APPEND)
    /// + the new ones + NULL. False when the guest heap is exhausted.
    static func store(_ rt: LibcRuntime, _ found: [[UInt8]], flags: Int32, hostFlags: Int32, pglob: UInt64) throws -> Bool {
        let offs = flags & flagDoOffs != 0 ? Int(clamping: try rt.memory.load(pglob &+ 16, as: UInt64.self)) : 0
        if flags & flagDoOffs == 0 { try rt.memory.store(UInt64(0), at: pglob &+ 16) }   // glibc clears gl_offs
        var old: [UInt64] = []
        let oldVector = try rt.memory.load(pglob &+ 8, as: UInt64.self)
        if flags & flagAppend != 0, oldVector != 0 {
            let oldCount = try rt.memory.load(pglob, as: UInt64.self)
            var i: UInt64 = 0
            while i < oldCount { old.append(try rt.memory.load(oldVector &+ 8 &* (UInt64(offs) &+ i), as: UInt64.self)); i += 1 }
        }
        if found.isEmpty && old.isEmpty && offs == 0 && flags & flagAppend == 0 {
            // No names: glibc leaves gl_pathv NULL.
            try rt.memory.store(UInt64(0), at: pglob)
            try rt.memory.store(UInt64(0), at: pglob &+ 8)
            try rt.memory.store(hostFlags & ~flagAltDirFunc, at: pglob &+ 24)
            return true
        }
        let total = offs.addingReportingOverflow(old.count + found.count + 1)
        guard !total.overflow, total.partialValue < Int.max / 8 else { return false }
        let vector = try LibcMemory.allocate(rt, 8 * total.partialValue, zero: true)
        guard vector != 0 else { return false }
        for (i, p) in old.enumerated() { try rt.memory.store(p, at: vector &+ UInt64(8 * (offs + i))) }
        for (i, name) in found.enumerated() {
            let s = try LibcMemory.allocate(rt, name.count + 1, zero: false)
            guard s != 0 else { return false }
            try rt.memory.write(name + [0], at: s)
            try rt.memory.store(s, at: vector &+ UInt64(8 * (offs + old.count + i)))
        }
        if flags & flagAppend != 0, oldVector != 0 { try LibcMemory.release(rt, oldVector) }
        try rt.memory.store(UInt64(old.count + found.count), at: pglob)
        try rt.memory.store(vector, at: pglob &+ 8)
        try rt.memory.store(hostFlags & ~flagAltDirFunc | (flags & (flagAppend | flagDoOffs)), at: pglob &+ 24)
        return true
    }
}
