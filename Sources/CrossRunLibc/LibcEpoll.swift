#if canImport(Glibc)
import Glibc
#endif
import CHostSystem

/// `<sys/epoll.h>` and `<sys/eventfd.h>`: host epoll and eventfd descriptors behind the
/// guest's (descriptors are host descriptors). `struct epoll_event` is translated between the
/// guest's layout (packed 12 bytes on x86-64, 16 elsewhere: ``GuestABI/epollEventPacked``) and
/// the host's; the `data` word is the guest's, carried through untouched. `epoll_wait` fills
/// at most ``maximumEvents`` entries per call (fewer than asked is what epoll may return anyway).
enum LibcEpoll {
    static let maximumEvents = 1024

    static func layout(_ rt: LibcRuntime) -> (size: UInt64, data: UInt64) {
        rt.abi.epollEventPacked ? (12, 4) : (16, 8)
    }

    static func loadEvent(_ rt: LibcRuntime, _ a: UInt64) throws -> epoll_event {
        let (_, data) = layout(rt)
        var e = epoll_event()
        e.events = try rt.memory.load(a, as: UInt32.self)
        e.data.u64 = try rt.memory.load(a &+ data, as: UInt64.self)
        return e
    }

    static func storeEvents(_ rt: LibcRuntime, _ events: ArraySlice<epoll_event>, at a: UInt64) throws {
        let (size, data) = layout(rt)
        for (i, e) in events.enumerated() {
            let at = a &+ UInt64(i) &* size
            try rt.memory.store(e.events, at: at)
            if data == 8 { try rt.memory.store(UInt32(0), at: at &+ 4) }
            try rt.memory.store(e.data.u64, at: at &+ data)
        }
    }

    /// `epoll_wait`/`epoll_pwait`: waits on the host, then writes the ready events.
    static func wait(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let timeout = try f.int32(3)
        try wait(rt, f) { epoll_wait($0, $1, $2, timeout) }
    }

    /// `epoll_pwait2`: `epoll_pwait` with a `timespec` limit (NULL: none); a negative time or
    /// a nanosecond count out of range is EINVAL, as the kernel answers. The mask is not
    /// applied, as `epoll_pwait`'s.
    static func waitTimespec(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let limit = try f.int(3)
        var time = timespec()
        if limit != 0 {
            let seconds = try rt.memory.load(limit, as: Int64.self), nanoseconds = try rt.memory.load(limit &+ 8, as: Int64.self)
            guard seconds >= 0, nanoseconds >= 0, nanoseconds < 1_000_000_000 else {
                rt.setErrno(EINVAL); f.returnInt32(-1); return
            }
            time = timespec(tv_sec: Int(seconds), tv_nsec: Int(nanoseconds))
        }
        try wait(rt, f) { epfd, events, count in
            limit == 0 ? epoll_pwait2(epfd, events, count, nil, nil) : epoll_pwait2(epfd, events, count, &time, nil)
        }
    }

    /// Checks the guest's event array, waits with `hostWait` (descriptor, host events, count),
    /// then writes the ready events.
    private static func wait(_ rt: LibcRuntime, _ f: any CallFrame,
                             _ hostWait: (Int32, UnsafeMutablePointer<epoll_event>, Int32) -> Int32) throws {
        let epfd = try f.int32(0), out = try f.int(1), maximum = try f.int32(2)
        guard maximum > 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
        let count = min(Int(maximum), maximumEvents)
        let (size, _) = layout(rt)
        _ = try rt.memory.mutableBytes(out, count * Int(size))    // a bad buffer faults before waiting
        var events = [epoll_event](repeating: epoll_event(), count: count)
        let n = events.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return 0 }
            return hostWait(epfd, base, Int32(count))
        }
        guard n >= 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
        try storeEvents(rt, events[0..<Int(n)], at: out)
        f.returnInt32(n)
    }

    static let functions: [String: HostFunction] = [
        "epoll_create": { rt, f in
            guard try f.int32(0) > 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            LibcPosix.result(rt, f, Int(epoll_create1(0)))
        },
        "epoll_create1": { rt, f in
            let flags = try f.int32(0)
            guard flags & ~Int32(EPOLL_CLOEXEC) == 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            LibcPosix.result(rt, f, Int(epoll_create1(flags)))
        },
        "epoll_ctl": { rt, f in
            let op = try f.int32(1), event = try f.int(3)
            var e = epoll_event()
            if op != EPOLL_CTL_DEL || event != 0 {
                guard event != 0 else { rt.setErrno(EFAULT); f.returnInt32(-1); return }
                e = try loadEvent(rt, event)
            }
            LibcPosix.result(rt, f, Int(epoll_ctl(try f.int32(0), op, try f.int32(2), &e)))
        },
        "epoll_wait": { rt, f in try wait(rt, f) },
        "epoll_pwait": { rt, f in try wait(rt, f) },
        "epoll_pwait2": { rt, f in try waitTimespec(rt, f) },
        "eventfd": { rt, f in
            let flags = try f.int32(1)
            let known = Int32(EFD_SEMAPHORE) | Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK)
            guard flags & ~known == 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            LibcPosix.result(rt, f, Int(eventfd(UInt32(truncatingIfNeeded: try f.int(0)), flags)))
        },
        "eventfd_read": { rt, f in
            var value: UInt64 = 0
            let n = read(try f.int32(0), &value, 8)
            guard n == 8 else { if n >= 0 { rt.setErrno(EIO) } else { rt.setErrno(errno) }; f.returnInt32(-1); return }
            try rt.memory.store(value, at: f.int(1))
            f.returnInt32(0)
        },
        "eventfd_write": { rt, f in
            var value = try f.int(1)
            let n = write(try f.int32(0), &value, 8)
            guard n == 8 else { if n >= 0 { rt.setErrno(EIO) } else { rt.setErrno(errno) }; f.returnInt32(-1); return }
            f.returnInt32(0)
        },
    ]
}
