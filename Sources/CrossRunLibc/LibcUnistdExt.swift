import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `<unistd.h>`/`<grp.h>` calls real programs make beyond the basics: changing and reading
/// user and group ids (the host process's, as a native run changes its own), supplementary
/// groups, `pipe2`/`dup3` (flags in the guest's numbering), `getpagesize`, `getdtablesize`,
/// `sync`/`syncfs`, `nice`, `lockf`, `getlogin`, `confstr`, `execvpe` and the
/// `getusershell` family.
enum LibcUnistdExt {
    /// Linux's `NGROUPS_MAX`: the most supplementary groups a list may hold.
    static let maximumGroups = 65536

    static func id(_ f: any CallFrame, _ index: Int) throws -> UInt32 { UInt32(truncatingIfNeeded: try f.int(index)) }

    /// A call returning 0 or −1 with the host's errno.
    static func status(_ rt: LibcRuntime, _ f: any CallFrame, _ r: Int32) {
        if r != 0 { rt.setErrno(errno) }
        f.returnInt32(r)
    }

    /// `getresuid`/`getresgid`: three ids stored at the three guest pointers.
    static func storeThree(_ rt: LibcRuntime, _ f: any CallFrame, _ ids: (UInt32, UInt32, UInt32)) throws {
        try rt.memory.store(ids.0, at: f.int(0))
        try rt.memory.store(ids.1, at: f.int(1))
        try rt.memory.store(ids.2, at: f.int(2))
        f.returnInt32(0)
    }

    /// Only `O_CLOEXEC`, `O_NONBLOCK` (and `O_DIRECT` for pipes) in the guest's numbering,
    /// as the host's; anything else is EINVAL.
    static func descriptorFlags(_ rt: LibcRuntime, _ flags: Int32, allowed: Int32) -> Int32? {
        let host = rt.hostOpenFlags(flags)
        return host & ~allowed == 0 ? host : nil
    }

    /// The system-call wrappers among them: a bad pointer is the kernel's EFAULT, not a crash.
    static let systemCalls: Set<String> = ["getresuid", "getresgid", "getgroups", "setgroups", "pipe2"]

    static let functions = calls.reduce(into: [String: HostFunction]()) { table, entry in
        table[entry.key] = systemCalls.contains(entry.key) ? LibcPosix.faultIsEFAULT(entry.value) : entry.value
    }

