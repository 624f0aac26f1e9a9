import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// Pseudo-terminals: `posix_openpt`/`getpt`, `grantpt`, `unlockpt`, `ptsname`/`ptsname_r`,
/// `openpty` and `login_tty` on host ptys (guest descriptors are host descriptors; `termios`
/// and `winsize` cross in the guest ABI's layout). `forkpty` is guest code over these and the
/// emulator's `fork` (runtime/pty.c). Under `--root` (no device nodes) a new pty is `EACCES`.
enum LibcPty {
    /// A pty name from the host (at most `PATH_MAX` bytes), or the host's error number.
    static func slaveName(_ fd: Int32) -> ([UInt8]?, Int32) {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let r = crossrun_ptsname_r(fd, &buffer, buffer.count)
        guard r == 0 else { return (nil, r) }
        return (buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) } + [0], 0)
    }

    static func open(_ rt: LibcRuntime, _ f: any CallFrame, flags: Int32) {
        if rt.fileSystem.confined { rt.setErrno(EACCES); f.returnInt32(-1); return }
        let fd = crossrun_posix_openpt(rt.hostOpenFlags(flags))
        if fd < 0 { rt.setErrno(errno) }
        f.returnInt32(fd)
    }

    static func openpty(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let masterCell = try f.int(0), slaveCell = try f.int(1), nameOut = try f.int(2)
        let termiosAddress = try f.int(3), winsizeAddress = try f.int(4)
        _ = try rt.memory.mutableBytes(masterCell, 4)
        _ = try rt.memory.mutableBytes(slaveCell, 4)
        if rt.fileSystem.confined { rt.setErrno(EACCES); f.returnInt32(-1); return }
        var t = termiosAddress == 0 ? termios() : try LibcSystem.readTermios(rt, termiosAddress)
        var w = winsize()
        if winsizeAddress != 0 {
            let raw = try rt.memory.bytes(winsizeAddress, 8)
            withUnsafeMutableBytes(of: &w) { $0.copyBytes(from: raw) }   // four unsigned shorts everywhere
        }
        var master: Int32 = -1, slave: Int32 = -1
        var name = [CChar](repeating: 0, count: Int(PATH_MAX))
        let r = withUnsafePointer(to: &w) { wp in
            withUnsafePointer(to: &t) { tp in
                crossrun_openpty(&master, &slave, &name, termiosAddress == 0 ? nil : UnsafeRawPointer(tp),
                                 winsizeAddress == 0 ? nil : UnsafeRawPointer(wp))
            }
        }
        guard r == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
        try rt.memory.store(master, at: masterCell)
        try rt.memory.store(slave, at: slaveCell)
        if nameOut != 0 { try rt.memory.write(name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) } + [0], at: nameOut) }
        f.returnInt32(0)
    }

    static let functions: [String: HostFunction] = [
        "posix_openpt": { rt, f in open(rt, f, flags: try f.int32(0)) },
        "getpt": { rt, f in open(rt, f, flags: O_RDWR | O_NOCTTY) },
        "grantpt": { rt, f in
            let r = crossrun_grantpt(try f.int32(0))
            if r != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "unlockpt": { rt, f in
            let r = crossrun_unlockpt(try f.int32(0))
            if r != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "ptsname": { rt, f in
            let (name, error) = slaveName(try f.int32(0))
            guard let name else { rt.setErrno(error); f.returnInt(0); return }
            let object = try rt.staticObject("ptsname", size: Int(PATH_MAX))
            try rt.memory.write(name, at: object)
            f.returnInt(object)
        },
        "ptsname_r": { rt, f in
            let buffer = try f.int(1), size = try f.size(2)
            let (name, error) = slaveName(try f.int32(0))
            guard let name else { rt.setErrno(error); f.returnInt32(error); return }
            guard buffer != 0 else { rt.setErrno(EINVAL); f.returnInt32(EINVAL); return }
            guard name.count <= size else { rt.setErrno(ERANGE); f.returnInt32(ERANGE); return }
            try rt.memory.write(name, at: buffer)
            f.returnInt32(0)
        },
        "openpty": { rt, f in try openpty(rt, f) },
        "tcgetsid": { rt, f in
            let r = Glibc.tcgetsid(try f.int32(0))
            if r < 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        // As natively, this is the process's own session and standard descriptors.
        "login_tty": { rt, f in
            let r = crossrun_login_tty(try f.int32(0))
            if r != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
    ]
}
