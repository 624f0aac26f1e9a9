import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// Shared-memory files and the small GNU/System V file calls beside them: `shm_open` and
/// `shm_unlink` (POSIX shared memory is a file under `/dev/shm`, resolved as any guest path,
/// so under `--root` it is the root's `/dev/shm`), `memfd_create` (an anonymous host file),
/// `eaccess`/`euidaccess` (access checked with the effective ids) and `<ulimit.h>`'s `ulimit`
/// (glibc's: the file-size limit in 512-byte blocks, and the descriptor limit).
enum LibcSharedMemoryFiles {
    /// glibc's `ulimit` commands.
    static let getFileSize: Int32 = 1, setFileSize: Int32 = 2, getOpenMax: Int32 = 4

    /// The `/dev/shm` path of a shared-memory object's name as glibc makes it (leading slashes
    /// dropped), or nil for a name glibc refuses with EINVAL (empty, `.`, `..`, another slash,
    /// longer than NAME_MAX).
    static func sharedMemoryPath(_ name: [UInt8]) -> [UInt8]? {
        let slash = UInt8(ascii: "/")
        let rest = Array(name.drop { $0 == slash })
        guard !rest.isEmpty, rest.count <= Int(NAME_MAX), !rest.contains(slash),
              rest != [UInt8(ascii: ".")], rest != [UInt8(ascii: "."), UInt8(ascii: ".")] else { return nil }
        return Array("/dev/shm/".utf8) + rest
    }

    /// The host path of the shared-memory object named at guest `address`, errno set when none.
    static func sharedMemoryHostPath(_ rt: LibcRuntime, _ address: UInt64, removing: Bool) throws -> [CChar]? {
        guard let path = sharedMemoryPath(Array(try rt.memory.cString(address))) else { rt.setErrno(EINVAL); return nil }
        do {
            return removing ? try rt.fileSystem.resolve(forRemoval: path, .unlink).host : try rt.fileSystem.resolve(path, followLast: false).host
        } catch {
            rt.setErrno(error.code)
            return nil
        }
    }

    static let functions: [String: HostFunction] = [
        "shm_open": { rt, f in
            // glibc adds O_NOFOLLOW and O_CLOEXEC to the caller's flags.
            let flags = rt.hostOpenFlags(try f.int32(1)) | O_NOFOLLOW | O_CLOEXEC
            let mode = mode_t(truncatingIfNeeded: try f.int(2))
            guard let path = try sharedMemoryHostPath(rt, f.int(0), removing: false) else { f.returnInt32(-1); return }
            LibcPosix.result(rt, f, Int(rt.creatingFiles { Glibc.open(path, flags, mode) }))
        },
        "shm_unlink": { rt, f in
            guard let path = try sharedMemoryHostPath(rt, f.int(0), removing: true) else { f.returnInt32(-1); return }
            LibcPosix.result(rt, f, Int(Glibc.unlink(path)))
        },
        "memfd_create": { rt, f in
            let name = try LibcString.cstr(rt.memory, f.int(0))
            LibcPosix.result(rt, f, Int(crossrun_memfd_create(name, UInt32(truncatingIfNeeded: try f.int(1)))))
        },
        "eaccess": { rt, f in try LibcPosix.pathCall(rt, f) { Int(crossrun_euidaccess($0, try f.int32(1))) } },
        "euidaccess": { rt, f in try LibcPosix.pathCall(rt, f) { Int(crossrun_euidaccess($0, try f.int32(1))) } },
        "ulimit": { rt, f in
            let command = try f.int32(0)
            var limit = rlimit()
            switch command {
            case getFileSize:
                guard getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0 else { rt.setErrno(errno); f.returnSigned(-1); return }
                f.returnSigned(limit.rlim_cur == rlim_t.max ? Int64.max : Int64(limit.rlim_cur / 512))
            case setFileSize:
                let blocks = try f.variadic(afterInts: 1, floats: 0).nextIntValue()
                guard getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0 else { rt.setErrno(errno); f.returnSigned(-1); return }
                let wanted = Int64(bitPattern: blocks)
                let (bytes, overflow) = UInt64(bitPattern: wanted).multipliedReportingOverflow(by: 512)
                limit.rlim_cur = overflow || bytes >= UInt64(rlim_t.max) ? rlim_t.max : rlim_t(bytes)
                guard setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0 else { rt.setErrno(errno); f.returnSigned(-1); return }
                f.returnSigned(limit.rlim_cur == rlim_t.max ? Int64.max : wanted)
            case getOpenMax:
                f.returnSigned(Int64(sysconf(Int32(_SC_OPEN_MAX))))
            default:
                rt.setErrno(EINVAL)
                f.returnSigned(-1)
            }
        },
    ]
}