    static let calls: [String: HostFunction] = [
        "setuid": { rt, f in status(rt, f, setuid(try id(f, 0))) },
        "setgid": { rt, f in status(rt, f, setgid(try id(f, 0))) },
        "seteuid": { rt, f in status(rt, f, seteuid(try id(f, 0))) },
        "setegid": { rt, f in status(rt, f, setegid(try id(f, 0))) },
        "setreuid": { rt, f in status(rt, f, setreuid(try id(f, 0), try id(f, 1))) },
        "setregid": { rt, f in status(rt, f, setregid(try id(f, 0), try id(f, 1))) },
        "setresuid": { rt, f in status(rt, f, crossrun_setresuid(try id(f, 0), try id(f, 1), try id(f, 2))) },
        "setresgid": { rt, f in status(rt, f, crossrun_setresgid(try id(f, 0), try id(f, 1), try id(f, 2))) },
        "getresuid": { rt, f in
            var r: uid_t = 0, e: uid_t = 0, s: uid_t = 0
            _ = crossrun_getresuid(&r, &e, &s)
            try storeThree(rt, f, (r, e, s))
        },
        "getresgid": { rt, f in
            var r: gid_t = 0, e: gid_t = 0, s: gid_t = 0
            _ = crossrun_getresgid(&r, &e, &s)
            try storeThree(rt, f, (r, e, s))
        },
        "getgroups": { rt, f in
            let size = try f.int32(0), list = try f.int(1)
            guard size >= 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            var groups = [gid_t](repeating: 0, count: maximumGroups)
            let n = getgroups(Int32(maximumGroups), &groups)
            guard n >= 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
            if size == 0 { f.returnInt32(n); return }
            guard n <= size else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            _ = try rt.memory.host(list, 4 * Int(n), write: true)
            for i in 0..<Int(n) { try rt.memory.store(groups[i], at: list &+ UInt64(4 * i)) }
            f.returnInt32(n)
        },
        "setgroups": { rt, f in
            let size = try f.size(0), list = try f.int(1)
            guard size <= maximumGroups else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            var groups: [gid_t] = []
            for i in 0..<size { groups.append(try rt.memory.load(list &+ UInt64(4 * i), as: UInt32.self)) }
            status(rt, f, setgroups(size, groups))
        },
        "pipe2": { rt, f in
            guard let flags = descriptorFlags(rt, try f.int32(1), allowed: O_CLOEXEC | O_NONBLOCK | crossrun_o_direct()) else {
                rt.setErrno(EINVAL); f.returnInt32(-1); return
            }
            _ = try rt.memory.host(f.int(0), 8, write: true)   // EFAULT before any descriptor exists
            var fds: [Int32] = [0, 0]
            let r = crossrun_pipe2(&fds, flags)
            if r == 0 { try rt.memory.store(fds[0], at: f.int(0)); try rt.memory.store(fds[1], at: f.int(0) &+ 4) }
            status(rt, f, r)
        },
        "dup3": { rt, f in
            guard let flags = descriptorFlags(rt, try f.int32(2), allowed: O_CLOEXEC) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let r = crossrun_dup3(try f.int32(0), try f.int32(1), flags)
            if r < 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        // The guest's page size (GuestLayout's 4 KiB pages), as the host's on every supported host.
        "getpagesize": { _, f in f.returnInt32(4096) },
        // The main thread's id; the emulator serves it per guest thread (GuestProcess+Threads).
        "gettid": { _, f in f.returnInt32(getpid()) },
        "getdtablesize": { _, f in f.returnInt32(getdtablesize()) },
        "sync": { _, _ in sync() },
        "syncfs": { rt, f in status(rt, f, crossrun_syncfs(try f.int32(0))) },
        // The host process's niceness: the process running the guest, as natively.
        "nice": { rt, f in
            errno = 0
            let r = nice(try f.int32(0))
            if r == -1 && errno != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "lockf": { rt, f in status(rt, f, lockf(try f.int32(0), try f.int32(1), off_t(try f.long(2)))) },
        "getlogin": { rt, f in
            guard let p = getlogin() else { rt.setErrno(errno); f.returnInt(0); return }
            let object = try rt.staticObject("getlogin", size: 256)
            try rt.memory.write(Array(LibcUsers.bytes(p).prefix(255)) + [0], at: object)
            f.returnInt(object)
        },
        "getlogin_r": { rt, f in
            let n = try f.size(1)
            var name = [CChar](repeating: 0, count: 256)
            let r = getlogin_r(&name, name.count)
            guard r == 0 else { f.returnInt32(r); return }
            let bytes = name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            guard bytes.count < n else { f.returnInt32(ERANGE); return }
            try rt.memory.write(bytes + [0], at: f.int(0))
            f.returnInt32(0)
        },
        // The host's answer (the same glibc), truncated into the guest's buffer as glibc does.
        "confstr": { rt, f in
            let name = try f.int32(0), buffer = try f.int(1), size = try f.size(2)
            errno = 0
            let needed = confstr(name, nil, 0)
            guard needed > 0 else { if errno != 0 { rt.setErrno(errno) }; f.returnInt(0); return }
            var value = [CChar](repeating: 0, count: needed)
            _ = confstr(name, &value, needed)
            if buffer != 0 && size > 0 {
                let bytes = value.prefix(min(size - 1, needed - 1)).map { UInt8(bitPattern: $0) }
                try rt.memory.write(bytes + [0], at: buffer)
            }
            f.returnInt(UInt64(needed))
        },
        "execvpe": { rt, f in
            guard let argv = try LibcExec.strings(rt, at: f.int(1)), let envp = try LibcExec.strings(rt, at: f.int(2)) else {
                f.returnInt32(-1); return
            }
            try LibcExec.execSearching(rt, f, Array(rt.memory.cString(f.int(0))), argv, envp)
        },
        // The host's /etc/shells, one entry per call in a static guest block.
        "getusershell": { rt, f in
            guard let p = getusershell() else { f.returnInt(0); return }
            let object = try rt.staticObject("getusershell", size: 4096)
            try rt.memory.write(Array(LibcUsers.bytes(p).prefix(4095)) + [0], at: object)
            f.returnInt(object)
        },
        "setusershell": { _, _ in setusershell() },
        "endusershell": { _, _ in endusershell() },
    ]
}
