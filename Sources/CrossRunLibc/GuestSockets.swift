#if canImport(Glibc)
import Glibc
#endif
import CHostSystem

/// The socket calls as the kernel answers them — a result or `-errno` — shared by the C
/// library's wrappers (``LibcSockets``) and the emulator's raw system calls. Guest descriptors
/// are host descriptors; addresses, option values and messages are copied through checked
/// guest memory with the guest ABI's layouts (``LinuxLP64/Sockets``), bounded as Linux bounds
/// them, so no guest pointer or length ever reaches the host unchecked.
///
/// Under `--root`, UNIX-domain paths resolve inside the root (through ``GuestFileSystem``), and
/// everything that leaves the file system is refused with `EACCES`: sockets of other families
/// (the network) and abstract UNIX addresses (doc/ISOLATION.md).
public enum GuestSockets {
    /// A call's failure: the errno to report.
    struct Failure: Error { var code: Int32 }

    /// Longest control-message buffer `sendmsg`/`recvmsg` pass (Linux's `optmem_max` default is
    /// 20 KiB; longer ones are `ENOBUFS` there too).
    static let maximumControlLength = 20480
    /// Longest option value passed to `setsockopt`/`getsockopt` (the flat options are ≤ 16 bytes).
    static let maximumOptionLength = 256
    /// Linux's `MAX_RW_COUNT`: longer transfers are shortened.
    static let maximumTransfer = 0x7fff_f000

    static func hostResult(_ r: Int) -> Int64 { r < 0 ? -Int64(errno) : Int64(r) }

    /// Runs `body`, turning a ``Failure`` into `-errno`.
    static func kernel(_ body: () throws -> Int64) throws -> Int64 {
        do { return try body() } catch let failure as Failure { return -Int64(failure.code) }
    }

    // MARK: Addresses

    /// The host's form of the guest socket address of `length` bytes at `address`: the same
    /// bytes, except a UNIX-domain path, resolved like any guest path. `creating`: `bind`
    /// (the last component is not followed, and the guest's umask applies).
    static func hostAddress(_ rt: LibcRuntime, _ address: UInt64, _ length: UInt64, creating: Bool) throws -> [UInt8] {
        let s = rt.abi.linux.sockets
        guard length <= UInt64(s.sockaddrStorageSize) else { throw Failure(code: EINVAL) }
        let bytes = Array(try rt.memory.bytes(address, Int(length)))
        guard bytes.count >= 2 else { return bytes }
        let family = Int32(UInt16(bytes[0]) | UInt16(bytes[1]) << 8)
        guard family == s.afUnix, bytes.count > s.sunPathOffset else { return bytes }
        let path = Array(bytes[s.sunPathOffset...].prefix { $0 != 0 })
        if path.isEmpty {
            // An abstract address (a leading NUL) names no file: outside any root.
            if rt.fileSystem.confined { throw Failure(code: EACCES) }
            return bytes
        }
        let host: [CChar]
        do throws(GuestFileSystem.Failure) {
            host = try rt.fileSystem.resolve(path, followLast: !creating).host
        } catch { throw Failure(code: error.code) }
        guard host.count <= s.sunPathSize else { throw Failure(code: ENAMETOOLONG) }
        return Array(bytes[..<s.sunPathOffset]) + host.map { UInt8(bitPattern: $0) }
    }

    /// The guest's form of a host socket address (a UNIX-domain path inside the root loses the root).
    static func guestAddress(_ rt: LibcRuntime, _ bytes: [UInt8]) -> [UInt8] {
        let s = rt.abi.linux.sockets
        guard let root = rt.fileSystem.root, bytes.count > s.sunPathOffset,
              Int32(UInt16(bytes[0]) | UInt16(bytes[1]) << 8) == s.afUnix else { return bytes }
        let path = Array(bytes[s.sunPathOffset...].prefix { $0 != 0 })
        guard path.count > root.count, Array(path[..<root.count]) == root, path[root.count] == UInt8(ascii: "/") else { return bytes }
        return Array(bytes[..<s.sunPathOffset]) + path[root.count...] + [0]
    }

    /// Stores a host address for the guest at `address` with its length at `lengthAddress`
    /// (`socklen_t`, in: room, out: the full length), truncated to the room as Linux does.
    static func storeAddress(_ rt: LibcRuntime, _ host: [UInt8], _ address: UInt64, _ lengthAddress: UInt64) throws {
        guard address != 0 else { return }
        let room = try rt.memory.load(lengthAddress, as: Int32.self)
        guard room >= 0 else { throw Failure(code: EINVAL) }
        let guest = guestAddress(rt, host)
        try rt.memory.write(guest.prefix(Int(room)), at: address)
        try rt.memory.store(UInt32(guest.count), at: lengthAddress)
    }

