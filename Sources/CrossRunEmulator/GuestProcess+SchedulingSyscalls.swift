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
        guard let pid = schedulingTarget(a[0]) else { return -Int64(EPERM) }
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

    /// The host task a guest's pid names for a scheduling call: 0 (this host thread) for
    /// another guest thread's id; nil (EPERM) under `--root` for a process other than this one
    /// and its children, as `kill`.
    func schedulingTarget(_ word: UInt64) -> pid_t? {
        var pid = pid_t(truncatingIfNeeded: word)
        if pid != 0, pid != getpid(), let s = threads, s.threads.contains(where: { $0.id == pid }) { pid = 0 }
        if runtime.fileSystem.confined && pid != 0 && pid != getpid() && !runtime.isChildProcess(pid) { return nil }
        return pid
    }

    /// The raw scheduling-policy and I/O-priority system calls (toybox's chrt and ionice make
    /// them through `syscall`): the host's, with Linux's policies and classes (the same on
    /// every target); `struct sched_param` is one `int`. Nil for any other call.
    func schedulingSyscall(_ call: GuestSyscall, _ a: [UInt64]) throws -> Int64? {
        func result(_ r: Int) -> Int64 { r < 0 ? -Int64(errno) : Int64(r) }
        let first = Int32(truncatingIfNeeded: a[0])
        switch call {
        case .schedGetPriorityMax: return result(Int(sched_get_priority_max(first)))
        case .schedGetPriorityMin: return result(Int(sched_get_priority_min(first)))
        case .schedGetscheduler:
            guard let pid = schedulingTarget(a[0]) else { return -Int64(EPERM) }
            return result(Int(sched_getscheduler(pid)))
        case .schedGetparam:
            guard let pid = schedulingTarget(a[0]) else { return -Int64(EPERM) }
            _ = try memory.mutableBytes(a[1], 4)
            var param = sched_param()
            let r = sched_getparam(pid, &param)
            if r == 0 { try memory.store(Int32(param.sched_priority), at: a[1]) }
            return result(Int(r))
        case .schedSetparam, .schedSetscheduler:
            guard let pid = schedulingTarget(a[0]) else { return -Int64(EPERM) }
            let address = call == .schedSetparam ? a[1] : a[2]
            var param = sched_param(sched_priority: try memory.load(address, as: Int32.self))
            let r = call == .schedSetparam ? sched_setparam(pid, &param)
                : sched_setscheduler(pid, Int32(truncatingIfNeeded: a[1]), &param)
            return result(Int(r))
        case .ioprioGet, .ioprioSet:
            // Only a process (IOPRIO_WHO_PROCESS, 1) is a task the guest may name as a pid.
            var who = Int32(truncatingIfNeeded: a[1])
            if first == 1 {
                guard let pid = schedulingTarget(a[1]) else { return -Int64(EPERM) }
                who = pid
            } else if runtime.fileSystem.confined {
                return -Int64(EPERM)
            }
            return result(call == .ioprioGet ? crossrun_ioprio_get(first, who)
                          : crossrun_ioprio_set(first, who, Int32(truncatingIfNeeded: a[2])))
        default:
            return nil
        }
    }
}
