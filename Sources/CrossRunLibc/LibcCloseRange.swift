#if canImport(Glibc)
import Glibc
import CHostSystem
#endif

/// `closefrom` and `close_range`: guest descriptors are host descriptors, so these close (or
/// mark close-on-exec) the host's open descriptors in the range — the standard ones too, as
/// `close` does — except CrossRun's own (``LibcRuntime/protectedDescriptors``), which `close`
/// leaves open too. The open ones are read from `/proc/self/fd`, so a huge range costs what is
/// open, not its width.
enum LibcCloseRange {
    static let closeRangeUnshare: UInt32 = 1 << 1
    static let closeRangeCloexec: UInt32 = 1 << 2

    /// The host's open descriptors in `range`, CrossRun's own left out.
    static func openDescriptors(_ rt: LibcRuntime, in range: ClosedRange<UInt32>) -> [Int32] {
        guard let dir = opendir("/proc/self/fd") else { return [] }
        defer { closedir(dir) }
        let own = dirfd(dir)
        var found: [Int32] = []
        while let entry = readdir(dir) {
            var length = 0
            let bytes = crossrun_dirent_name(entry, &length)   // within the record (d_reclen)
            let name = String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
            guard let fd = Int32(name), fd != own, range.contains(UInt32(fd)),
                  !rt.protectedDescriptors.contains(fd) else { continue }
            found.append(fd)
        }
        return found
    }

    static let functions: [String: HostFunction] = [
        "closefrom": { rt, f in
            let low = UInt32(max(0, try f.int32(0)))   // glibc: a negative start is 0
            for fd in openDescriptors(rt, in: low...UInt32.max) { _ = close(fd) }
            f.returnInt(0)
        },
        "close_range": { rt, f in
            let first = UInt32(truncatingIfNeeded: try f.int(0)), last = UInt32(truncatingIfNeeded: try f.int(1))
            let flags = UInt32(truncatingIfNeeded: try f.int(2))
            guard flags & ~(closeRangeUnshare | closeRangeCloexec) == 0, first <= last else {
                rt.setErrno(EINVAL); f.returnInt32(-1); return
            }
            for fd in openDescriptors(rt, in: first...last) {
                if flags & closeRangeCloexec != 0 {
                    let current = fcntl(fd, F_GETFD)
                    if current >= 0 { _ = fcntl(fd, F_SETFD, current | FD_CLOEXEC) }
                } else {
                    _ = close(fd)
                }
            }
            f.returnInt32(0)
        },
    ]
}