    /// Calls `body` with host storage for an address and its length, then stores what it
    /// wrote for the guest (when `address` is not NULL).
    static func receivingAddress(_ rt: LibcRuntime, _ address: UInt64, _ lengthAddress: UInt64,
                                 _ body: (UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?) -> Int) throws -> Int64 {
        if address != 0 { _ = try rt.memory.load(lengthAddress, as: UInt32.self) }   // EFAULT before the call, as Linux
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutableBytes(of: &storage) { raw in
            address == 0 ? body(nil, nil) : body(raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), &length)
        }
        guard r >= 0 else { return -Int64(errno) }
        if address != 0 {
            let bytes = withUnsafeBytes(of: &storage) { Array($0.prefix(Int(min(length, socklen_t(MemoryLayout<sockaddr_storage>.size))))) }
            try storeAddress(rt, bytes, address, lengthAddress)
        }
        return Int64(r)
    }

    static func withHostAddress(_ bytes: [UInt8], _ body: (UnsafePointer<sockaddr>?, socklen_t) -> Int) -> Int {
        var storage = sockaddr_storage()
        return withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyBytes(from: bytes.prefix(raw.count))
            return body(raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
        }
    }

    /// Host address space where every access faults: `maximumTransfer` bytes of `PROT_NONE`
    /// (reserved, never backed), or nil if the host refused to reserve it.
    nonisolated(unsafe) static let faultArea: UnsafeMutableRawPointer? = {
        let p = mmap(nil, maximumTransfer, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        return p == MAP_FAILED ? nil : p
    }()

    /// Host memory for a transfer of `count` guest bytes at `address` (capped as Linux caps it).
    /// A guest range that is not entirely accessible becomes ``faultArea``: the host kernel
    /// then checks the other arguments first and answers EFAULT when it touches the data, in
    /// Linux's order (an oversized datagram is EMSGSIZE, a datagram received into a bad buffer
    /// is consumed), instead of CrossRun failing before the call.
    static func buffer(_ rt: LibcRuntime, _ address: UInt64, _ count: UInt64, write: Bool) throws -> (UnsafeMutableRawPointer?, Int) {
        let n = Int(min(count, UInt64(maximumTransfer)))
        if n == 0 { return (nil, 0) }
        if let p = try? rt.memory.host(address, n, write: write) { return (p, n) }
        guard let faultArea else { throw Failure(code: EFAULT) }
        return (faultArea, n)
    }

    // MARK: Calls

    public static func socket(_ rt: LibcRuntime, _ domain: Int32, _ type: Int32, _ proto: Int32) -> Int64 {
        if rt.fileSystem.confined && domain != rt.abi.linux.sockets.afUnix { return -Int64(EACCES) }
        return hostResult(Int(Glibc.socket(domain, type, proto)))
    }

    public static func socketpair(_ rt: LibcRuntime, _ domain: Int32, _ type: Int32, _ proto: Int32, _ pair: UInt64) throws -> Int64 {
        _ = try rt.memory.mutableBytes(pair, 8)
        var fds: [Int32] = [-1, -1]
        let r = Glibc.socketpair(domain, type, proto, &fds)
        guard r == 0 else { return -Int64(errno) }
        try rt.memory.store(fds[0], at: pair)
        try rt.memory.store(fds[1], at: pair + 4)
        return 0
    }

    public static func bind(_ rt: LibcRuntime, _ fd: Int32, _ address: UInt64, _ length: UInt64) throws -> Int64 {
        try kernel {
            let host = try hostAddress(rt, address, length, creating: true)
            return hostResult(rt.creatingFiles { withHostAddress(host) { Int(Glibc.bind(fd, $0, $1)) } })
        }
    }

    public static func connect(_ rt: LibcRuntime, _ fd: Int32, _ address: UInt64, _ length: UInt64) throws -> Int64 {
        try kernel {
            let host = try hostAddress(rt, address, length, creating: false)
            return hostResult(withHostAddress(host) { Int(Glibc.connect(fd, $0, $1)) })
        }
    }

    public static func accept(_ rt: LibcRuntime, _ fd: Int32, _ address: UInt64, _ lengthAddress: UInt64, _ flags: Int32) throws -> Int64 {
        try kernel { try receivingAddress(rt, address, lengthAddress) { Int(crossrun_accept4(fd, $0, $1, flags)) } }
    }

    public static func socketName(_ rt: LibcRuntime, _ fd: Int32, _ address: UInt64, _ lengthAddress: UInt64, peer: Bool) throws -> Int64 {
        try kernel {
            _ = try rt.memory.load(lengthAddress, as: UInt32.self)
            return try receivingAddress(rt, address, lengthAddress) { Int(peer ? getpeername(fd, $0, $1) : getsockname(fd, $0, $1)) }
        }
    }

    public static func sendto(_ rt: LibcRuntime, _ fd: Int32, _ data: UInt64, _ count: UInt64, _ flags: Int32,
                              _ address: UInt64, _ length: UInt64) throws -> Int64 {
        try kernel {
            let (p, n) = try buffer(rt, data, count, write: false)
            guard address != 0 else { return hostResult(Glibc.send(fd, p, n, flags)) }
            let host = try hostAddress(rt, address, length, creating: false)
            return hostResult(withHostAddress(host) { Glibc.sendto(fd, p, n, flags, $0, $1) })
        }
    }

    public static func recvfrom(_ rt: LibcRuntime, _ fd: Int32, _ data: UInt64, _ count: UInt64, _ flags: Int32,
                                _ address: UInt64, _ lengthAddress: UInt64) throws -> Int64 {
        try kernel {
            let (p, n) = try buffer(rt, data, count, write: true)
            return try receivingAddress(rt, address, lengthAddress) { Glibc.recvfrom(fd, p, n, flags, $0, $1) }
        }
    }

    public static func shutdown(_ fd: Int32, _ how: Int32) -> Int64 { hostResult(Int(Glibc.shutdown(fd, how))) }
    public static func listen(_ fd: Int32, _ backlog: Int32) -> Int64 { hostResult(Int(Glibc.listen(fd, backlog))) }

    /// Whether option `name` at `level` has a flat value (no pointers in it) that may go to the host.
    static func optionIsFlat(_ rt: LibcRuntime, _ level: Int32, _ name: Int32) -> Bool {
        let s = rt.abi.linux.sockets
        switch level {
        case s.solSocket: return s.socketOptions.contains(name)
        case s.ipprotoTCP: return s.tcpOptions.contains(name)
        case s.ipprotoIP: return s.ipOptions.contains(name)
        case s.ipprotoIPv6: return s.ipv6Options.contains(name)
        default: return false
        }
    }

    public static func setsockopt(_ rt: LibcRuntime, _ fd: Int32, _ level: Int32, _ name: Int32, _ value: UInt64, _ length: UInt64) throws -> Int64 {
        guard optionIsFlat(rt, level, name) else { return -Int64(ENOPROTOOPT) }
        // Linux reads only the bytes an option needs (a flat option needs at most 16), so a
        // longer length is fine there as long as those bytes are readable: pass on what is.
        var bytes: [UInt8] = []
        if length > 0 {
            let span = try rt.memory.readableSpan(from: value)
            bytes = Array(span.prefix(Int(min(length, UInt64(maximumOptionLength)))))
        }
        return hostResult(Int(bytes.withUnsafeBytes { Glibc.setsockopt(fd, level, name, $0.baseAddress, socklen_t(bytes.count)) }))
    }

    public static func getsockopt(_ rt: LibcRuntime, _ fd: Int32, _ level: Int32, _ name: Int32, _ value: UInt64, _ lengthAddress: UInt64) throws -> Int64 {
        let room = try rt.memory.load(lengthAddress, as: Int32.self)
        guard optionIsFlat(rt, level, name) else { return -Int64(ENOPROTOOPT) }
        guard room >= 0 else { return -Int64(EINVAL) }
        var out = [UInt8](repeating: 0, count: maximumOptionLength)
        var length = socklen_t(min(Int(room), maximumOptionLength))
        let r = out.withUnsafeMutableBytes { Glibc.getsockopt(fd, level, name, $0.baseAddress, &length) }
        guard r == 0 else { return -Int64(errno) }
        let n = min(Int(length), Int(room), maximumOptionLength)
        if n > 0 { try rt.memory.write(out.prefix(n), at: value) }
        try rt.memory.store(UInt32(n), at: lengthAddress)
        return 0
    }
}

