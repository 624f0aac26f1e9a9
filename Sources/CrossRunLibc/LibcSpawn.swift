import CHostSystem
#if canImport(Glibc)
import Glibc
#endif

/// `<spawn.h>`: the guest's file-action and attribute objects are opaque (glibc's sizes);
/// their contents live in ``LibcState`` by the object's address. The spawned program is a host
/// program, run natively in the guest's current directory (refused under `--root`).
enum LibcSpawn {
    enum FileAction {
        case open(fd: Int32, path: [UInt8], flags: Int32, mode: UInt32)
        case close(fd: Int32)
        case dup2(fd: Int32, newfd: Int32)
        /// glibc's `addchdir_np`: the child moves to `path` (relative paths from where it is
        /// then) before the actions after it and the exec.
        case chdir(path: [UInt8])
        case fchdir(fd: Int32)
    }

    struct Attributes {
        var flags: Int16 = 0
        var pgroup: pid_t = 0
        var sigmask: UInt64 = 0
        var sigdefault: UInt64 = 0
    }

    /// The most file actions one object may hold.
    static let maximumActions = 1 << 12
    static let knownFlags: Int16 = 0xff

    static func addAction(_ rt: LibcRuntime, _ f: any CallFrame, _ action: FileAction) throws {
        let object = try f.int(0)
        guard var list = rt.state.spawnFileActions[object] else { f.returnInt32(EINVAL); return }
        guard list.count < maximumActions else { f.returnInt32(ENOMEM); return }
        list.append(action)
        rt.state.spawnFileActions[object] = list
        f.returnInt32(0)
    }

    static func attributes(_ rt: LibcRuntime, _ f: any CallFrame, _ body: (inout Attributes) throws -> Int32) throws {
        let object = try f.int(0)
        guard var a = rt.state.spawnAttributes[object] else { f.returnInt32(EINVAL); return }
        let r = try body(&a)
        rt.state.spawnAttributes[object] = a
        f.returnInt32(r)
    }

    /// `posix_spawn` (`search`: `posix_spawnp`, over the guest's PATH).
    static func spawn(_ rt: LibcRuntime, _ f: any CallFrame, search: Bool) throws {
        let pidAddress = try f.int(0)
        let file = Array(try rt.memory.cString(f.int(1)))
        let own = LibcExec.namesOwnExecutable(file)   // the program itself: also under --root
        guard own || !rt.fileSystem.confined else { f.returnInt32(EACCES); return }
        let actionsAddress = try f.int(2), attributesAddress = try f.int(3)
        let actions = actionsAddress == 0 ? [] : rt.state.spawnFileActions[actionsAddress]
        let attrs = attributesAddress == 0 ? Attributes() : rt.state.spawnAttributes[attributesAddress]
        guard let actions, let attrs else { f.returnInt32(EINVAL); return }
        guard let argv = try LibcExec.strings(rt, at: f.int(4)) else { f.returnInt32(E2BIG); return }
        let envAddress = try f.int(5)
        guard let envp = envAddress == 0 ? [] : try LibcExec.strings(rt, at: envAddress) else { f.returnInt32(E2BIG); return }
        if pidAddress != 0 { _ = try rt.memory.host(pidAddress, 4, write: true) }
        var candidates: [[UInt8]] = [file]
        if search && !file.contains(UInt8(ascii: "/")) {
            let path = LibcEnvironment.current(rt)["PATH"] ?? "/bin:/usr/bin"
            candidates = path.split(separator: ":", omittingEmptySubsequences: false).map {
                Array(($0.isEmpty ? "." : String($0)).utf8) + [UInt8(ascii: "/")] + file
            }
        }
        guard !file.isEmpty else { f.returnInt32(ENOENT); return }
        var last = ENOENT
        for candidate in candidates {
            var host: [CChar]
            if own {
                host = candidate.map { CChar(bitPattern: $0) } + [0]
            } else {
                do throws(GuestFileSystem.Failure) { host = try rt.fileSystem.resolve(candidate).host } catch { last = error.code; continue }
            }
            var argv = argv
            if let redirect = LibcExec.selfExec(host, argv) {
                guard redirect.error == 0 else { last = redirect.error; break }
                (host, argv) = (redirect.path, redirect.argv)
            }
            var pid: Int32 = 0
            last = run(rt, host, argv, envp, actions, attrs, &pid)
            if last == 0 {
                if pidAddress != 0 { try rt.memory.store(pid, at: pidAddress) }
                f.returnInt32(0)
                return
            }
            if last != ENOENT && last != EACCES && last != ENOTDIR { break }
        }
        f.returnInt32(last)
    }

