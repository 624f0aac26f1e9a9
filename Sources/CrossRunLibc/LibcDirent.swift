#if canImport(Glibc)
import Glibc
import CHostSystem
#endif

/// `<dirent.h>` over host directory streams. A guest `DIR*` is a small guest heap object (so
/// it is a real, unique guest address); the host `DIR*` behind it and the guest `struct
/// dirent` that `readdir` fills live in ``LibcRuntime/directories``.
enum LibcDirent {
    /// Bytes of a guest `struct dirent` (glibc LP64: ino, off, reclen, type, name[256]).
    static let entrySize = 280

    static func open(_ rt: LibcRuntime, _ f: any CallFrame, _ host: OpaquePointer?) throws {
        guard let host else { rt.setErrno(errno); f.returnInt(0); return }
        let handle = try rt.allocateZeroed(16)
        let entry = try rt.allocateZeroed(entrySize)
        rt.directories[handle] = (host, entry)
        f.returnInt(handle)
    }

    /// The host stream of guest `DIR*` argument 0, or EBADF.
    static func directory(_ rt: LibcRuntime, _ f: any CallFrame) throws -> (host: OpaquePointer, entry: UInt64)? {
        let d = rt.directories[try f.int(0)]
        if d == nil { rt.setErrno(EBADF) }
        return d
    }

    static let functions: [String: HostFunction] = [
        "opendir": { rt, f in
            guard let path = try rt.hostPath(at: f.int(0)) else { f.returnInt(0); return }
            try open(rt, f, Glibc.opendir(path))
        },
        "fdopendir": { rt, f in try open(rt, f, Glibc.fdopendir(try f.int32(0))) },
        "readdir": { rt, f in
            guard let d = try directory(rt, f) else { f.returnInt(0); return }
            errno = 0
            guard let e = Glibc.readdir(d.host) else {
                if errno != 0 { rt.setErrno(errno) }
                f.returnInt(0)
                return
            }
            let m = rt.memory
            try m.store(UInt64(e.pointee.d_ino), at: d.entry)
            try m.store(UInt64(bitPattern: Int64(e.pointee.d_off)), at: d.entry + 8)
            try m.store(UInt16(entrySize), at: d.entry + 16)
            try m.store(e.pointee.d_type, at: d.entry + 18)
            var length = 0
            let bytes = crossrun_dirent_name(e, &length)   // within the record (d_reclen)
            let name = Array(UnsafeBufferPointer(start: bytes, count: length))
            try m.write(name + [0], at: d.entry + 19)
            f.returnInt(d.entry)
        },
        "closedir": { rt, f in
            let handle = try f.int(0)
            guard let d = try directory(rt, f) else { f.returnInt32(-1); return }
            rt.directories[handle] = nil
            _ = rt.heap.free(handle)
            _ = rt.heap.free(d.entry)
            f.returnInt32(Glibc.closedir(d.host))
        },
        "rewinddir": { rt, f in if let d = try directory(rt, f) { Glibc.rewinddir(d.host) } },
        "dirfd": { rt, f in
            guard let d = try directory(rt, f) else { f.returnInt32(-1); return }
            f.returnInt32(Glibc.dirfd(d.host))
        },
        "telldir": { rt, f in
            guard let d = try directory(rt, f) else { f.returnSigned(-1); return }
            f.returnSigned(Int64(Glibc.telldir(d.host)))
        },
        "seekdir": { rt, f in if let d = try directory(rt, f) { Glibc.seekdir(d.host, Int(try f.long(1))) } },
    ]
}
