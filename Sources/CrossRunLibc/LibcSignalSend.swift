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
                if sig != 0 { try LibcSignal.deliver(rt, sig, code: siQueue, queued: value, processDirected: true) }
                f.returnInt32(0)
                return
            }
            guard pid > 0 else { rt.setErrno(pid == 0 ? EINVAL : ESRCH); f.returnInt32(-1); return }
            if rt.fileSystem.confined && !LibcSignal.isChild(pid) { rt.setErrno(EPERM); f.returnInt32(-1); return }
            let r = sigqueue(pid, sig, sigval(sival_ptr: UnsafeMutableRawPointer(bitPattern: UInt(value))))
            if r != 0 { rt.setErrno(errno); f.returnInt32(-1) } else { f.returnInt32(0) }
        },
        "sigaltstack": { rt, f in
            let ss = try f.int(0), old = try f.int(1)
            // The new stack is read before the old one is written (they may be the same struct).
            var new: (base: UInt64, flags: Int32, size: UInt64)?
            if ss != 0 {
                _ = try rt.memory.bytes(ss, 24)
                new = (try rt.memory.load(ss, as: UInt64.self), try rt.memory.load(ss &+ 8, as: Int32.self),
                       try rt.memory.load(ss &+ 16, as: UInt64.self))
            }
            if old != 0 {
                _ = try rt.memory.host(old, 24, write: true)
                let current = rt.state.alternateStack
                try rt.memory.store(current?.lowerBound ?? 0, at: old)
                try rt.memory.store(Int32(rt.state.onAlternateStack ? 1 : current == nil ? 2 : 0), at: old &+ 8)   // SS_ONSTACK, SS_DISABLE
                try rt.memory.store(Int32(0), at: old &+ 12)
                try rt.memory.store(UInt64(current.map { $0.upperBound - $0.lowerBound } ?? 0), at: old &+ 16)
            }
            if let new {
                guard !rt.state.onAlternateStack else { rt.setErrno(EPERM); f.returnInt32(-1); return }
                if new.flags == 2 {   // SS_DISABLE
                    rt.state.alternateStack = nil
                } else {
                    guard new.flags & ~Int32(bitPattern: 0x8000_0000) == 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }   // SS_AUTODISARM alone
                    guard new.size >= UInt64(rt.abi.minSignalStackSize) else { rt.setErrno(ENOMEM); f.returnInt32(-1); return }
                    let (end, over) = new.base.addingReportingOverflow(new.size)
                    guard !over else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
                    rt.state.alternateStack = new.base..<end
                }
            }
            f.returnInt32(0)
        },
        "killpg": { rt, f in
            let group = try f.int32(0), sig = try f.int32(1)
            guard group >= 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            if let e = try LibcSignal.send(rt, -group, sig) { rt.setErrno(e); f.returnInt32(-1) } else { f.returnInt32(0) }
        },
    ]
}
