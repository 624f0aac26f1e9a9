#if canImport(Glibc)
import Glibc
#endif

/// The rest of `<netdb.h>`: the services and protocols databases (`getservent`,
/// `getprotobyname` & co., the host's `/etc/services` and `/etc/protocols`), `gethostbyname2`
/// and the reentrant host lookups, which pack the entry into the caller's buffer with the
/// guest ABI's `hostent` layout. Under `--root` nothing is read from those files and host
/// lookups are numeric only, as for ``LibcNetdb``'s.
enum LibcNetdbBreadth {
    /// Bytes laid out in a guest buffer `[base, base + capacity)`, each piece 8-aligned.
    struct PackedArea {
        struct Full: Error {}
        let memory: any GuestMemory
        let base: UInt64
        let capacity: Int
        var used = 0

        mutating func put(_ bytes: [UInt8]) throws -> UInt64 {
            let start = (used + 7) & ~7
            guard start <= capacity, bytes.count <= capacity - start else { throw Full() }
            let a = base &+ UInt64(start)
            try memory.write(bytes, at: a)
            used = start + bytes.count
            return a
        }

        mutating func putArray(_ items: [[UInt8]]) throws -> UInt64 {
            let pointers = try items.map { try put($0) } + [0]
            return try put(pointers.flatMap { p in (0..<8).map { UInt8(truncatingIfNeeded: p >> (8 * $0)) } })
        }
    }

    /// A host `hostent` as bytes: name, aliases and addresses (at most 16 of 16 bytes each).
    struct HostEntry {
        var name: [UInt8]
        var aliases: [[UInt8]]
        var type: Int32
        var length: Int
        var addresses: [[UInt8]]

        init(_ e: hostent) {
            name = e.h_name.map { Array(UnsafeRawBufferPointer(start: $0, count: min(strlen($0), 1024))) + [0] } ?? [0]
            aliases = LibcNetdb.strings(e.h_aliases)
            type = e.h_addrtype
            length = Int(max(0, min(e.h_length, 16)))
            addresses = []
            if let list = e.h_addr_list {
                var i = 0
                while let a = list[i], i < 16 { addresses.append(Array(UnsafeRawBufferPointer(start: a, count: length))); i += 1 }
            }
        }

        /// Writes the guest `hostent` at `address` with its data packed in `area`.
        func write(_ rt: LibcRuntime, at address: UInt64, area: inout PackedArea) throws {
            let l = rt.abi.linux.sockets.hostent
            let addressList = try area.putArray(addresses)
            let aliasList = try area.putArray(aliases)
            let nameAddress = try area.put(name)
            let w = try GuestStructWriter(rt.memory, at: address, size: l.size)
            try w.set(l.name, nameAddress); try w.set(l.aliases, aliasList); try w.set(l.addrtype, Int64(type))
            try w.set(l.length, Int64(length)); try w.set(l.addrList, addressList)
        }
    }

    /// Runs a host `gethostby*_r` with a growing buffer (up to 1 MiB).
    static func hostLookup(_ body: (inout hostent, UnsafeMutablePointer<CChar>, Int, inout UnsafeMutablePointer<hostent>?, inout Int32) -> Int32)
        -> (entry: HostEntry?, result: Int32, hostError: Int32) {
        var size = 4096
        while size <= 1 << 20 {
            var entry = hostent(), result: UnsafeMutablePointer<hostent>?, hostError: Int32 = 0
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let r = body(&entry, buffer, size, &result, &hostError)
            if r == ERANGE { size *= 4; continue }
            return (result == nil ? nil : HostEntry(entry), r, hostError)
        }
        return (nil, ERANGE, NETDB_INTERNAL)
    }

    /// Whether `name` is a numeric address of `family` (all that `--root` resolves).
    static func numeric(_ name: String, family: Int32) -> Bool {
        var out = [UInt8](repeating: 0, count: 16)
        if family == AF_INET { var a = in_addr(); return Glibc.inet_aton(name, &a) != 0 }
        return Glibc.inet_pton(family, name, &out) == 1
    }

