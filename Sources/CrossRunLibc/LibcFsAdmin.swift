import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `<sys/xattr.h>`, `<sys/mount.h>`, `<sys/swap.h>` and `<sys/personality.h>`: Linux system
/// calls made on the host, paths through the guest's file system (`--root`), names and values
/// as bytes (the same on every target).
enum LibcFsAdmin {
    /// The kernel's cap on one attribute value and on one name list (XATTR_SIZE_MAX,
    /// XATTR_LIST_MAX): a larger buffer is used as this size, a larger value is E2BIG.
    static let attributeLimit = 65536

    /// Every one is a system-call wrapper: a bad pointer is the kernel's EFAULT.
    static let functions = calls.mapValues(LibcPosix.faultIsEFAULT)

    /// A NUL-terminated host copy of the guest string at `address` (nil for a null pointer).
    static func text(_ rt: LibcRuntime, _ address: UInt64) throws -> [CChar]? {
        address == 0 ? nil : GuestFileSystem.cString(Array(try rt.memory.cString(address)))
    }

    /// A call filling a guest buffer (`getxattr`, `listxattr`): the host call fills a host
    /// buffer of at most ``attributeLimit`` bytes, whose filled part is copied to the guest's.
    /// Size 0 asks for the needed size and touches no buffer, as the kernel.
    static func fill(_ rt: LibcRuntime, _ f: any CallFrame, out: UInt64, size: Int,
                     _ body: (UnsafeMutableRawPointer?, Int) -> Int) throws {
        let n = min(size, attributeLimit)
        var buffer = [UInt8](repeating: 0, count: n)
        let r = buffer.withUnsafeMutableBytes { body(n == 0 ? nil : $0.baseAddress, n) }
        guard r >= 0 else { rt.setErrno(errno); f.returnSigned(-1); return }
        if n > 0, r > 0 { try rt.memory.write(Array(buffer.prefix(min(r, n))), at: out) }
        f.returnSigned(Int64(r))
    }

    /// The value argument of a `setxattr` call (E2BIG past the kernel's limit).
    static func value(_ rt: LibcRuntime, _ address: UInt64, _ size: Int) throws -> [UInt8]? {
        guard size <= attributeLimit else { rt.setErrno(E2BIG); return nil }
        return size == 0 ? [] : Array(try rt.memory.bytes(address, size))
    }

    static func getPath(follow: Bool) -> HostFunction {
        { rt, f in
            guard let p = try rt.hostPath(at: f.int(0), followLast: follow) else { f.returnSigned(-1); return }
            guard let name = try text(rt, f.int(1)) else { rt.setErrno(EFAULT); f.returnSigned(-1); return }
            try fill(rt, f, out: f.int(2), size: f.size(3)) { crossrun_getxattr(p, follow ? 1 : 0, name, $0, $1) }
        }
    }

    static func listPath(follow: Bool) -> HostFunction {
        { rt, f in
            guard let p = try rt.hostPath(at: f.int(0), followLast: follow) else { f.returnSigned(-1); return }
            try fill(rt, f, out: f.int(1), size: f.size(2)) { crossrun_listxattr(p, follow ? 1 : 0, $0, $1) }
        }
    }

    static func setPath(follow: Bool) -> HostFunction {
        { rt, f in
            guard let p = try rt.hostPath(at: f.int(0), followLast: follow) else { f.returnInt32(-1); return }
            guard let name = try text(rt, f.int(1)) else { rt.setErrno(EFAULT); f.returnInt32(-1); return }
            guard let v = try value(rt, f.int(2), f.size(3)) else { f.returnInt32(-1); return }
            let flags = try f.int32(4)
            LibcUnistdExt.status(rt, f, v.withUnsafeBytes { crossrun_setxattr(p, follow ? 1 : 0, name, $0.baseAddress, v.count, flags) })
        }
    }

