import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `<sys/random.h>`, `<sys/sysinfo.h>`, `<sys/statfs.h>` and `<sys/sendfile.h>`: host calls
/// whose structs have one layout on every LP64 guest (the host's, checked in gnu_extras.c).
enum LibcSystemInfo {
    /// The most bytes one `getrandom` fills (the kernel's own cap for /dev/urandom reads).
    static let maximumRandom = 33_554_431
    static let statfsSize = 120, sysinfoSize = 112

    /// A call writing a fixed-size host struct that is also the guest's into `out`.
    static func structCall(_ rt: LibcRuntime, _ f: any CallFrame, size: Int, out: UInt64,
                           _ body: (UnsafeMutableRawPointer) -> Int32) throws {
        var bytes = [UInt8](repeating: 0, count: size)
        let r = bytes.withUnsafeMutableBytes { body($0.baseAddress!) }
        guard r == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
        try rt.memory.write(bytes, at: out)
        f.returnInt32(0)
    }

    /// Every one is a system-call wrapper: a bad pointer is the kernel's EFAULT.
    static let functions = calls.mapValues(LibcPosix.faultIsEFAULT)

    static let calls: [String: HostFunction] = [
        "getrandom": { rt, f in
            let n = min(try f.size(1), maximumRandom)
            guard n > 0 else { f.returnSigned(0); return }
            let r = crossrun_getrandom(try rt.memory.host(f.int(0), n, write: true), n, UInt32(truncatingIfNeeded: try f.int(2)))
            if r < 0 { rt.setErrno(errno) }
            f.returnSigned(Int64(r))
        },
        "getentropy": { rt, f in
            let n = try f.size(1)
            guard n <= 256 else { rt.setErrno(EIO); f.returnInt32(-1); return }
            guard n > 0 else { f.returnInt32(0); return }
            LibcUnistdExt.status(rt, f, crossrun_getentropy(try rt.memory.host(f.int(0), n, write: true), n))
        },
        "sysinfo": { rt, f in try structCall(rt, f, size: sysinfoSize, out: f.int(0)) { crossrun_sysinfo($0) } },
        "get_nprocs": { _, f in f.returnInt32(crossrun_get_nprocs()) },
        "get_nprocs_conf": { _, f in f.returnInt32(crossrun_get_nprocs_conf()) },
        "get_phys_pages": { _, f in f.returnSigned(Int64(crossrun_get_phys_pages())) },
        "get_avphys_pages": { _, f in f.returnSigned(Int64(crossrun_get_avphys_pages())) },
        "statfs": { rt, f in
            let out = try f.int(1)
            guard let path = try rt.hostPath(at: f.int(0)) else { f.returnInt32(-1); return }
            try structCall(rt, f, size: statfsSize, out: out) { crossrun_statfs(path, $0) }
        },
        "fstatfs": { rt, f in
            let fd = try f.int32(0)
            try structCall(rt, f, size: statfsSize, out: f.int(1)) { crossrun_fstatfs(fd, $0) }
        },
        "sendfile": { rt, f in
            let out = try f.int32(0), input = try f.int32(1), offsetAddress = try f.int(2), count = try f.size(3)
            if offsetAddress != 0 { _ = try rt.memory.host(offsetAddress, 8, write: true) }
            var offset = offsetAddress == 0 ? 0 : Int(try rt.memory.load(offsetAddress, as: Int64.self))
            let r = offsetAddress == 0 ? crossrun_sendfile(out, input, nil, count) : crossrun_sendfile(out, input, &offset, count)
            if r < 0 { rt.setErrno(errno) } else if offsetAddress != 0 { try rt.memory.store(Int64(offset), at: offsetAddress) }
            f.returnSigned(Int64(r))
        },
    ]
}
