import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// Walking the user and group databases: `getpwent`/`getgrent` and their `set`/`end` calls
/// (the host's databases through its `getpwent_r`/`getgrent_r`, so one host position per
/// process as in glibc), `fgetpwent`/`fgetgrent` and `putpwent` on guest streams,
/// `getgrouplist` and `initgroups` (the host's: EPERM unless root, as on Linux). Results are
/// copied into guest memory as ``LibcUsers`` does for `getpwnam`.
enum LibcUserDatabase {
    /// The guest's `struct passwd` at `address` as host strings, for `putpwent`.
    static func readPasswd(_ rt: LibcRuntime, _ address: UInt64) throws -> (strings: [[CChar]], uid: uid_t, gid: gid_t) {
        let l = rt.abi.linux.passwd
        let r = try GuestStructReader(rt.memory, at: address, size: l.size)
        func string(_ field: Field) throws -> [CChar] {
            let p = try r.unsigned(field)
            return p == 0 ? [0] : GuestFileSystem.cString(Array(try rt.memory.cString(p)))
        }
        let strings = try [l.name, l.passwd, l.gecos, l.dir, l.shell].map(string)
        return (strings, uid_t(truncatingIfNeeded: try r.unsigned(l.uid)), gid_t(truncatingIfNeeded: try r.unsigned(l.gid)))
    }

    static func putpwent(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let entry = try f.int(0), handle = try f.int(1)
        guard entry != 0, let s = rt.stream(handle) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
        let (strings, uid, gid) = try readPasswd(rt, entry)
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var pw = passwd(pw_name: copies[0], pw_passwd: copies[1], pw_uid: uid, pw_gid: gid,
                        pw_gecos: copies[2], pw_dir: copies[3], pw_shell: copies[4])
        errno = 0
        let r = Glibc.putpwent(&pw, s.file)
        if r != 0 { rt.setErrno(errno) }
        f.returnInt32(r)
    }

    /// `getgrouplist(user, group, groups, *ngroups)`: at most 65,536 groups are asked of the host.
    static func getgrouplist(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let user = try LibcUsers.name(rt, f), group = gid_t(truncatingIfNeeded: try f.int(1))
        let groups = try f.int(2), countCell = try f.int(3)
        let asked = try rt.memory.load(countCell, as: Int32.self)
        let capacity = Int(min(max(asked, 0), 65536))
        var host = [gid_t](repeating: 0, count: max(capacity, 1))
        var count = Int32(capacity)
        let r = Glibc.getgrouplist(user, group, &host, &count)
        let copied = min(Int(max(count, 0)), capacity)
        if copied > 0 {
            _ = try rt.memory.mutableBytes(groups, 4 * copied)
            for i in 0..<copied { try rt.memory.store(UInt32(host[i]), at: groups &+ UInt64(4 * i)) }
        }
        try rt.memory.store(count, at: countCell)
        f.returnInt32(r)
    }

    /// `getpwent_r(struct*, buf, buflen, result**)`: ``LibcUsers/reentrant`` one argument earlier.
    static func walkReentrant(_ rt: LibcRuntime, _ f: any CallFrame, _ lookup: (LibcUsers.Entry?, Int32)) throws {
        try LibcUsers.reentrant(rt, OffsetFrame(f, ints: -1, floats: 0, longDoubles: 0), lookup)
    }

    /// `putgrent(group, stream)`: the guest's entry (at most 65,536 members) as a host one.
    static func putgrent(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let entry = try f.int(0), handle = try f.int(1)
        guard entry != 0, let s = rt.stream(handle) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
        let l = rt.abi.linux.group
        let r = try GuestStructReader(rt.memory, at: entry, size: l.size)
        func string(_ p: UInt64) throws -> UnsafeMutablePointer<CChar>? {
            p == 0 ? nil : strdup(GuestFileSystem.cString(Array(try rt.memory.cString(p))))
        }
        let name = try string(try r.unsigned(l.name)), pass = try string(try r.unsigned(l.passwd))
        var members: [UnsafeMutablePointer<CChar>?] = []
        defer { ([name, pass] + members).forEach { free($0) } }
        var list = try r.unsigned(l.mem)
        while list != 0, members.count < 65536 {
            let m = try rt.memory.load(list, as: UInt64.self)
            if m == 0 { break }
            members.append(try string(m))
            list &+= 8
        }
        var pointers = members + [nil]
        let result: Int32 = pointers.withUnsafeMutableBufferPointer { p in
            var gr = group(gr_name: name, gr_passwd: pass, gr_gid: gid_t(truncatingIfNeeded: (try? r.unsigned(l.gid)) ?? 0), gr_mem: p.baseAddress)
            errno = 0
            return crossrun_putgrent(&gr, s.file)
        }
        if result != 0 { rt.setErrno(errno) }
        f.returnInt32(result)
    }

