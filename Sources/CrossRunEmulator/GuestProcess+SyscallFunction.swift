import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

extension GuestProcess {
    /// Names served by ``syscallFunction(_:)``.
    static let syscallFunctionNames = ["syscall"]

    /// `syscall(number, ...)`: the system call shims a raw `syscall`/`svc`/`ecall` reaches,
    /// with the number in the guest ABI's numbering (`<sys/syscall.h>` per target) and six
    /// argument words; a `-errno` result becomes −1 with errno set, as glibc's wrapper does.
    func syscallFunction(_ name: String) -> HostFunction? {
        guard name == "syscall" else { return nil }
        return { [unowned self] rt, f in
            let number = try f.int(0)
            var rest = try f.variadic(afterInts: 1, floats: 0)
            var a: [UInt64] = []
            for _ in 0..<6 { a.append(try rest.nextInt()) }
            let result = try systemCall(number, a)
            if result < 0 && result > -4096 {
                rt.setErrno(Int32(-result))
                f.returnSigned(-1)
            } else {
                f.returnSigned(result)
            }
        }
    }
}
