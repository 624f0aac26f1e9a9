import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// sched.h's CPU queries (`sched_yield` belongs to the thread scheduler). The guest runs in
/// this host process, so its CPU and affinity are the host thread's.
enum LibcSched {
    /// Bytes of a CPU mask the host is asked for: 65,536 CPUs, whatever size the guest gives.
    static let maximumMaskBytes = 8192

    static let functions: [String: HostFunction] = [
        // Linux's ranges per policy, the same on every target (EINVAL for an unknown policy).
        "sched_get_priority_max": { rt, f in LibcPosix.result(rt, f, Int(sched_get_priority_max(try f.int32(0)))) },
        "sched_get_priority_min": { rt, f in LibcPosix.result(rt, f, Int(sched_get_priority_min(try f.int32(0)))) },
        "sched_getcpu": { rt, f in LibcPosix.result(rt, f, Int(crossrun_sched_getcpu())) },
        // glibc's wrapper: the kernel fills what it knows, the rest of the guest's mask is zeroed.
        "sched_getaffinity": LibcPosix.faultIsEFAULT { rt, f in
            let pid = pid_t(truncatingIfNeeded: try f.int(0))
            // Under --root, as kill: only this process and its own children.
            if rt.fileSystem.confined && pid != 0 && pid != getpid() && !rt.isChildProcess(pid) {
                rt.setErrno(EPERM); f.returnInt32(-1); return
            }
            let size = try f.int(1), mask = try f.int(2)
            guard size <= UInt64(Int32.max) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let guest = try rt.memory.host(mask, Int(size), write: true)
            var buffer = [UInt8](repeating: 0, count: min(Int(size), maximumMaskBytes))
            let r = buffer.withUnsafeMutableBytes { crossrun_sched_getaffinity(pid, $0.count, $0.baseAddress) }
            guard r == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
            guest.initializeMemory(as: UInt8.self, repeating: 0, count: Int(size))
            buffer.withUnsafeBytes { if let b = $0.baseAddress { guest.copyMemory(from: b, byteCount: $0.count) } }
            f.returnInt32(0)
        },
        // The host thread's (pid 0) or a host process's affinity, as natively (under --root only
        // this process's and its children's): the guest's mask
        // up to 65,536 CPUs (the kernel ignores CPUs it does not have; none left is EINVAL).
        "sched_setaffinity": LibcPosix.faultIsEFAULT { rt, f in
            let pid = pid_t(truncatingIfNeeded: try f.int(0))
            // Under --root, as kill: only this process and its own children.
            if rt.fileSystem.confined && pid != 0 && pid != getpid() && !rt.isChildProcess(pid) {
                rt.setErrno(EPERM); f.returnInt32(-1); return
            }
            let size = try f.int(1), mask = try f.int(2)
            guard size <= UInt64(Int32.max) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let guest = try rt.memory.host(mask, Int(size), write: false)
            var buffer = [UInt8](repeating: 0, count: min(Int(size), maximumMaskBytes))
            buffer.withUnsafeMutableBytes { if let b = $0.baseAddress { b.copyMemory(from: guest, byteCount: $0.count) } }
            let r = buffer.withUnsafeBytes { crossrun_sched_setaffinity(pid, $0.count, $0.baseAddress) }
            LibcPosix.result(rt, f, Int(r))
        },
    ]
}