    static func removePath(follow: Bool) -> HostFunction {
        { rt, f in
            guard let p = try rt.hostPath(at: f.int(0), followLast: follow) else { f.returnInt32(-1); return }
            guard let name = try text(rt, f.int(1)) else { rt.setErrno(EFAULT); f.returnInt32(-1); return }
            LibcUnistdExt.status(rt, f, crossrun_removexattr(p, follow ? 1 : 0, name))
        }
    }

    static let calls: [String: HostFunction] = [
        "getxattr": getPath(follow: true), "lgetxattr": getPath(follow: false),
        "listxattr": listPath(follow: true), "llistxattr": listPath(follow: false),
        "setxattr": setPath(follow: true), "lsetxattr": setPath(follow: false),
        "removexattr": removePath(follow: true), "lremovexattr": removePath(follow: false),
        "fgetxattr": { rt, f in
            let fd = try f.int32(0)
            guard let name = try text(rt, f.int(1)) else { rt.setErrno(EFAULT); f.returnSigned(-1); return }
            try fill(rt, f, out: f.int(2), size: f.size(3)) { crossrun_fgetxattr(fd, name, $0, $1) }
        },
        "flistxattr": { rt, f in
            let fd = try f.int32(0)
            try fill(rt, f, out: f.int(1), size: f.size(2)) { crossrun_flistxattr(fd, $0, $1) }
        },
        "fsetxattr": { rt, f in
            let fd = try f.int32(0)
            guard let name = try text(rt, f.int(1)) else { rt.setErrno(EFAULT); f.returnInt32(-1); return }
            guard let v = try value(rt, f.int(2), f.size(3)) else { f.returnInt32(-1); return }
            let flags = try f.int32(4)
            LibcUnistdExt.status(rt, f, v.withUnsafeBytes { crossrun_fsetxattr(fd, name, $0.baseAddress, v.count, flags) })
        },
        "fremovexattr": { rt, f in
            let fd = try f.int32(0)
            guard let name = try text(rt, f.int(1)) else { rt.setErrno(EFAULT); f.returnInt32(-1); return }
            LibcUnistdExt.status(rt, f, crossrun_fremovexattr(fd, name))
        },
        // The target is a guest path; the source is one only for a bind or a move (else a
        // device name or a word such as "tmpfs", passed as written); data is the options text.
        "mount": { rt, f in
            let flags = UInt(truncatingIfNeeded: try f.int(3))
            let sourceIsPath = flags & (4096 | 8192) != 0   // MS_BIND, MS_MOVE
            var source: [CChar]?
            if sourceIsPath {
                guard let s = try rt.hostPath(at: f.int(0)) else { f.returnInt32(-1); return }
                source = s
            } else {
                source = try text(rt, f.int(0))
            }
            guard let target = try rt.hostPath(at: f.int(1)) else { f.returnInt32(-1); return }
            let type = try text(rt, f.int(2)), data = try text(rt, f.int(4))
            LibcUnistdExt.status(rt, f, crossrun_mount(source, target, type, flags, data))
        },
        "umount": { rt, f in
            guard let target = try rt.hostPath(at: f.int(0)) else { f.returnInt32(-1); return }
            LibcUnistdExt.status(rt, f, crossrun_umount2(target, 0))
        },
        "umount2": { rt, f in
            let flags = try f.int32(1)
            guard let target = try rt.hostPath(at: f.int(0), followLast: flags & 8 == 0) else { f.returnInt32(-1); return }   // UMOUNT_NOFOLLOW
            LibcUnistdExt.status(rt, f, crossrun_umount2(target, flags))
        },
        "swapon": { rt, f in
            let flags = try f.int32(1)
            guard let p = try rt.hostPath(at: f.int(0)) else { f.returnInt32(-1); return }
            LibcUnistdExt.status(rt, f, crossrun_swapon(p, flags))
        },
        "swapoff": { rt, f in
            guard let p = try rt.hostPath(at: f.int(0)) else { f.returnInt32(-1); return }
            LibcUnistdExt.status(rt, f, crossrun_swapoff(p))
        },
    ]
}
