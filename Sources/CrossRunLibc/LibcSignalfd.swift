#if canImport(Glibc)
import Glibc
#endif
import CHostSystem

/// `signalfd` over the guest's emulated signal state (the guest's mask and pending signals
/// are CrossRun's, so a host signalfd would never see them). Each guest signalfd is a host
/// eventfd (always non-blocking on the host) behind the guest descriptor: it is made readable
/// whenever a signal of its mask becomes pending for the guest, so `poll`, `select` and
/// `epoll` on it are the host's; `read` takes pending signals of the mask, lowest first, as
/// 128-byte `struct signalfd_siginfo` records (signal, `si_code`, the sender: another process that sent it, else this one)
/// and drains the eventfd once none is left. Not covered: `readv`/`recv` and raw system calls
/// on it, and a descriptor `dup`ed from it (reads of the copy see the eventfd).
enum LibcSignalfd {
    /// One guest signalfd: the signals it reports and whether its reads block.
    struct Descriptor {
        var mask: UInt64
        var nonblocking: Bool
    }

    static let recordSize = 128
    static let nonblockFlag: Int32 = 0o4000, cloexecFlag: Int32 = 0o2000000

    /// Marks every signalfd whose mask holds `sig` readable (`sig` just became pending).
    static func signalPending(_ rt: LibcRuntime, _ sig: Int32) {
        for (fd, d) in rt.posix.signalFDs where d.mask & LibcSignal.bit(sig) != 0 { mark(fd) }
    }

    /// Makes the eventfd behind `fd` readable.
    static func mark(_ fd: Int32) {
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, 8)
    }

    /// Empties the eventfd of `fd` once no signal of its mask is pending.
    static func settle(_ rt: LibcRuntime, _ fd: Int32, _ d: Descriptor) {
        guard rt.pendingSignals & d.mask == 0 else { return }
        var value: UInt64 = 0
        _ = Glibc.read(fd, &value, 8)
    }

    /// `read` on a signalfd: at least one record's room, else EINVAL; nothing pending is EAGAIN
    /// for a non-blocking one and, for a blocking one, a wait in the host until a signal
    /// interrupts it (EINTR: the signal is then pending, and the next read takes it).
    static func read(_ rt: LibcRuntime, _ f: any CallFrame, fd: Int32, _ d: Descriptor) throws {
        let buffer = try f.int(1), count = try f.size(2)
        guard count >= recordSize else { rt.setErrno(EINVAL); f.returnSigned(-1); return }
        var ready = rt.pendingSignals & d.mask
        if ready == 0 {
            settle(rt, fd, d)
            guard !d.nonblocking else { rt.setErrno(EAGAIN); f.returnSigned(-1); return }
            var wait = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&wait, 1, -1)
            rt.setErrno(EINTR)
            f.returnSigned(-1)
            return
        }
        var taken = 0
        while ready != 0 && (taken + 1) * recordSize <= count {
            let sig = Int32(ready.trailingZeroBitCount + 1)
            ready &= ready &- 1
            let at = buffer &+ UInt64(taken * recordSize)
            let out = try GuestStructWriter(rt.memory, at: at, size: recordSize)
            try out.set(Field(0, 4), Int64(sig))                                      // ssi_signo
            try out.set(Field(8, 4), Int64(rt.posix.pendingSignalCodes[sig] ?? 0))    // ssi_code
            let sender = rt.state.signalSenders.removeValue(forKey: sig)              // another process's
            try out.set(Field(12, 4), Int64(sender?.pid ?? getpid()))                 // ssi_pid
            try out.set(Field(16, 4), UInt64(sender?.uid ?? getuid()))                // ssi_uid
            _ = rt.takePendingSignal(sig)
            rt.posix.pendingSignalCodes[sig] = nil
            taken += 1
        }
        settle(rt, fd, d)
        f.returnSigned(Int64(taken * recordSize))
    }

    static let functions: [String: HostFunction] = [
        "signalfd": { rt, f in
            let fd = try f.int32(0), setAddress = try f.int(1), flags = try f.int32(2)
            guard flags & ~(nonblockFlag | cloexecFlag) == 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let mask = try rt.memory.load(setAddress, as: UInt64.self) & ~LibcSignal.unblockable
            var descriptor = Descriptor(mask: mask, nonblocking: flags & nonblockFlag != 0)
            var target = fd
            if fd == -1 {
                target = eventfd(0, Int32(EFD_NONBLOCK) | (flags & cloexecFlag != 0 ? Int32(EFD_CLOEXEC) : 0))
                guard target >= 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
            } else if let existing = rt.posix.signalFDs[fd] {
                descriptor.nonblocking = existing.nonblocking   // Linux: only the mask changes
            } else {
                rt.setErrno(EINVAL)   // not a signalfd (as Linux)
                f.returnInt32(-1)
                return
            }
            rt.posix.signalFDs[target] = descriptor
            settle(rt, target, descriptor)
            if rt.pendingSignals & mask != 0 { mark(target) }
            f.returnInt32(target)
        },
    ]
}
