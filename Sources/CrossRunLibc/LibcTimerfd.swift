import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `<sys/timerfd.h>`: host timerfds behind guest descriptors, so `read`, `poll`, `select` and
/// `epoll` on them are the host's. `struct itimerspec` (four `long`s) is every LP64 guest's
/// layout; the flags are the guest's open flags, translated.
enum LibcTimerfd {
    static func loadSpec(_ rt: LibcRuntime, _ address: UInt64) throws -> [Int] {
        try (0..<4).map { Int(try rt.memory.load(address &+ UInt64(8 * $0), as: Int64.self)) }
    }

    static func storeSpec(_ rt: LibcRuntime, _ spec: [Int], at address: UInt64) throws {
        _ = try rt.memory.mutableBytes(address, 32)
        for (i, v) in spec.enumerated() { try rt.memory.store(Int64(v), at: address &+ UInt64(8 * i)) }
    }

    static let functions: [String: HostFunction] = [
        "timerfd_create": { rt, f in
            let clock = try f.int32(0), flags = try f.int32(1)
            let fd = crossrun_timerfd_create(clock, rt.hostOpenFlags(flags))
            if fd < 0 { rt.setErrno(errno) }
            f.returnInt32(fd)
        },
        "timerfd_settime": { rt, f in
            let fd = try f.int32(0), flags = try f.int32(1), newAddress = try f.int(2), oldAddress = try f.int(3)
            guard newAddress != 0 else { rt.setErrno(EFAULT); f.returnInt32(-1); return }
            let value = try loadSpec(rt, newAddress)
            if oldAddress != 0 { _ = try rt.memory.mutableBytes(oldAddress, 32) }
            var old = [Int](repeating: 0, count: 4)
            let r = crossrun_timerfd_settime(fd, flags, value, &old)
            guard r == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
            if oldAddress != 0 { try storeSpec(rt, old, at: oldAddress) }
            f.returnInt32(0)
        },
        "timerfd_gettime": { rt, f in
            let fd = try f.int32(0), address = try f.int(1)
            var value = [Int](repeating: 0, count: 4)
            let r = crossrun_timerfd_gettime(fd, &value)
            guard r == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
            guard address != 0 else { rt.setErrno(EFAULT); f.returnInt32(-1); return }
            try storeSpec(rt, value, at: address)
            f.returnInt32(0)
        },
    ]
}
