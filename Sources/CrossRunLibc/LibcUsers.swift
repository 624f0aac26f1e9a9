#if canImport(Glibc)
import Glibc
#endif

/// Users, groups and identity: `getuid` & co., `<pwd.h>` and `<grp.h>` (the host's databases,
/// copied into guest memory: the static results' strings live in one guest block replaced
/// by the next call; the `_r` forms pack them into the caller's buffer), `gethostname`,
/// `ttyname`.
enum LibcUsers {
    /// A host `passwd`/`group` entry as strings and ids.
    struct Entry {
        enum Kind { case passwd, group }
        var kind: Kind
        /// passwd: name, passwd, gecos, dir, shell; group: name, passwd.
        var strings: [[UInt8]]
        var ids: [UInt32]
        var members: [[UInt8]] = []
    }

    static func bytes(_ p: UnsafeMutablePointer<CChar>?) -> [UInt8] {
        guard let p else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: strlen(p)))
    }

    /// Runs a host `get*_r` lookup with a growing buffer (up to 1 MiB); nil if not found.
    static func lookup<T>(_ empty: T, _ body: (inout T, UnsafeMutablePointer<CChar>, Int, inout UnsafeMutablePointer<T>?) -> Int32,
                          _ convert: (T) -> Entry) -> (Entry?, Int32) {
        var size = 16 * 1024
        while size <= 1 << 20 {
            var value = empty
            var result: UnsafeMutablePointer<T>?
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let r = body(&value, buffer, size, &result)
            if r == ERANGE { size *= 4; continue }
            guard r == 0, result != nil else { return (nil, r) }
            return (convert(value), 0)
        }
        return (nil, ERANGE)
    }

    static func passwdEntry(uid: uid_t?, name: [CChar]?) -> (Entry?, Int32) {
        lookup(passwd(), { pw, buf, n, result in
            if let uid { return getpwuid_r(uid, &pw, buf, n, &result) }
            return getpwnam_r(name ?? [0], &pw, buf, n, &result)
        }, entry)
    }

    static func entry(_ pw: passwd) -> Entry {
        Entry(kind: .passwd, strings: [bytes(pw.pw_name), bytes(pw.pw_passwd), bytes(pw.pw_gecos), bytes(pw.pw_dir), bytes(pw.pw_shell)],
              ids: [pw.pw_uid, pw.pw_gid])
    }

    static func groupEntry(gid: gid_t?, name: [CChar]?) -> (Entry?, Int32) {
        lookup(group(), { gr, buf, n, result in
            if let gid { return getgrgid_r(gid, &gr, buf, n, &result) }
            return getgrnam_r(name ?? [0], &gr, buf, n, &result)
        }, entry)
    }

    static func entry(_ gr: group) -> Entry {
        var members: [[UInt8]] = []
        if var p = gr.gr_mem {
            while let m = p.pointee, members.count < 65536 { members.append(bytes(m)); p += 1 }
        }
        return Entry(kind: .group, strings: [bytes(gr.gr_name), bytes(gr.gr_passwd)], ids: [gr.gr_gid], members: members)
    }

    /// Bytes a packed entry needs: the member pointer array (8-aligned) and every string.
    static func packedSize(_ e: Entry) -> Int {
        let pointers = e.kind == .passwd ? 0 : 8 * (e.members.count + 1)   // a group's gr_mem array
        return 8 + pointers + (e.strings + e.members).reduce(0) { $0 + $1.count + 1 }
    }

    /// Writes the entry's struct at `address` with its strings (and member array) packed in
    /// `[buffer, buffer + capacity)`; false if they do not fit.
    static func write(_ rt: LibcRuntime, _ e: Entry, at address: UInt64, buffer: UInt64, capacity: Int) throws -> Bool {
        guard packedSize(e) <= capacity else { return false }
        // The packed bytes must lie in guest memory: a wild buffer faults here, before the
        // cursor arithmetic below could overflow.
        _ = try rt.memory.host(buffer, packedSize(e), write: true)
        let isPasswd = e.kind == .passwd
        var cursor = (buffer + 7) & ~7
        var memberArray: UInt64 = 0
        if !isPasswd {
            memberArray = cursor
            cursor += UInt64(8 * (e.members.count + 1))
        }
        func put(_ s: [UInt8]) throws -> UInt64 {
            let a = cursor
            try rt.memory.write(s + [0], at: a)
            cursor += UInt64(s.count + 1)
            return a
        }
        let strings = try e.strings.map(put)
        if isPasswd {
            let l = rt.abi.linux.passwd
            let w = try GuestStructWriter(rt.memory, at: address, size: l.size)
            try w.set(l.name, strings[0]); try w.set(l.passwd, strings[1]); try w.set(l.uid, UInt64(e.ids[0])); try w.set(l.gid, UInt64(e.ids[1]))
            try w.set(l.gecos, strings[2]); try w.set(l.dir, strings[3]); try w.set(l.shell, strings[4])
        } else {
            for (i, m) in e.members.enumerated() { try rt.memory.store(try put(m), at: memberArray + UInt64(8 * i)) }
            try rt.memory.store(UInt64(0), at: memberArray + UInt64(8 * e.members.count))
            let l = rt.abi.linux.group
            let w = try GuestStructWriter(rt.memory, at: address, size: l.size)
            try w.set(l.name, strings[0]); try w.set(l.passwd, strings[1]); try w.set(l.gid, UInt64(e.ids[0])); try w.set(l.mem, memberArray)
        }
        return true
    }

    /// `getpwuid` & co.: the entry in a static guest struct, one per function as in glibc
    /// (its strings replace the previous call's).
    static func staticResult(_ rt: LibcRuntime, _ f: any CallFrame, _ lookup: (Entry?, Int32), kind: String) throws {
        guard let e = lookup.0 else { if lookup.1 != 0 { rt.setErrno(lookup.1) }; f.returnInt(0); return }
        let size = e.kind == .passwd ? rt.abi.linux.passwd.size : rt.abi.linux.group.size
        let object = try rt.staticObject(kind, size: size)
        if let old = rt.staticObjects[kind + ".strings"] { _ = rt.heap.free(old) }
        let capacity = packedSize(e)
        let block = try rt.allocateZeroed(capacity)
        rt.staticObjects[kind + ".strings"] = block
        _ = try write(rt, e, at: object, buffer: block, capacity: capacity)
        f.returnInt(object)
    }

    /// `getpwuid_r(key, struct*, buf, buflen, result**)`: an error number, *result set.
    static func reentrant(_ rt: LibcRuntime, _ f: any CallFrame, _ lookup: (Entry?, Int32)) throws {
        let out = try f.int(1), buffer = try f.int(2), capacity = try f.size(3), result = try f.int(4)
        try rt.memory.store(UInt64(0), at: result)
        guard let e = lookup.0 else { f.returnInt32(lookup.1); return }
        guard try write(rt, e, at: out, buffer: buffer, capacity: capacity) else { f.returnInt32(ERANGE); return }
        try rt.memory.store(out, at: result)
        f.returnInt32(0)
    }

    static func name(_ rt: LibcRuntime, _ f: any CallFrame) throws -> [CChar] {
        GuestFileSystem.cString(Array(try rt.memory.cString(f.int(0))))
    }

    static let functions: [String: HostFunction] = [
        "getuid": { _, f in f.returnInt(UInt64(getuid())) },
        "geteuid": { _, f in f.returnInt(UInt64(geteuid())) },
        "getgid": { _, f in f.returnInt(UInt64(getgid())) },
        "getegid": { _, f in f.returnInt(UInt64(getegid())) },
        "getpwuid": { rt, f in try staticResult(rt, f, passwdEntry(uid: uid_t(truncatingIfNeeded: try f.int(0)), name: nil), kind: "getpwuid") },
        "getpwnam": { rt, f in try staticResult(rt, f, passwdEntry(uid: nil, name: try name(rt, f)), kind: "getpwnam") },
        "getgrgid": { rt, f in try staticResult(rt, f, groupEntry(gid: gid_t(truncatingIfNeeded: try f.int(0)), name: nil), kind: "getgrgid") },
        "getgrnam": { rt, f in try staticResult(rt, f, groupEntry(gid: nil, name: try name(rt, f)), kind: "getgrnam") },
        "getpwuid_r": { rt, f in try reentrant(rt, f, passwdEntry(uid: uid_t(truncatingIfNeeded: try f.int(0)), name: nil)) },
        "getpwnam_r": { rt, f in try reentrant(rt, f, passwdEntry(uid: nil, name: try name(rt, f))) },
        "getgrgid_r": { rt, f in try reentrant(rt, f, groupEntry(gid: gid_t(truncatingIfNeeded: try f.int(0)), name: nil)) },
        "getgrnam_r": { rt, f in try reentrant(rt, f, groupEntry(gid: nil, name: try name(rt, f))) },
        "gethostname": { rt, f in
            let n = try f.size(1)
            var host = [CChar](repeating: 0, count: 256)
            guard Glibc.gethostname(&host, host.count) == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
            let name = host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            guard name.count < n else { rt.setErrno(ENAMETOOLONG); f.returnInt32(-1); return }
            try rt.memory.write(name + [0], at: f.int(0))
            f.returnInt32(0)
        },
        // Natively the host's; emulated a guest never renames the host. Linux checks the
        // privilege first, then the length.
        "sethostname": { rt, f in
            let long = try f.size(1) > 64
            rt.setErrno(geteuid() == 0 && long ? EINVAL : EPERM)
            f.returnInt32(-1)
        },
        "ttyname": { rt, f in
            guard let p = Glibc.ttyname(try f.int32(0)) else { rt.setErrno(errno); f.returnInt(0); return }
            let object = try rt.staticObject("ttyname", size: 4096)
            try rt.memory.write(Array(bytes(p).prefix(4095)) + [0], at: object)
            f.returnInt(object)
        },
        "ttyname_r": { rt, f in
            guard let p = Glibc.ttyname(try f.int32(0)) else { f.returnInt32(errno); return }
            let name = bytes(p)
            guard name.count < (try f.size(2)) else { f.returnInt32(ERANGE); return }
            try rt.memory.write(name + [0], at: f.int(1))
            f.returnInt32(0)
        },
    ]
}
