import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `<mcheck.h>`, as glibc 2.34 and later without `libc_malloc_debug.so` preloaded (its
/// default): the hooks do nothing (`mcheck` is -1, `mprobe` MCHECK_DISABLED, `mtrace` writes no
/// trace); natively they are the host's, which behave the same. And `<sys/personality.h>`'s
/// `personality`, on the CrossRun process (a query, or PER_LINUX with flags such as
/// ADDR_NO_RANDOMIZE; other domains and the address limits, which would confine CrossRun's own
/// memory, are EINVAL).
enum LibcMallocDebug {
    /// `MCHECK_DISABLED`.
    static let disabled: Int32 = -1
    /// PER_MASK, ADDR_LIMIT_32BIT, ADDR_LIMIT_3GB.
    static let domainMask: UInt64 = 0xff, addressLimits: UInt64 = 0x080_0000 | 0x800_0000

    static let functions: [String: HostFunction] = [
        "mcheck": { _, f in f.returnInt32(-1) },
        "mcheck_pedantic": { _, f in f.returnInt32(-1) },
        "mcheck_check_all": { _, _ in },
        "mprobe": { _, f in f.returnInt32(disabled) },
        "mtrace": { _, _ in },
        "muntrace": { _, _ in },
        "personality": { rt, f in
            let persona = try f.int(0) & 0xffff_ffff
            if persona != 0xffff_ffff && (persona & domainMask != 0 || persona & addressLimits != 0) {
                rt.setErrno(EINVAL)
                f.returnInt32(-1)
                return
            }
            LibcPosix.result(rt, f, Int(crossrun_personality(UInt(persona))))
        },
    ]
}
