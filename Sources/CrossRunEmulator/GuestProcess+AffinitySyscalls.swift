import CPosixLib
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

extension GuestProcess {
    /// The raw `sched_getaffinity`/`sched_setaffinity` system calls (toybox's taskset makes
    /// them through `syscall`): the host thread's affinity, as the library functions give it,
    /// but with the kernel's result: the getter answers how many bytes of mask it wrote (glibc's
    /// wrapper answers 0 and zeroes the rest). Another guest thread's id means this host
    /// thread (every guest thread runs on it); under `--root` only this process and its
    /// children may be named, as `kill`. Nil for any other call.
    func affinitySyscall(_ call: GuestSyscall, _ a: [UInt64]) throws -> Int64? {
        guard call == .schedGetaffinity || call == .schedSetaffinity else { return nil }
        var pid = pid_t(truncatingIfNeeded: a[0])
        if pid != 0, pid != getpid(), let s = threads, s.threads.contains(where: { $0.id == pid }) { pid = 0 }
        if runtime.fileSystem.confined && pid != 0 && pid != getpid() && !runtime.isChildProcess(pid) { return -Int64(EPERM) }
        guard a[1] <= UInt64(Int32.max) else { return -Int64(EINVAL) }
        let size = min(Int(a[1]), 8192)   // 65,536 CPUs: more than the kernel's mask
        var buffer = [UInt8](repeating: 0, count: size)
        if call == .schedSetaffinity {
            if size > 0 { buffer = Array(try memory.bytes(a[2], size)) }
            let r = buffer.withUnsafeBytes { crossrun_sched_setaffinity(pid, $0.count, $0.baseAddress) }
            return r == 0 ? 0 : -Int64(errno)
        }
        let r = buffer.withUnsafeMutableBytes { crossrun_raw_sched_getaffinity(pid, $0.count, $0.baseAddress) }
        guard r >= 0 else { return -Int64(errno) }
        if r > 0 { try memory.write(Array(buffer.prefix(min(r, size))), at: a[2]) }
        return Int64(r)
    }
}