    /// `gethostby*_r(..., struct hostent *ret, char *buf, size_t buflen, struct hostent **result, int *h_errnop)`
    /// with the last four integer arguments at `first`.
    static func reentrant(_ rt: LibcRuntime, _ f: any CallFrame, first: Int,
                          _ lookup: () -> (entry: HostEntry?, result: Int32, hostError: Int32)) throws {
        let out = try f.int(first), buffer = try f.int(first + 1), capacity = try f.size(first + 2)
        let resultCell = try f.int(first + 3), errorCell = try f.int(first + 4)
        try rt.memory.store(UInt64(0), at: resultCell)
        let found = lookup()
        guard let entry = found.entry else {
            if errorCell != 0 { try rt.memory.store(found.hostError == 0 ? HOST_NOT_FOUND : found.hostError, at: errorCell) }
            f.returnInt32(found.result)
            return
        }
        var area = PackedArea(memory: rt.memory, base: buffer, capacity: capacity)
        do {
            try entry.write(rt, at: out, area: &area)
        } catch is PackedArea.Full {
            if errorCell != 0 { try rt.memory.store(NETDB_INTERNAL, at: errorCell) }
            f.returnInt32(ERANGE)
            return
        }
        try rt.memory.store(out, at: resultCell)
        f.returnInt32(0)
    }

    /// A host `servent`/`protoent` as bytes: name, aliases, the number, and (services) the protocol.
    struct NamedEntry {
        var name: [UInt8], aliases: [[UInt8]], number: Int32, proto: [UInt8]?

        static func text(_ p: UnsafeMutablePointer<CChar>?) -> [UInt8] {
            guard let p else { return [0] }
            return Array(UnsafeRawBufferPointer(start: p, count: min(strlen(p), 1024))) + [0]
        }
    }

    /// Runs a host `get{serv,proto}by*_r` with a growing buffer (up to 1 MiB).
    static func namedLookup<T>(_ empty: T, _ body: (inout T, UnsafeMutablePointer<CChar>, Int, inout UnsafeMutablePointer<T>?) -> Int32,
                               _ convert: (T) -> NamedEntry) -> (NamedEntry?, Int32) {
        var size = 4096
        while size <= 1 << 20 {
            var value = empty, result: UnsafeMutablePointer<T>?
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let r = body(&value, buffer, size, &result)
            if r == ERANGE { size *= 4; continue }
            return (result == nil ? nil : convert(value), r)
        }
        return (nil, ERANGE)
    }

    static func service(_ e: servent) -> NamedEntry {
        NamedEntry(name: NamedEntry.text(e.s_name), aliases: LibcNetdb.strings(e.s_aliases), number: e.s_port, proto: NamedEntry.text(e.s_proto))
    }

    static func protocolEntry(_ e: protoent) -> NamedEntry {
        NamedEntry(name: NamedEntry.text(e.p_name), aliases: LibcNetdb.strings(e.p_aliases), number: e.p_proto, proto: nil)
    }

    /// `get*_r(..., struct *ret, char *buf, size_t buflen, struct **result)` with the last
    /// four integer arguments at `first`: the entry packed into the caller's buffer.
    static func namedReentrant(_ rt: LibcRuntime, _ f: any CallFrame, first: Int, _ found: (NamedEntry?, Int32)) throws {
        let out = try f.int(first), buffer = try f.int(first + 1), capacity = try f.size(first + 2), resultCell = try f.int(first + 3)
        try rt.memory.store(UInt64(0), at: resultCell)
        guard let e = found.0 else { f.returnInt32(found.1); return }
        var area = PackedArea(memory: rt.memory, base: buffer, capacity: capacity)
        do {
            let aliases = try area.putArray(e.aliases), name = try area.put(e.name)
            if let proto = e.proto {
                let l = rt.abi.linux.sockets.servent
                let protoAddress = try area.put(proto)
                let w = try GuestStructWriter(rt.memory, at: out, size: l.size)
                try w.set(l.name, name); try w.set(l.aliases, aliases); try w.set(l.port, Int64(e.number)); try w.set(l.proto, protoAddress)
            } else {
                let l = rt.abi.linux.sockets.protoent
                let w = try GuestStructWriter(rt.memory, at: out, size: l.size)
                try w.set(l.name, name); try w.set(l.aliases, aliases); try w.set(l.proto, Int64(e.number))
            }
        } catch is PackedArea.Full {
            f.returnInt32(ERANGE)
            return
        }
        try rt.memory.store(out, at: resultCell)
        f.returnInt32(0)
    }

