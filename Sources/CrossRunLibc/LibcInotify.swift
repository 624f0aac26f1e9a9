#if canImport(Glibc)
import Glibc
#endif
import CHostSystem

/// `<sys/inotify.h>`: a host inotify descriptor behind the guest's (descriptors are host
/// descriptors). The guest reads events with `read`, in the kernel's `struct inotify_event`
/// layout, which every Linux target shares; they carry watch numbers and names relative to
/// the watched directory, never host paths. Watched paths are resolved through the guest's
/// file system (so `--root` confines them), following a last symbolic link unless the mask
/// says `IN_DONT_FOLLOW`.
enum LibcInotify {
    /// `IN_NONBLOCK | IN_CLOEXEC`: the only flags `inotify_init1` knows (EINVAL otherwise, as Linux).
    static let initFlags = Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC)

    static let functions: [String: HostFunction] = [
        "inotify_init": { rt, f in LibcPosix.result(rt, f, Int(inotify_init())) },
        "inotify_init1": { rt, f in
            let flags = try f.int32(0)
            guard flags & ~initFlags == 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            LibcPosix.result(rt, f, Int(inotify_init1(flags)))
        },
        "inotify_add_watch": { rt, f in
            let fd = try f.int32(0), mask = UInt32(truncatingIfNeeded: try f.int(2))
            guard let path = try rt.hostPath(at: f.int(1), followLast: mask & UInt32(IN_DONT_FOLLOW) == 0) else {
                f.returnInt32(-1); return
            }
            // Confined, the resolved path has no links left to follow: the host must not follow
            // one planted there meanwhile.
            let hostMask = rt.fileSystem.confined ? mask | UInt32(IN_DONT_FOLLOW) : mask
            LibcPosix.result(rt, f, Int(inotify_add_watch(fd, path, hostMask)))
        },
        "inotify_rm_watch": { rt, f in LibcPosix.result(rt, f, Int(inotify_rm_watch(try f.int32(0), try f.int32(1)))) },
    ]
}
