import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `<sys/prctl.h>`: the options that describe the process or thread to the kernel, acting on
/// the CrossRun process and its host thread (which every emulated guest thread runs on, so
/// `PR_SET_NAME` names that thread for all of them). Options that would reach beyond the
/// process — seccomp, capabilities, memory layout, the mm's fields — are EINVAL, as if the
/// kernel lacked them.
enum LibcPrctl {
    /// Options passed on with integer arguments only.
    static let plain: Set<Int32> = [
        1,  // PR_SET_PDEATHSIG (signal numbers are Linux's on every target)
        3, 4,  // PR_GET_DUMPABLE, PR_SET_DUMPABLE
        29, 30,  // PR_SET_TIMERSLACK, PR_GET_TIMERSLACK
        36,  // PR_SET_CHILD_SUBREAPER
        38, 39,  // PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS
        41, 42,  // PR_SET_THP_DISABLE, PR_GET_THP_DISABLE
    ]
    /// Options whose second argument points to an `int` the kernel writes.
    static let intResult: Set<Int32> = [2, 37]   // PR_GET_PDEATHSIG, PR_GET_CHILD_SUBREAPER
    static let setName: Int32 = 15, getName: Int32 = 16
    /// The kernel's thread-name buffer (TASK_COMM_LEN).
    static let nameLength = 16

    static let functions: [String: HostFunction] = [
        "prctl": LibcPosix.faultIsEFAULT { rt, f in
            let option = try f.int32(0)
            var rest = try f.variadic(afterInts: 1, floats: 0)
            let a2 = try rest.nextInt(), a3 = try rest.nextInt(), a4 = try rest.nextInt(), a5 = try rest.nextInt()
            func host(_ a2: UInt64) -> Int32 { crossrun_prctl(option, UInt(a2), UInt(a3), UInt(a4), UInt(a5)) }
            if plain.contains(option) {
                LibcPosix.result(rt, f, Int(host(a2)))
            } else if intResult.contains(option) {
                var value: Int32 = 0
                let r = withUnsafeMutablePointer(to: &value) { host(UInt64(UInt(bitPattern: $0))) }
                if r == 0 { try rt.memory.store(value, at: a2) }
                LibcPosix.result(rt, f, Int(r))
            } else if option == setName {
                // The kernel copies up to 16 bytes and keeps 15 of them.
                var name = [CChar](repeating: 0, count: nameLength)
                for i in 0..<(nameLength - 1) {
                    let b: UInt8 = try rt.memory.load(a2 &+ UInt64(i), as: UInt8.self)
                    if b == 0 { break }
                    name[i] = CChar(bitPattern: b)
                }
                let r = name.withUnsafeBufferPointer { host(UInt64(UInt(bitPattern: $0.baseAddress))) }
                LibcPosix.result(rt, f, Int(r))
            } else if option == getName {
                var name = [UInt8](repeating: 0, count: nameLength)
                let r = name.withUnsafeMutableBufferPointer { host(UInt64(UInt(bitPattern: $0.baseAddress))) }
                if r == 0 { try rt.memory.write(name, at: a2) }
                LibcPosix.result(rt, f, Int(r))
            } else {
                rt.setErrno(EINVAL)
                f.returnInt32(-1)
            }
        },
    ]
}