    /// Copies a host `protoent` into the guest's static one.
    static func storeProtocol(_ rt: LibcRuntime, _ entry: UnsafeMutablePointer<protoent>?) throws -> UInt64 {
        guard let e = entry?.pointee else { return 0 }
        let l = rt.abi.linux.sockets.protoent
        let base = try rt.staticObject("protoent", size: LibcNetdb.staticArea)
        var area = LibcNetdb.StaticArea(rt: rt, base: base, used: l.size)
        let name = try area.put(e.p_name.map { Array(UnsafeRawBufferPointer(start: $0, count: min(strlen($0), 255))) + [0] } ?? [0])
        let aliases = try area.putArray(LibcNetdb.strings(e.p_aliases))
        let w = try GuestStructWriter(rt.memory, at: base, size: l.size)
        try w.set(l.name, name); try w.set(l.aliases, aliases); try w.set(l.proto, Int64(e.p_proto))
        return base
    }

    static func gethostbyname2(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let name = try rt.memory.string(f.int(0)), family = try f.int32(1)
        if LibcNetdb.confined(rt) && !numeric(name, family: family) { try LibcNetdb.setHostError(rt, HOST_NOT_FOUND); f.returnInt(0); return }
        f.returnInt(try LibcNetdb.storeHost(rt, Glibc.gethostbyname2(name, family)))
    }