    static func run(_ rt: LibcRuntime, _ path: [CChar], _ argv: [[UInt8]], _ envp: [[UInt8]], _ actions: [FileAction],
                    _ attrs: Attributes, _ pid: inout Int32) -> Int32 {
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { for p in owned { p.deallocate() } }
        func c(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (i, b) in bytes.enumerated() { p[i] = CChar(bitPattern: b) }
            p[bytes.count] = 0
            owned.append(p)
            return p
        }
        var cArgv: [UnsafeMutablePointer<CChar>?] = argv.map(c) + [nil]
        var cEnvp: [UnsafeMutablePointer<CChar>?] = envp.map(c) + [nil]
        let cActions: [crossrun_spawn_action] = actions.map {
            switch $0 {
            case .open(let fd, let path, let flags, let mode):
                return crossrun_spawn_action(kind: 0, fd: fd, newfd: 0, oflag: rt.hostOpenFlags(flags), mode: mode, path: c(path))
            case .close(let fd): return crossrun_spawn_action(kind: 1, fd: fd, newfd: 0, oflag: 0, mode: 0, path: nil)
            case .dup2(let fd, let newfd): return crossrun_spawn_action(kind: 2, fd: fd, newfd: newfd, oflag: 0, mode: 0, path: nil)
            case .chdir(let path): return crossrun_spawn_action(kind: 3, fd: 0, newfd: 0, oflag: 0, mode: 0, path: c(path))
            case .fchdir(let fd): return crossrun_spawn_action(kind: 4, fd: fd, newfd: 0, oflag: 0, mode: 0, path: nil)
            }
        }
        let directory = rt.fileSystem.hostWorkingDirectory().map { c($0.dropLast().map { UInt8(bitPattern: $0) }) }
        let flags = Int32(attrs.flags)
        // The child's mask: the attribute's, else the guest's own (signals are the library's).
        let mask = flags & Int32(POSIX_SPAWN_SETSIGMASK) != 0 ? attrs.sigmask : rt.signalMask
        // Ignored signals stay ignored unless the attribute's sigdefault set names them.
        let ignored = LibcProcesses.ignoredSignals(rt) & ~(flags & Int32(POSIX_SPAWN_SETSIGDEF) != 0 ? attrs.sigdefault : 0)
        let changed = LibcExec.ignoringGuestIgnoredSignals(rt)
        defer { LibcExec.restore(changed) }
        return rt.creatingFiles {
            cActions.withUnsafeBufferPointer { list in
                crossrun_spawn(path, &cArgv, &cEnvp, directory, list.baseAddress, list.count, mask, ignored,
                               flags & Int32(POSIX_SPAWN_SETPGROUP) != 0 ? 1 : 0, attrs.pgroup,
                               flags & 0x80 != 0 ? 1 : 0, &pid)
            }
        }
    }

