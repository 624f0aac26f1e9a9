import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// Network interfaces: `<ifaddrs.h>`'s `getifaddrs` (the host's list copied into one guest
/// block, as glibc allocates it, so `freeifaddrs` is one `free`), `<net/if.h>`'s
/// `if_nameindex`, and `sockatmark`. `sockaddr` layouts are the kernel's, the same for every
/// guest. Under `--root` (no network, not even netlink) the interface lists are `EACCES`.
enum LibcInterfaces {
    /// Most interfaces/addresses copied to the guest.
    static let maximumEntries = 4096
    /// Bytes of `struct rtnl_link_stats`, the `ifa_data` of `AF_PACKET` entries.
    static let linkStatsSize = 96

    /// The bytes of the host `sockaddr` at `p` (its family's size), or nil.
    static func socketAddress(_ p: UnsafeMutablePointer<sockaddr>?) -> [UInt8]? {
        guard let p else { return nil }
        let size: Int
        switch Int32(p.pointee.sa_family) {
        case AF_INET: size = MemoryLayout<sockaddr_in>.size
        case AF_INET6: size = MemoryLayout<sockaddr_in6>.size
        case AF_PACKET: size = 20   // struct sockaddr_ll
        default: size = MemoryLayout<sockaddr>.size
        }
        return Array(UnsafeRawBufferPointer(start: p, count: size))
    }

    /// A host C string as bytes with its NUL (at most 255 of them before it).
    static func name(_ p: UnsafeMutablePointer<CChar>?) -> [UInt8] {
        guard let p else { return [0] }
        return Array(UnsafeRawBufferPointer(start: p, count: min(strlen(p), 255))) + [0]
    }

    /// One interface address, copied out of the host's list.
    struct Entry {
        var name: [UInt8]
        var flags: UInt32
        var addresses: [[UInt8]?]   // addr, netmask, broadcast/destination
        var data: [UInt8]?

        /// Bytes this entry takes in the guest block (each piece 8-aligned).
        var size: Int {
            let pieces = [name] + addresses.compactMap { $0 } + (data.map { [$0] } ?? [])
            return pieces.reduce(56) { $0 + (($1.count + 7) & ~7) }
        }
    }

    static func getifaddrs(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let out = try f.int(0)
        _ = try rt.memory.mutableBytes(out, 8)
        if rt.fileSystem.confined { rt.setErrno(EACCES); f.returnInt32(-1); return }
        var list: UnsafeMutablePointer<ifaddrs>?
        guard Glibc.getifaddrs(&list) == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
        defer { Glibc.freeifaddrs(list) }
        var entries: [Entry] = []
        var node = list
        while let n = node, entries.count < maximumEntries {
            let a = n.pointee
            let packet = a.ifa_addr.map { Int32($0.pointee.sa_family) == AF_PACKET } ?? false
            let data: [UInt8]? = packet ? a.ifa_data.map { Array(UnsafeRawBufferPointer(start: UnsafeRawPointer($0), count: linkStatsSize)) } : nil
            entries.append(Entry(name: name(a.ifa_name), flags: a.ifa_flags,
                                 addresses: [socketAddress(a.ifa_addr), socketAddress(a.ifa_netmask), socketAddress(a.ifa_ifu.ifu_broadaddr)],
                                 data: data))
            node = a.ifa_next
        }
        guard !entries.isEmpty else { try rt.memory.store(UInt64(0), at: out); f.returnInt32(0); return }
        let l = rt.abi.linux.sockets.ifaddrs
        let total = entries.reduce(0) { $0 + $1.size }
        let block = try LibcMemory.allocate(rt, total, zero: true)
        guard block != 0 else { rt.setErrno(ENOMEM); f.returnInt32(-1); return }
        var cursor = block
        func put(_ bytes: [UInt8]) throws -> UInt64 {
            let a = cursor
            try rt.memory.write(bytes, at: a)
            cursor += UInt64((bytes.count + 7) & ~7)
            return a
        }
        var previous: UInt64 = 0
        for e in entries {
            let structure = cursor
            cursor += UInt64(l.size)
            let w = try GuestStructWriter(rt.memory, at: structure, size: l.size)
            try w.set(l.name, try put(e.name))
            try w.set(l.flags, UInt64(e.flags))
            for (field, bytes) in zip([l.addr, l.netmask, l.ifu], e.addresses) {
                if let bytes { try w.set(field, try put(bytes)) }
            }
            if let data = e.data { try w.set(l.data, try put(data)) }
            if previous != 0 { try rt.memory.store(structure, at: previous + UInt64(l.next.offset)) }
            previous = structure
        }
        try rt.memory.store(block, at: out)
        f.returnInt32(0)
    }

    static func ifNameIndex(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        if rt.fileSystem.confined { rt.setErrno(EACCES); f.returnInt(0); return }
        guard let list = crossrun_if_nameindex() else { rt.setErrno(errno); f.returnInt(0); return }
        defer { crossrun_if_freenameindex(list) }
        var items: [(UInt32, [UInt8])] = []
        var i = 0
        while list[i].if_index != 0 || list[i].if_name != nil, items.count < maximumEntries {
            items.append((list[i].if_index, name(list[i].if_name)))
            i += 1
        }
        let l = rt.abi.linux.sockets.ifNameIndex
        let arrayBytes = (items.count + 1) * l.size
        let block = try LibcMemory.allocate(rt, arrayBytes + items.reduce(0) { $0 + $1.1.count }, zero: true)
        guard block != 0 else { rt.setErrno(ENOBUFS); f.returnInt(0); return }
        var cursor = block + UInt64(arrayBytes)
        for (k, (index, name)) in items.enumerated() {
            let w = try GuestStructWriter(rt.memory, at: block + UInt64(k * l.size), size: l.size)
            try rt.memory.write(name, at: cursor)
            try w.set(l.index, UInt64(index))
            try w.set(l.name, cursor)
            cursor += UInt64(name.count)
        }
        f.returnInt(block)
    }

    static let functions: [String: HostFunction] = [
        "getifaddrs": { rt, f in try getifaddrs(rt, f) },
        // The list is one block from malloc.
        "freeifaddrs": { rt, f in let p = try f.int(0); if p != 0 { try LibcMemory.release(rt, p) } },
        "if_nameindex": { rt, f in try ifNameIndex(rt, f) },
        "if_freenameindex": { rt, f in let p = try f.int(0); if p != 0 { try LibcMemory.release(rt, p) } },
        "sockatmark": { rt, f in
            let r = Glibc.sockatmark(try f.int32(0))
            if r < 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
    ]
}
