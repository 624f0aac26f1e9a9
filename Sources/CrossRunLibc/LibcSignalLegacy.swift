#if canImport(Glibc)
import Glibc
#endif

/// The older signal interfaces glibc still declares, over the same dispositions and mask as
/// `sigaction`/`sigprocmask`, with glibc's semantics: the SVID `ssignal`/`gsignal`, the BSD
/// one-word masks (`sigblock`, `sigsetmask`, `siggetmask`: signals 1–32, the rest of the mask
/// cleared by `sigsetmask` as glibc's does), `siginterrupt` (`SA_RESTART` off or on), System V's
/// `sighold`/`sigrelse`/`sigignore`/`sigset` (`SIG_HOLD`), `sigstack` (over `sigaltstack`, as
/// glibc's Linux version), and `psiginfo`. (`sigpause`'s forms wait, so they live with `sigsuspend` in the
/// emulator.)
enum LibcSignalLegacy {
    /// `SIG_HOLD`: `sigset`'s "block it" disposition, and its answer for a blocked signal.
    static let SIG_HOLD: UInt64 = 2

    /// The low word of a mask as the BSD interfaces return it (`(int)(unsigned)set.__val[0]`
    /// truncated to 32 bits).
    static func oldMask(_ mask: UInt64) -> Int32 { Int32(truncatingIfNeeded: mask) }

    /// `sigaddset`'s check: glibc rejects 0, numbers past 64 and its two internal real-time
    /// signals (32, 33), which `sigprocmask` would not let a program block anyway.
    static func maskable(_ sig: Int32) -> Bool { sig > 0 && sig < 65 && sig != 32 && sig != 33 }

    /// Sets `sig`'s disposition as `sigaction` does (mask empty, the given flags).
    static func setDisposition(_ rt: LibcRuntime, _ sig: Int32, handler: UInt64, flags: Int32) {
        rt.signalHandlers[sig] = handler
        rt.signalActions[sig] = (0, flags)
        rt.signalDispositionChanged?(sig, handler, flags)
        rt.discardPendingIfIgnored(sig)
    }

    static let functions: [String: HostFunction] = [
        "ssignal": { rt, f in try LibcSignal.functions["signal"].map { try $0(rt, f) } },
        "gsignal": { rt, f in try LibcSignal.functions["raise"].map { try $0(rt, f) } },
        "sigblock": { rt, f in
            let previous = rt.signalMask
            try rt.setSignalMask(previous | UInt64(UInt32(bitPattern: try f.int32(0))))
            f.returnInt32(oldMask(previous))
        },
        "sigsetmask": { rt, f in
            let previous = rt.signalMask
            try rt.setSignalMask(UInt64(UInt32(bitPattern: try f.int32(0))))
            f.returnInt32(oldMask(previous))
        },
        "siggetmask": { rt, f in f.returnInt32(oldMask(rt.signalMask)) },
        "sigstack": { rt, f in
            // glibc's Linux version: sigaltstack with `ss_sp` as the base and, having no size,
            // everything down to address 0 as the size; the old stack's base and SS_ONSTACK back.
            let ss = try f.int(0), oss = try f.int(1)
            var new: Range<UInt64>?
            if ss != 0 {
                let base = try rt.memory.load(ss, as: UInt64.self)
                _ = try rt.memory.load(ss &+ 8, as: Int32.self)   // ss_onstack: any value enables it
                guard !rt.state.onAlternateStack else { rt.setErrno(EPERM); f.returnInt32(-1); return }
                guard base >= UInt64(rt.abi.minSignalStackSize) else { rt.setErrno(ENOMEM); f.returnInt32(-1); return }
                let (end, over) = base.addingReportingOverflow(base)
                guard !over else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
                new = base..<end
            }
            if oss != 0 {
                _ = try rt.memory.host(oss, 16, write: true)
                try rt.memory.store(rt.state.alternateStack?.lowerBound ?? 0, at: oss)
                try rt.memory.store(Int32(rt.state.onAlternateStack ? 1 : 0), at: oss &+ 8)
            }
            if let new { rt.state.alternateStack = new }
            f.returnInt32(0)
        },
        "siginterrupt": { rt, f in
            let sig = try f.int32(0), interrupt = try f.int32(1)
            guard LibcSignal.valid(sig) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let action = rt.signalActions[sig] ?? (0, 0)
            let restart: Int32 = 0x1000_0000
            let flags = interrupt != 0 ? action.flags & ~restart : action.flags | restart
            rt.signalActions[sig] = (action.mask, flags)
            rt.signalDispositionChanged?(sig, rt.signalHandlers[sig] ?? LibcSignal.SIG_DFL, flags)
            f.returnInt32(0)
        },
        "sighold": { rt, f in
            let sig = try f.int32(0)
            guard maskable(sig) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            try rt.setSignalMask(rt.signalMask | LibcSignal.bit(sig))
            f.returnInt32(0)
        },
        "sigrelse": { rt, f in
            let sig = try f.int32(0)
            guard maskable(sig) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            try rt.setSignalMask(rt.signalMask & ~LibcSignal.bit(sig))
            f.returnInt32(0)
        },
        "sigignore": { rt, f in
            let sig = try f.int32(0)
            guard LibcSignal.valid(sig) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            setDisposition(rt, sig, handler: LibcSignal.SIG_IGN, flags: 0)
            f.returnInt32(0)
        },
        "sigset": { rt, f in
            let sig = try f.int32(0), disposition = try f.int(1)
            guard disposition != LibcSignal.SIG_ERR, sig > 0, sig < 65 else { rt.setErrno(EINVAL); f.returnInt(LibcSignal.SIG_ERR); return }
            let wasBlocked = rt.signalMask & LibcSignal.bit(sig) != 0
            if disposition == SIG_HOLD {
                guard maskable(sig) else { rt.setErrno(EINVAL); f.returnInt(LibcSignal.SIG_ERR); return }
                try rt.setSignalMask(rt.signalMask | LibcSignal.bit(sig))
                f.returnInt(wasBlocked ? SIG_HOLD : rt.signalHandlers[sig] ?? LibcSignal.SIG_DFL)
                return
            }
            guard LibcSignal.valid(sig) else { rt.setErrno(EINVAL); f.returnInt(LibcSignal.SIG_ERR); return }
            let old = rt.signalHandlers[sig] ?? LibcSignal.SIG_DFL
            setDisposition(rt, sig, handler: disposition, flags: 0)
            try rt.setSignalMask(rt.signalMask & ~LibcSignal.bit(sig))   // delivers it if it was pending
            f.returnInt(wasBlocked ? SIG_HOLD : old)
        },
        "psiginfo": { rt, f in
            // glibc formats into a memory stream and writes it to descriptor 2 in one write,
            // past the stderr stream's buffer: the host's psiginfo on a copy of the guest's
            // siginfo_t (the same 128 bytes on every 64-bit Linux) writes the same bytes to the
            // same descriptor (guest descriptors are the host's).
            let info = try f.int(0), prefix = try f.int(1)
            var copy = siginfo_t()
            let size = rt.abi.linux.siginfo.size
            guard size == MemoryLayout<siginfo_t>.size else { throw GuestFault(address: info, size: size, access: .read) }
            let source = try rt.memory.host(info, size, write: false)
            withUnsafeMutableBytes(of: &copy) { $0.copyMemory(from: UnsafeRawBufferPointer(start: source, count: size)) }
            if prefix == 0 {
                psiginfo(&copy, nil)
            } else {
                let text = Array(try rt.memory.cString(prefix)).map { CChar(bitPattern: $0) } + [0]
                psiginfo(&copy, text)
            }
        },
    ]
}