extension GuestSockets {
    /// The raw socket system calls (arguments as the kernel receives them); nil for other calls.
    public static func perform(_ call: GuestSyscall, _ a: [UInt64], _ rt: LibcRuntime) throws -> Int64? {
        func i(_ n: Int) -> Int32 { Int32(truncatingIfNeeded: a[n]) }
        let len = { (n: Int) in UInt64(UInt32(truncatingIfNeeded: a[n])) }
        switch call {
        case .socket: return socket(rt, i(0), i(1), i(2))
        case .socketpair: return try socketpair(rt, i(0), i(1), i(2), a[3])
        case .bind: return try bind(rt, i(0), a[1], len(2))
        case .connect: return try connect(rt, i(0), a[1], len(2))
        case .listen: return listen(i(0), i(1))
        case .accept: return try accept(rt, i(0), a[1], a[2], 0)
        case .accept4: return try accept(rt, i(0), a[1], a[2], i(3))
        case .getsockname: return try socketName(rt, i(0), a[1], a[2], peer: false)
        case .getpeername: return try socketName(rt, i(0), a[1], a[2], peer: true)
        case .sendto: return try sendto(rt, i(0), a[1], a[2], i(3), a[4], len(5))
        case .recvfrom: return try recvfrom(rt, i(0), a[1], a[2], i(3), a[4], a[5])
        case .setsockopt: return try setsockopt(rt, i(0), i(1), i(2), a[3], len(4))
        case .getsockopt: return try getsockopt(rt, i(0), i(1), i(2), a[3], a[4])
        case .shutdown: return shutdown(i(0), i(1))
        case .sendmsg: return try sendmsg(rt, i(0), a[1], i(2))
        case .recvmsg: return try recvmsg(rt, i(0), a[1], i(2))
        default: return nil
        }
    }
}
