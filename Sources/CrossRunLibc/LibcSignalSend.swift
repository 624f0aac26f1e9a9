#if canImport(Glibc)
import Glibc
#endif

/// `sigqueue` and `killpg`: sending signals as `kill` does (``LibcSignal/send(_:_:_:)``).
/// `sigqueue` to this process delivers in-process with `SI_QUEUE` and the value, so an
/// `SA_SIGINFO` handler sees `si_value`; to another process it is the host's `sigqueue`
/// (a CrossRun child gets the value through the host's `siginfo_t`:
/// ``LibcRuntime/deliverHostSignal(_:)``). Blocked real-time signals (32 and up) queue, each
/// instance with its value (``LibcSignal/deliverOne``); ordinary ones merge.
enum LibcSignalSend {
    /// `SI_QUEUE`, Linux's.
    static let siQueue: Int32 = -1

    static let functions: [String: HostFunction] = [
        "sigqueue": { rt, f in
            let pid = try f.int32(0), sig = try f.int32(1), value = try f.int(2)
            guard sig >= 0 && sig < 65 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            if pid == getpid() {
                if sig != 0 { try LibcSignal.deliver(rt, sig, code: siQueue, queued: value) }
                f.returnInt32(0)
                return
            }
            guard pid > 0 else { rt.setErrno(pid == 0 ? EINVAL : ESRCH); f.returnInt32(-1); return }
            if rt.fileSystem.confined && !LibcSignal.isChild(pid) { rt.setErrno(EPERM); f.returnInt32(-1); return }
            let r = sigqueue(pid, sig, sigval(sival_ptr: UnsafeMutableRawPointer(bitPattern: UInt(value))))
            if r != 0 { rt.setErrno(errno); f.returnInt32(-1) } else { f.returnInt32(0) }
        },
        "killpg": { rt, f in
            let group = try f.int32(0), sig = try f.int32(1)
            guard group >= 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            if let e = try LibcSignal.send(rt, -group, sig) { rt.setErrno(e); f.returnInt32(-1) } else { f.returnInt32(0) }
        },
    ]
}