    static let functions: [String: HostFunction] = [
        "posix_spawn": { rt, f in try spawn(rt, f, search: false) },
        "posix_spawnp": { rt, f in try spawn(rt, f, search: true) },
        "posix_spawn_file_actions_init": { rt, f in
            let object = try f.int(0)
            _ = try rt.memory.host(object, 80, write: true)
            rt.state.spawnFileActions[object] = []
            f.returnInt32(0)
        },
        "posix_spawn_file_actions_destroy": { rt, f in
            rt.state.spawnFileActions[try f.int(0)] = nil
            f.returnInt32(0)
        },
        "posix_spawn_file_actions_addopen": { rt, f in
            let fd = try f.int32(1)
            guard fd >= 0 else { f.returnInt32(EBADF); return }
            let path = Array(try rt.memory.cString(f.int(2)))
            try addAction(rt, f, .open(fd: fd, path: path, flags: try f.int32(3), mode: UInt32(truncatingIfNeeded: try f.int(4))))
        },
        "posix_spawn_file_actions_addclose": { rt, f in
            let fd = try f.int32(1)
            guard fd >= 0 else { f.returnInt32(EBADF); return }
            try addAction(rt, f, .close(fd: fd))
        },
        "posix_spawn_file_actions_adddup2": { rt, f in
            let fd = try f.int32(1), newfd = try f.int32(2)
            guard fd >= 0, newfd >= 0 else { f.returnInt32(EBADF); return }
            try addAction(rt, f, .dup2(fd: fd, newfd: newfd))
        },
        "posix_spawn_file_actions_addchdir_np": { rt, f in
            try addAction(rt, f, .chdir(path: Array(try rt.memory.cString(f.int(1)))))
        },
        // glibc checks no descriptor here: a bad one fails the spawn (EBADF from fchdir).
        "posix_spawn_file_actions_addfchdir_np": { rt, f in try addAction(rt, f, .fchdir(fd: try f.int32(1))) },
        "posix_spawnattr_init": { rt, f in
            let object = try f.int(0)
            _ = try rt.memory.host(object, 336, write: true)
            rt.state.spawnAttributes[object] = Attributes()
            f.returnInt32(0)
        },
        "posix_spawnattr_destroy": { rt, f in
            rt.state.spawnAttributes[try f.int(0)] = nil
            f.returnInt32(0)
        },
        "posix_spawnattr_getflags": { rt, f in
            let out = try f.int(1)
            try attributes(rt, f) { try rt.memory.store($0.flags, at: out); return 0 }
        },
        "posix_spawnattr_setflags": { rt, f in
            let flags = Int16(truncatingIfNeeded: try f.int(1))
            try attributes(rt, f) {
                guard flags & ~knownFlags == 0 else { return EINVAL }
                $0.flags = flags
                return 0
            }
        },
        "posix_spawnattr_getpgroup": { rt, f in
            let out = try f.int(1)
            try attributes(rt, f) { try rt.memory.store($0.pgroup, at: out); return 0 }
        },
        "posix_spawnattr_setpgroup": { rt, f in
            let group = try f.int32(1)
            try attributes(rt, f) { $0.pgroup = group; return 0 }
        },
        "posix_spawnattr_getsigmask": { rt, f in
            let out = try f.int(1)
            try attributes(rt, f) { try storeSet(rt, $0.sigmask, at: out); return 0 }
        },
        "posix_spawnattr_setsigmask": { rt, f in
            let set: UInt64 = try rt.memory.load(f.int(1), as: UInt64.self)
            try attributes(rt, f) { $0.sigmask = set; return 0 }
        },
        "posix_spawnattr_getsigdefault": { rt, f in
            let out = try f.int(1)
            try attributes(rt, f) { try storeSet(rt, $0.sigdefault, at: out); return 0 }
        },
        "posix_spawnattr_setsigdefault": { rt, f in
            let set: UInt64 = try rt.memory.load(f.int(1), as: UInt64.self)
            try attributes(rt, f) { $0.sigdefault = set; return 0 }
        },
    ]

    /// A guest `sigset_t` (128 bytes) holding signals 1–64 from `bits`.
    static func storeSet(_ rt: LibcRuntime, _ bits: UInt64, at address: UInt64) throws {
        try rt.memory.write([UInt8](repeating: 0, count: 128), at: address)
        try rt.memory.store(bits, at: address)
    }
}
