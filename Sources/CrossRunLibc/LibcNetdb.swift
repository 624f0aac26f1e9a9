#if canImport(Glibc)
import Glibc
#endif

/// `<arpa/inet.h>` conversions and `<netdb.h>` resolution: the host's implementations on
/// bounded copies of guest strings and addresses; result lists (`addrinfo`, `hostent`,
/// `servent`) are built in guest memory with the guest ABI's layouts, so no host pointer
/// reaches the guest. Under `--root` only numeric hosts and services are resolved (a name
/// lookup reads `/etc/hosts` and asks DNS servers: outside the root).
enum LibcNetdb {
    /// Longest `addrinfo` list copied to the guest.
    static let maximumResults = 256
    /// Bytes of the static `hostent`/`servent` areas (a longer answer keeps what fits).
    static let staticArea = 4096

    static func confined(_ rt: LibcRuntime) -> Bool { rt.fileSystem.confined }

    static let functions: [String: HostFunction] = [
        "inet_pton": { rt, f in
            let af = try f.int32(0)
            let text = try rt.memory.string(f.int(1))
            let size = af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0
            guard size > 0 else { rt.setErrno(EAFNOSUPPORT); f.returnInt32(-1); return }
            var out = [UInt8](repeating: 0, count: 16)
            let r = Glibc.inet_pton(af, text, &out)
            if r == 1 { try rt.memory.write(out.prefix(size), at: f.int(2)) }
            f.returnInt32(r)
        },
        "inet_ntop": { rt, f in
            let af = try f.int32(0), dst = try f.int(2)
            let size = af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0
            guard size > 0 else { rt.setErrno(EAFNOSUPPORT); f.returnInt(0); return }
            let address = Array(try rt.memory.bytes(f.int(1), size))
            var text = [CChar](repeating: 0, count: 64)
            guard Glibc.inet_ntop(af, address, &text, 64) != nil else { rt.setErrno(errno); f.returnInt(0); return }
            let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) } + [0]
            guard bytes.count <= Int(UInt32(truncatingIfNeeded: try f.int(3))) else { rt.setErrno(ENOSPC); f.returnInt(0); return }
            try rt.memory.write(bytes, at: dst)
            f.returnInt(dst)
        },
        // in_addr_t is 32-bit: returnUInt32 widens it as the ABI wants (riscv64 sign-extends).
        "inet_addr": { rt, f in f.returnUInt32(Glibc.inet_addr(try rt.memory.string(f.int(0)))) },
        "inet_network": { rt, f in f.returnUInt32(Glibc.inet_network(try rt.memory.string(f.int(0)))) },
        "inet_aton": { rt, f in
            var a = in_addr()
            let r = Glibc.inet_aton(try rt.memory.string(f.int(0)), &a)
            let out = try f.int(1)
            if r != 0 && out != 0 { try rt.memory.store(a.s_addr, at: out) }
            f.returnInt32(r)
        },
        "inet_ntoa": { rt, f in
            // struct in_addr by value: its one 32-bit member in the first integer register.
            let a = UInt32(truncatingIfNeeded: try f.int(0))
            let text = "\(a & 0xff).\(a >> 8 & 0xff).\(a >> 16 & 0xff).\(a >> 24)"
            let out = try rt.staticObject("inet_ntoa", size: 18)
            try rt.memory.write(Array(text.utf8) + [0], at: out)
            f.returnInt(out)
        },
        "getaddrinfo": { rt, f in try getaddrinfo(rt, f) },
        "freeaddrinfo": { rt, f in
            var p = try f.int(0)
            var count = 0
            let next = UInt64(rt.abi.linux.sockets.addrinfo.next.offset)
            while p != 0 && count < 1 << 20 {
                let following = try rt.memory.load(p &+ next, as: UInt64.self)
                try LibcMemory.release(rt, p)
                p = following
                count += 1
            }
        },
        "gai_strerror": { rt, f in
            let code = try f.int32(0)
            f.returnInt(try rt.internedString(String(cString: Glibc.gai_strerror(code))))
        },
        "getnameinfo": { rt, f in try getnameinfo(rt, f) },
        "__h_errno_location": { rt, f in f.returnInt(try rt.staticObject("h_errno", size: 4)) },
        "hstrerror": { rt, f in
            let code = try f.int32(0)
            f.returnInt(try rt.internedString(Glibc.hstrerror(code).map { String(cString: $0) } ?? "Unknown resolver error"))
        },
        "gethostbyname": { rt, f in
            let name = try rt.memory.string(f.int(0))
            var numeric = in_addr()
            if confined(rt) && Glibc.inet_aton(name, &numeric) == 0 { try setHostError(rt, HOST_NOT_FOUND); f.returnInt(0); return }
            f.returnInt(try storeHost(rt, Glibc.gethostbyname(name)))
        },
        "gethostbyaddr": { rt, f in
            let length = Int(min(try f.int(1), 16))
            let bytes = Array(try rt.memory.bytes(f.int(0), length))
            if confined(rt) { try setHostError(rt, HOST_NOT_FOUND); f.returnInt(0); return }
            f.returnInt(try storeHost(rt, Glibc.gethostbyaddr(bytes, socklen_t(length), try f.int32(2))))
        },
        "getservbyname": { rt, f in
            let name = try rt.memory.string(f.int(0)), protoAddress = try f.int(1)
            let proto = protoAddress == 0 ? nil : try rt.memory.string(protoAddress)
            if confined(rt) { f.returnInt(0); return }
            f.returnInt(try storeService(rt, Glibc.getservbyname(name, proto)))
        },
        "getservbyport": { rt, f in
            let port = try f.int32(0), protoAddress = try f.int(1)
            let proto = protoAddress == 0 ? nil : try rt.memory.string(protoAddress)
            if confined(rt) { f.returnInt(0); return }
            f.returnInt(try storeService(rt, Glibc.getservbyport(port, proto)))
        },
    ]

    static func setHostError(_ rt: LibcRuntime, _ code: Int32) throws {
        try rt.memory.store(code, at: rt.staticObject("h_errno", size: 4))
    }

    static func getaddrinfo(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let l = rt.abi.linux.sockets.addrinfo
        let nodeAddress = try f.int(0), serviceAddress = try f.int(1), hintsAddress = try f.int(2), resultAddress = try f.int(3)
        let node = nodeAddress == 0 ? nil : try rt.memory.string(nodeAddress)
        let service = serviceAddress == 0 ? nil : try rt.memory.string(serviceAddress)
        var hints = addrinfo()
        if hintsAddress != 0 {
            let r = try GuestStructReader(rt.memory, at: hintsAddress, size: l.size)
            hints.ai_flags = Int32(truncatingIfNeeded: try r.signed(l.flags))
            hints.ai_family = Int32(truncatingIfNeeded: try r.signed(l.family))
            hints.ai_socktype = Int32(truncatingIfNeeded: try r.signed(l.socktype))
            hints.ai_protocol = Int32(truncatingIfNeeded: try r.signed(l.proto))
        } else {
            hints.ai_flags = AI_V4MAPPED | AI_ADDRCONFIG   // glibc's default hints
        }
        if confined(rt) { hints.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV }
        _ = try rt.memory.mutableBytes(resultAddress, 8)
        var list: UnsafeMutablePointer<addrinfo>?
        let r = Glibc.getaddrinfo(node, service, &hints, &list)
        guard r == 0 else {
            if r == EAI_SYSTEM { rt.setErrno(errno) }
            f.returnInt32(r)
            return
        }
        defer { Glibc.freeaddrinfo(list) }
        var head: UInt64 = 0, tail: UInt64 = 0, count = 0
        var node_ = list
        while let n = node_, count < maximumResults {
            let a = n.pointee
            let addressBytes = a.ai_addr.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(a.ai_addrlen))) } ?? []
            let canonical = a.ai_canonname.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) + [0] }
            let size = l.size + addressBytes.count + (canonical?.count ?? 0)
            let block = try LibcMemory.allocate(rt, size, zero: true)
            guard block != 0 else {
                try releaseList(rt, head)
                f.returnInt32(EAI_MEMORY)
                return
            }
            let w = try GuestStructWriter(rt.memory, at: block, size: l.size)
            try w.set(l.flags, Int64(a.ai_flags)); try w.set(l.family, Int64(a.ai_family))
            try w.set(l.socktype, Int64(a.ai_socktype)); try w.set(l.proto, Int64(a.ai_protocol))
            try w.set(l.addrlen, UInt64(addressBytes.count))
            if !addressBytes.isEmpty {
                try rt.memory.write(addressBytes, at: block + UInt64(l.size))
                try w.set(l.addr, block + UInt64(l.size))
            }
            if let canonical {
                let at = block + UInt64(l.size + addressBytes.count)
                try rt.memory.write(canonical, at: at)
                try w.set(l.canonname, at)
            }
            if tail == 0 { head = block } else { try rt.memory.store(block, at: tail + UInt64(l.next.offset)) }
            tail = block
            count += 1
            node_ = a.ai_next
        }
        try rt.memory.store(head, at: resultAddress)
        f.returnInt32(0)
    }

    static func releaseList(_ rt: LibcRuntime, _ head: UInt64) throws {
        var p = head
        while p != 0 {
            let next = try rt.memory.load(p + UInt64(rt.abi.linux.sockets.addrinfo.next.offset), as: UInt64.self)
            try LibcMemory.release(rt, p)
            p = next
        }
    }

    static func getnameinfo(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        // glibc reads no more than the family's address; a longer length is accepted.
        let length = min(UInt64(UInt32(truncatingIfNeeded: try f.int(1))), UInt64(rt.abi.linux.sockets.sockaddrStorageSize))
        let address = Array(try rt.memory.bytes(f.int(0), Int(length)))
        let hostOut = try f.int(2), hostRoom = Int(min(UInt64(UInt32(truncatingIfNeeded: try f.int(3))), 1025))
        let serviceOut = try f.int(4), serviceRoom = Int(min(UInt64(UInt32(truncatingIfNeeded: try f.int(5))), 32))
        var flags = try f.int32(6)
        if confined(rt) { flags |= NI_NUMERICHOST | NI_NUMERICSERV }
        var host = [CChar](repeating: 0, count: max(hostRoom, 1)), service = [CChar](repeating: 0, count: max(serviceRoom, 1))
        let wantHost = hostOut != 0 && hostRoom > 0, wantService = serviceOut != 0 && serviceRoom > 0
        var storage = sockaddr_storage()
        let r = withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyBytes(from: address)
            return host.withUnsafeMutableBufferPointer { h in
                service.withUnsafeMutableBufferPointer { s in
                    Glibc.getnameinfo(raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(address.count),
                                      wantHost ? h.baseAddress : nil, socklen_t(wantHost ? hostRoom : 0),
                                      wantService ? s.baseAddress : nil, socklen_t(wantService ? serviceRoom : 0), flags)
                }
            }
        }
        if r == 0 {
            if wantHost { try rt.memory.write(host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) } + [0], at: hostOut) }
            if wantService { try rt.memory.write(service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) } + [0], at: serviceOut) }
        } else if r == EAI_SYSTEM {
            rt.setErrno(errno)
        }
        f.returnInt32(r)
    }

    /// Lays out strings and pointer arrays in a fixed static guest area, keeping what fits.
    struct StaticArea {
        let rt: LibcRuntime
        let base: UInt64
        var used: Int

        /// Stores `bytes`, returning their guest address (0 when full).
        mutating func put(_ bytes: [UInt8]) throws -> UInt64 {
            guard used + bytes.count <= LibcNetdb.staticArea else { return 0 }
            let a = base + UInt64(used)
            try rt.memory.write(bytes, at: a)
            used += (bytes.count + 7) & ~7
            return a
        }

        /// Stores a NULL-terminated pointer array for `items` (as many as fit).
        mutating func putArray(_ items: [[UInt8]]) throws -> UInt64 {
            var pointers: [UInt64] = []
            for item in items {
                let a = try put(item)
                if a == 0 { break }
                pointers.append(a)
            }
            let bytes = (pointers + [0]).flatMap { p in (0..<8).map { UInt8(truncatingIfNeeded: p >> (8 * $0)) } }
            return try put(bytes)
        }
    }

    /// A host NULL-terminated `char **` as byte strings (at most 64).
    static func strings(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [[UInt8]] {
        guard let list else { return [] }
        var out: [[UInt8]] = []
        var i = 0
        while let s = list[i], i < 64 { out.append(Array(UnsafeRawBufferPointer(start: s, count: strlen(s))) + [0]); i += 1 }
        return out
    }

    /// Copies a host `hostent` into the guest's static one (NULL with `h_errno` set for nil).
    static func storeHost(_ rt: LibcRuntime, _ entry: UnsafeMutablePointer<hostent>?) throws -> UInt64 {
        guard let e = entry?.pointee else { try setHostError(rt, __h_errno_location().pointee); return 0 }
        let l = rt.abi.linux.sockets.hostent
        let base = try rt.staticObject("hostent", size: staticArea)
        var area = StaticArea(rt: rt, base: base, used: l.size)
        let length = Int(max(0, min(e.h_length, 16)))
        var addresses: [[UInt8]] = []
        if let list = e.h_addr_list {
            var i = 0
            while let a = list[i], i < 16 { addresses.append(Array(UnsafeRawBufferPointer(start: a, count: length))); i += 1 }
        }
        let name = try area.put(e.h_name.map { Array(UnsafeRawBufferPointer(start: $0, count: min(strlen($0), 255))) + [0] } ?? [0])
        let aliases = try area.putArray(strings(e.h_aliases))
        let addressList = try area.putArray(addresses)
        let w = try GuestStructWriter(rt.memory, at: base, size: l.size)
        try w.set(l.name, name); try w.set(l.aliases, aliases); try w.set(l.addrtype, Int64(e.h_addrtype))
        try w.set(l.length, Int64(length)); try w.set(l.addrList, addressList)
        return base
    }

    /// Copies a host `servent` into the guest's static one.
    static func storeService(_ rt: LibcRuntime, _ entry: UnsafeMutablePointer<servent>?) throws -> UInt64 {
        guard let e = entry?.pointee else { return 0 }
        let l = rt.abi.linux.sockets.servent
        let base = try rt.staticObject("servent", size: staticArea)
        var area = StaticArea(rt: rt, base: base, used: l.size)
        let text = { (p: UnsafeMutablePointer<CChar>?) -> [UInt8] in
            guard let p else { return [0] }
            return Array(UnsafeRawBufferPointer(start: p, count: min(strlen(p), 255))) + [0]
        }
        let name = try area.put(text(e.s_name)), proto = try area.put(text(e.s_proto))
        let aliases = try area.putArray(strings(e.s_aliases))
        let w = try GuestStructWriter(rt.memory, at: base, size: l.size)
        try w.set(l.name, name); try w.set(l.aliases, aliases); try w.set(l.port, Int64(e.s_port)); try w.set(l.proto, proto)
        return base
    }
}
