#if canImport(Glibc)
import Glibc
#endif

extension GuestSockets {
    /// Linux's `MSG_WAITFORONE`: after the first datagram, `recvmmsg` does not wait.
    static let waitForOne: Int32 = 0x10000
    /// The most messages one `sendmmsg`/`recvmmsg` handles (the kernel's `UIO_MAXIOV`).
    static let maximumMessages: UInt64 = 1024

    /// `struct mmsghdr`'s size and its `msg_len` field's offset: a `msghdr`, then an
    /// `unsigned int`, padded to the `msghdr`'s 8-byte alignment.
    static func multipleMessageLayout(_ rt: LibcRuntime) -> (size: UInt64, lengthOffset: UInt64) {
        let header = UInt64(rt.abi.linux.sockets.msghdr.size)
        return ((header + 4 + 7) & ~7, header)
    }

    /// `sendmmsg`: each message as ``sendmsg(_:_:_:_:)`` sends it, its byte count stored in
    /// its `msg_len`; as the kernel, an error after the first message ends the call with the
    /// number sent so far, and an error on the first is the call's.
    public static func sendmmsg(_ rt: LibcRuntime, _ fd: Int32, _ vector: UInt64, _ count: UInt64, _ flags: Int32) throws -> Int64 {
        let layout = multipleMessageLayout(rt)
        var done: UInt64 = 0
        while done < min(count, maximumMessages) {
            let entry = vector &+ done &* layout.size
            let r = try sendmsg(rt, fd, entry, flags)
            if r < 0 { return done == 0 ? r : Int64(done) }
            try rt.memory.store(UInt32(truncatingIfNeeded: r), at: entry &+ layout.lengthOffset)
            done += 1
        }
        return Int64(done)
    }

    /// `recvmmsg`: each message as ``recvmsg(_:_:_:_:)`` receives it, its byte count in its
    /// `msg_len`; `MSG_WAITFORONE` makes every receive after the first non-blocking, and an
    /// error (`EAGAIN` included) after the first message ends the call with the count so far.
    /// The timeout, which Linux checks only after each datagram, is not applied.
    public static func recvmmsg(_ rt: LibcRuntime, _ fd: Int32, _ vector: UInt64, _ count: UInt64, _ flags: Int32) throws -> Int64 {
        let layout = multipleMessageLayout(rt)
        var done: UInt64 = 0
        var current = flags & ~waitForOne
        while done < min(count, maximumMessages) {
            let entry = vector &+ done &* layout.size
            let r = try recvmsg(rt, fd, entry, current)
            if r < 0 { return done == 0 ? r : Int64(done) }
            try rt.memory.store(UInt32(truncatingIfNeeded: r), at: entry &+ layout.lengthOffset)
            done += 1
            if flags & waitForOne != 0 { current |= Int32(MSG_DONTWAIT) }
        }
        return Int64(done)
    }
}
