#if canImport(Glibc)
import Glibc
#endif

/// `<sys/socket.h>` and the byte-order functions of `<netinet/in.h>`: the C library's
/// wrappers around ``GuestSockets`` (a failure is -1 with the guest's errno set, a bad
/// pointer EFAULT as the system calls answer).
enum LibcSockets {
    /// Returns a kernel-style result (`-errno` on failure) the C library's way.
    static func finish(_ rt: LibcRuntime, _ f: any CallFrame, _ r: Int64) {
        if r < 0 { rt.setErrno(Int32(-r)); f.returnSigned(-1) } else { f.returnSigned(r) }
    }

    static let functions: [String: HostFunction] = all.mapValues(LibcPosix.faultIsEFAULT).merging(byteOrder) { a, _ in a }

    static let all: [String: HostFunction] = [
        "socket": { rt, f in finish(rt, f, GuestSockets.socket(rt, try f.int32(0), try f.int32(1), try f.int32(2))) },
        "socketpair": { rt, f in finish(rt, f, try GuestSockets.socketpair(rt, try f.int32(0), try f.int32(1), try f.int32(2), try f.int(3))) },
        "bind": { rt, f in finish(rt, f, try GuestSockets.bind(rt, try f.int32(0), try f.int(1), UInt64(UInt32(truncatingIfNeeded: try f.int(2))))) },
        "connect": { rt, f in finish(rt, f, try GuestSockets.connect(rt, try f.int32(0), try f.int(1), UInt64(UInt32(truncatingIfNeeded: try f.int(2))))) },
        "listen": { rt, f in finish(rt, f, GuestSockets.listen(try f.int32(0), try f.int32(1))) },
        "accept": { rt, f in finish(rt, f, try GuestSockets.accept(rt, try f.int32(0), try f.int(1), try f.int(2), 0)) },
        "accept4": { rt, f in finish(rt, f, try GuestSockets.accept(rt, try f.int32(0), try f.int(1), try f.int(2), try f.int32(3))) },
        "getsockname": { rt, f in finish(rt, f, try GuestSockets.socketName(rt, try f.int32(0), try f.int(1), try f.int(2), peer: false)) },
        "getpeername": { rt, f in finish(rt, f, try GuestSockets.socketName(rt, try f.int32(0), try f.int(1), try f.int(2), peer: true)) },
        "shutdown": { rt, f in finish(rt, f, GuestSockets.shutdown(try f.int32(0), try f.int32(1))) },
        "send": { rt, f in finish(rt, f, try GuestSockets.sendto(rt, try f.int32(0), try f.int(1), try f.int(2), try f.int32(3), 0, 0)) },
        "recv": { rt, f in finish(rt, f, try GuestSockets.recvfrom(rt, try f.int32(0), try f.int(1), try f.int(2), try f.int32(3), 0, 0)) },
        "sendto": { rt, f in
            finish(rt, f, try GuestSockets.sendto(rt, try f.int32(0), try f.int(1), try f.int(2), try f.int32(3), try f.int(4),
                                                  UInt64(UInt32(truncatingIfNeeded: try f.int(5)))))
        },
        "recvfrom": { rt, f in
            finish(rt, f, try GuestSockets.recvfrom(rt, try f.int32(0), try f.int(1), try f.int(2), try f.int32(3), try f.int(4), try f.int(5)))
        },
        "sendmsg": { rt, f in finish(rt, f, try GuestSockets.sendmsg(rt, try f.int32(0), try f.int(1), try f.int32(2))) },
        "recvmsg": { rt, f in finish(rt, f, try GuestSockets.recvmsg(rt, try f.int32(0), try f.int(1), try f.int32(2))) },
        "sendmmsg": { rt, f in
            finish(rt, f, try GuestSockets.sendmmsg(rt, try f.int32(0), try f.int(1), UInt64(UInt32(truncatingIfNeeded: try f.int(2))), try f.int32(3)))
        },
        "recvmmsg": { rt, f in
            finish(rt, f, try GuestSockets.recvmmsg(rt, try f.int32(0), try f.int(1), UInt64(UInt32(truncatingIfNeeded: try f.int(2))), try f.int32(3)))
        },
        "setsockopt": { rt, f in
            finish(rt, f, try GuestSockets.setsockopt(rt, try f.int32(0), try f.int32(1), try f.int32(2), try f.int(3),
                                                      UInt64(UInt32(truncatingIfNeeded: try f.int(4)))))
        },
        "getsockopt": { rt, f in
            finish(rt, f, try GuestSockets.getsockopt(rt, try f.int32(0), try f.int32(1), try f.int32(2), try f.int(3), try f.int(4)))
        },
        "if_nametoindex": { rt, f in
            let name = try rt.memory.string(f.int(0))
            let r = Glibc.if_nametoindex(name)
            if r == 0 { rt.setErrno(errno) }
            f.returnUInt32(r)
        },
        "if_indextoname": { rt, f in
            var name = [CChar](repeating: 0, count: Int(IF_NAMESIZE))
            guard Glibc.if_indextoname(UInt32(truncatingIfNeeded: try f.int(0)), &name) != nil else { rt.setErrno(errno); f.returnInt(0); return }
            let out = try f.int(1)
            try rt.memory.write(name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) } + [0], at: out)
            f.returnInt(out)
        },
    ]

    /// `htonl` and friends as functions (the headers also have them as macros).
    static let byteOrder: [String: HostFunction] = [
        "htonl": { _, f in f.returnUInt32(UInt32(truncatingIfNeeded: try f.int(0)).byteSwapped) },
        "ntohl": { _, f in f.returnUInt32(UInt32(truncatingIfNeeded: try f.int(0)).byteSwapped) },
        "htons": { _, f in f.returnInt(UInt64(UInt16(truncatingIfNeeded: try f.int(0)).byteSwapped)) },
        "ntohs": { _, f in f.returnInt(UInt64(UInt16(truncatingIfNeeded: try f.int(0)).byteSwapped)) },
    ]
}