    static let functions: [String: HostFunction] = [
        "setservent": { rt, f in let stay = try f.int32(0); if !LibcNetdb.confined(rt) { Glibc.setservent(stay) } },
        "endservent": { rt, _ in if !LibcNetdb.confined(rt) { Glibc.endservent() } },
        "getservent": { rt, f in
            if LibcNetdb.confined(rt) { f.returnInt(0); return }
            f.returnInt(try LibcNetdb.storeService(rt, Glibc.getservent()))
        },
        "setprotoent": { rt, f in let stay = try f.int32(0); if !LibcNetdb.confined(rt) { Glibc.setprotoent(stay) } },
        "endprotoent": { rt, _ in if !LibcNetdb.confined(rt) { Glibc.endprotoent() } },
        "getprotoent": { rt, f in
            if LibcNetdb.confined(rt) { f.returnInt(0); return }
            f.returnInt(try storeProtocol(rt, Glibc.getprotoent()))
        },
        "getprotobyname": { rt, f in
            let name = try rt.memory.string(f.int(0))
            if LibcNetdb.confined(rt) { f.returnInt(0); return }
            f.returnInt(try storeProtocol(rt, Glibc.getprotobyname(name)))
        },
        "getprotobynumber": { rt, f in
            let number = try f.int32(0)
            if LibcNetdb.confined(rt) { f.returnInt(0); return }
            f.returnInt(try storeProtocol(rt, Glibc.getprotobynumber(number)))
        },
        "gethostbyname2": { rt, f in try gethostbyname2(rt, f) },
        "getservbyname_r": { rt, f in
            let name = try rt.memory.string(f.int(0)), protoAddress = try f.int(1)
            let proto = protoAddress == 0 ? nil : try rt.memory.string(protoAddress)
            let found = LibcNetdb.confined(rt) ? (nil, 0)   // not found: 0 and a NULL result, as glibc
                : namedLookup(servent(), { e, b, n, r in Glibc.getservbyname_r(name, proto, &e, b, n, &r) }, service)
            try namedReentrant(rt, f, first: 2, found)
        },
        "getservbyport_r": { rt, f in
            let port = try f.int32(0), protoAddress = try f.int(1)
            let proto = protoAddress == 0 ? nil : try rt.memory.string(protoAddress)
            let found = LibcNetdb.confined(rt) ? (nil, 0)   // not found: 0 and a NULL result, as glibc
                : namedLookup(servent(), { e, b, n, r in Glibc.getservbyport_r(port, proto, &e, b, n, &r) }, service)
            try namedReentrant(rt, f, first: 2, found)
        },
        "getprotobyname_r": { rt, f in
            let name = try rt.memory.string(f.int(0))
            let found = LibcNetdb.confined(rt) ? (nil, 0)   // not found: 0 and a NULL result, as glibc
                : namedLookup(protoent(), { e, b, n, r in Glibc.getprotobyname_r(name, &e, b, n, &r) }, protocolEntry)
            try namedReentrant(rt, f, first: 1, found)
        },
        "getservent_r": { rt, f in
            let found = LibcNetdb.confined(rt) ? (nil, ENOENT)   // an empty database under --root
                : namedLookup(servent(), { e, b, n, r in Glibc.getservent_r(&e, b, n, &r) }, service)
            try namedReentrant(rt, f, first: 0, found)
        },
        "getprotoent_r": { rt, f in
            let found = LibcNetdb.confined(rt) ? (nil, ENOENT)   // an empty database under --root
                : namedLookup(protoent(), { e, b, n, r in Glibc.getprotoent_r(&e, b, n, &r) }, protocolEntry)
            try namedReentrant(rt, f, first: 0, found)
        },
        "getprotobynumber_r": { rt, f in
            let number = try f.int32(0)
            let found = LibcNetdb.confined(rt) ? (nil, 0)   // not found: 0 and a NULL result, as glibc
                : namedLookup(protoent(), { e, b, n, r in Glibc.getprotobynumber_r(number, &e, b, n, &r) }, protocolEntry)
            try namedReentrant(rt, f, first: 1, found)
        },
        "sethostent": { rt, f in let stay = try f.int32(0); if !LibcNetdb.confined(rt) { Glibc.sethostent(stay) } },
        "endhostent": { rt, _ in if !LibcNetdb.confined(rt) { Glibc.endhostent() } },
        "gethostent": { rt, f in
            if LibcNetdb.confined(rt) { f.returnInt(0); return }
            f.returnInt(try LibcNetdb.storeHost(rt, Glibc.gethostent()))
        },
        // The guest's h_errno, described as glibc does.
        "herror": { rt, f in
            let prefix = try f.int(0)
            let code = try rt.memory.load(rt.staticObject("h_errno", size: 4), as: Int32.self)
            let text = Glibc.hstrerror(code).map { String(cString: $0) } ?? "Unknown resolver error"
            let head = prefix == 0 ? "" : try rt.memory.string(prefix)
            rt.stream(rt.dataHandle("stderr"))?.write(Array(((head.isEmpty ? "" : head + ": ") + text + "\n").utf8))
        },
        "gethostbyname_r": { rt, f in
            let name = try rt.memory.string(f.int(0))
            let refuse = LibcNetdb.confined(rt) && !numeric(name, family: AF_INET)
            try reentrant(rt, f, first: 1) {
                if refuse { return (nil, 0, HOST_NOT_FOUND) }
                return hostLookup { e, b, n, r, h in Glibc.gethostbyname_r(name, &e, b, n, &r, &h) }
            }
        },
        "gethostbyname2_r": { rt, f in
            let name = try rt.memory.string(f.int(0)), family = try f.int32(1)
            let refuse = LibcNetdb.confined(rt) && !numeric(name, family: family)
            try reentrant(rt, f, first: 2) {
                if refuse { return (nil, 0, HOST_NOT_FOUND) }
                return hostLookup { e, b, n, r, h in Glibc.gethostbyname2_r(name, family, &e, b, n, &r, &h) }
            }
        },
        "gethostbyaddr_r": { rt, f in
            let length = Int(min(UInt64(UInt32(truncatingIfNeeded: try f.int(1))), 16))
            let bytes = Array(try rt.memory.bytes(f.int(0), length)), type = try f.int32(2)
            let refuse = LibcNetdb.confined(rt)
            try reentrant(rt, f, first: 3) {
                if refuse { return (nil, 0, HOST_NOT_FOUND) }
                return hostLookup { e, b, n, r, h in Glibc.gethostbyaddr_r(bytes, socklen_t(length), type, &e, b, n, &r, &h) }
            }
        },
    ]
}