    static let functions: [String: HostFunction] = [
        "getpwent_r": { rt, f in
            try walkReentrant(rt, f, LibcUsers.lookup(passwd(), { pw, buf, n, result in getpwent_r(&pw, buf, n, &result) }, LibcUsers.entry))
        },
        "getgrent_r": { rt, f in
            try walkReentrant(rt, f, LibcUsers.lookup(group(), { gr, buf, n, result in crossrun_getgrent_r(&gr, buf, n, &result) }, LibcUsers.entry))
        },
        "fgetpwent_r": { rt, f in
            guard let s = rt.stream(try f.int(0)) else { f.returnInt32(EBADF); return }
            try LibcUsers.reentrant(rt, f, LibcUsers.lookup(passwd(), { pw, buf, n, result in fgetpwent_r(s.file, &pw, buf, n, &result) }, LibcUsers.entry))
        },
        "fgetgrent_r": { rt, f in
            guard let s = rt.stream(try f.int(0)) else { f.returnInt32(EBADF); return }
            try LibcUsers.reentrant(rt, f, LibcUsers.lookup(group(), { gr, buf, n, result in fgetgrent_r(s.file, &gr, buf, n, &result) }, LibcUsers.entry))
        },
        "putgrent": { rt, f in try putgrent(rt, f) },
        "setpwent": { _, _ in Glibc.setpwent() },
        "endpwent": { _, _ in Glibc.endpwent() },
        "setgrent": { _, _ in Glibc.setgrent() },
        "endgrent": { _, _ in Glibc.endgrent() },
        "getpwent": { rt, f in
            let found = LibcUsers.lookup(passwd(), { pw, buf, n, result in getpwent_r(&pw, buf, n, &result) }, LibcUsers.entry)
            // The end of the database is not an error (glibc leaves errno as ENOENT there).
            try LibcUsers.staticResult(rt, f, (found.0, found.1 == ENOENT ? 0 : found.1), kind: "getpwent")
        },
        "getgrent": { rt, f in
            let found = LibcUsers.lookup(group(), { gr, buf, n, result in crossrun_getgrent_r(&gr, buf, n, &result) }, LibcUsers.entry)
            try LibcUsers.staticResult(rt, f, (found.0, found.1 == ENOENT ? 0 : found.1), kind: "getgrent")
        },
        "fgetpwent": { rt, f in
            guard let s = rt.stream(try f.int(0)) else { rt.setErrno(EBADF); f.returnInt(0); return }
            let found = LibcUsers.lookup(passwd(), { pw, buf, n, result in fgetpwent_r(s.file, &pw, buf, n, &result) }, LibcUsers.entry)
            try LibcUsers.staticResult(rt, f, found, kind: "fgetpwent")
        },
        "fgetgrent": { rt, f in
            guard let s = rt.stream(try f.int(0)) else { rt.setErrno(EBADF); f.returnInt(0); return }
            let found = LibcUsers.lookup(group(), { gr, buf, n, result in fgetgrent_r(s.file, &gr, buf, n, &result) }, LibcUsers.entry)
            try LibcUsers.staticResult(rt, f, found, kind: "fgetgrent")
        },
        "putpwent": { rt, f in try putpwent(rt, f) },
        "getgrouplist": { rt, f in try getgrouplist(rt, f) },
        "initgroups": { rt, f in
            let user = try LibcUsers.name(rt, f)
            let r = Glibc.initgroups(user, gid_t(truncatingIfNeeded: try f.int(1)))
            if r != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
    ]
}
