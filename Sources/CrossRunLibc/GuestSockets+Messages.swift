#if canImport(Glibc)
import Glibc
#endif

extension GuestSockets {
    /// A guest `struct msghdr`, read through the guest ABI's layout.
    struct GuestMessage {
        var name: UInt64, nameLength: UInt64, vector: UInt64, vectorCount: UInt64, control: UInt64, controlLength: UInt64

        init(_ rt: LibcRuntime, at address: UInt64) throws {
            let l = rt.abi.linux.sockets.msghdr
            let r = try GuestStructReader(rt.memory, at: address, size: l.size)
            name = try r.unsigned(l.name); nameLength = try r.unsigned(l.namelen)
            vector = try r.unsigned(l.iov); vectorCount = try r.unsigned(l.iovlen)
            control = try r.unsigned(l.control); controlLength = try r.unsigned(l.controllen)
        }
    }

    /// Host `iovec`s for the guest's, or a ``Failure`` (more than `UIO_MAXIOV` is EMSGSIZE, as Linux).
    static func hostVectors(_ rt: LibcRuntime, _ m: GuestMessage, write: Bool) throws -> [iovec] {
        guard m.vectorCount <= 1024 else { throw Failure(code: EMSGSIZE) }
        var out: [iovec] = []
        var total: UInt64 = 0
        for i in 0..<Int(m.vectorCount) {
            let entry = m.vector &+ UInt64(16 * i)
            let base = try rt.memory.load(entry, as: UInt64.self), length = try rt.memory.load(entry &+ 8, as: UInt64.self)
            guard length <= UInt64(Int.max) else { throw Failure(code: EINVAL) }
            // Linux stops at MAX_RW_COUNT in total.
            let n = Int(min(length, UInt64(maximumTransfer) - total))
            total += UInt64(n)
            out.append(iovec(iov_base: n == 0 ? nil : try buffer(rt, base, UInt64(n), write: write).0, iov_len: n))
        }
        return out
    }

    /// The data of a guest `msghdr` that carries nothing but data (no address, no control
    /// messages) as host `iovec`s over guest memory; nil for any other message, or one whose
    /// fields the host call must reject. What a stream send that goes out in parts resends.
    public static func plainMessageData(_ rt: LibcRuntime, at message: UInt64) -> [iovec]? {
        guard let m = try? GuestMessage(rt, at: message), m.name == 0, m.controlLength == 0 else { return nil }
        return try? hostVectors(rt, m, write: false)
    }

    /// `sendmsg`: the name translated like any address, the data vectors and the control
    /// messages (`cmsghdr`s, which have the host's layout; `SCM_RIGHTS` descriptors are host
    /// descriptors) copied through checked guest memory.
    public static func sendmsg(_ rt: LibcRuntime, _ fd: Int32, _ message: UInt64, _ flags: Int32) throws -> Int64 {
        try kernel {
            let m = try GuestMessage(rt, at: message)
            let name = m.name == 0 ? nil : try hostAddress(rt, m.name, m.nameLength, creating: false)
            var vectors = try hostVectors(rt, m, write: false)
            guard m.controlLength <= UInt64(maximumControlLength) else { throw Failure(code: ENOBUFS) }
            var control = m.controlLength == 0 ? [] : Array(try rt.memory.bytes(m.control, Int(m.controlLength)))
            var nameStorage = sockaddr_storage()
            return withUnsafeMutableBytes(of: &nameStorage) { nameRaw in
                if let name { nameRaw.copyBytes(from: name.prefix(nameRaw.count)) }
                return vectors.withUnsafeMutableBufferPointer { v in
                    control.withUnsafeMutableBytes { c in
                        var h = msghdr()
                        h.msg_name = name == nil ? nil : nameRaw.baseAddress
                        h.msg_namelen = socklen_t(name?.count ?? 0)
                        h.msg_iov = v.baseAddress; h.msg_iovlen = v.count
                        h.msg_control = c.count == 0 ? nil : c.baseAddress; h.msg_controllen = c.count
                        return hostResult(Glibc.sendmsg(fd, &h, flags))
                    }
                }
            }
        }
    }

    /// `recvmsg`: data into the guest's vectors, the sender's address, control messages and
    /// flags written back into the guest's `msghdr`.
    public static func recvmsg(_ rt: LibcRuntime, _ fd: Int32, _ message: UInt64, _ flags: Int32) throws -> Int64 {
        try kernel {
            let l = rt.abi.linux.sockets.msghdr
            let m = try GuestMessage(rt, at: message)
            _ = try rt.memory.mutableBytes(message, l.size)
            var vectors = try hostVectors(rt, m, write: true)
            let controlRoom = Int(min(m.controlLength, UInt64(maximumControlLength)))
            var control = [UInt8](repeating: 0, count: controlRoom)
            var nameStorage = sockaddr_storage()
            var h = msghdr()
            let r = withUnsafeMutableBytes(of: &nameStorage) { nameRaw in
                vectors.withUnsafeMutableBufferPointer { v in
                    control.withUnsafeMutableBytes { c in
                        h.msg_name = m.name == 0 ? nil : nameRaw.baseAddress
                        h.msg_namelen = m.name == 0 ? 0 : socklen_t(nameRaw.count)
                        h.msg_iov = v.baseAddress; h.msg_iovlen = v.count
                        h.msg_control = c.count == 0 ? nil : c.baseAddress; h.msg_controllen = c.count
                        let r = Glibc.recvmsg(fd, &h, flags)
                        h.msg_name = nil; h.msg_iov = nil; h.msg_control = nil
                        return r
                    }
                }
            }
            guard r >= 0 else { return -Int64(errno) }
            let w = GuestStructFieldWriter(memory: rt.memory, address: message)
            if m.name != 0 {
                let host = withUnsafeBytes(of: &nameStorage) { Array($0.prefix(Int(min(h.msg_namelen, socklen_t($0.count))))) }
                let guest = guestAddress(rt, host)
                try rt.memory.write(guest.prefix(Int(min(m.nameLength, UInt64(guest.count)))), at: m.name)
                try w.set(l.namelen, UInt64(guest.count))
            }
            let controlLength = min(h.msg_controllen, controlRoom)
            if controlLength > 0 { try rt.memory.write(control.prefix(controlLength), at: m.control) }
            try w.set(l.controllen, UInt64(controlLength))
            try w.set(l.flags, UInt64(UInt32(bitPattern: h.msg_flags)))
            return Int64(r)
        }
    }
}

/// Stores single fields of a guest struct in place (``GuestStructWriter`` zeroes the struct first).
struct GuestStructFieldWriter {
    let memory: any GuestMemory
    let address: UInt64

    func set(_ field: Field, _ value: UInt64) throws {
        let a = address &+ UInt64(field.offset)
        switch field.size {
        case 4: try memory.store(UInt32(truncatingIfNeeded: value), at: a)
        default: try memory.store(value, at: a)
        }
    }
}
