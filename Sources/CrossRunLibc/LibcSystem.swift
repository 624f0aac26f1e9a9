import CHostSystem
import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// Limits, usage and scheduling priority (`<sys/resource.h>`), `times`, `uname` (the guest's
/// machine), terminals (`<termios.h>`, `ioctl`), and waiting on descriptors (`poll`,
/// `select`, `pselect`): host calls, structs converted through the guest's ``GuestABI``.
enum LibcSystem {
    static func writeTimeval(_ w: GuestStructWriter, _ field: Field, _ tv: timeval) throws {
        try w.set(Field(field.offset, 8), Int64(tv.tv_sec))
        try w.set(Field(field.offset + 8, 8), Int64(tv.tv_usec))
    }

    /// A guest `struct termios` as the host's.
    static func readTermios(_ rt: LibcRuntime, _ address: UInt64) throws -> termios {
        let l = rt.abi.linux.termios
        let r = try GuestStructReader(rt.memory, at: address, size: l.size)
        var t = termios()
        t.c_iflag = tcflag_t(try r.unsigned(l.iflag)); t.c_oflag = tcflag_t(try r.unsigned(l.oflag))
        t.c_cflag = tcflag_t(try r.unsigned(l.cflag)); t.c_lflag = tcflag_t(try r.unsigned(l.lflag))
        t.c_line = cc_t(try r.unsigned(l.line))
        let cc = try rt.memory.bytes(address + UInt64(l.cc.offset), l.cc.size)
        withUnsafeMutableBytes(of: &t.c_cc) { dst in _ = dst.prefix(cc.count).initializeMemory(as: UInt8.self, from: cc.prefix(dst.count)) }
        t.c_ispeed = speed_t(try r.unsigned(l.ispeed)); t.c_ospeed = speed_t(try r.unsigned(l.ospeed))
        return t
    }

    static func writeTermios(_ rt: LibcRuntime, _ t: termios, _ address: UInt64) throws {
        let l = rt.abi.linux.termios
        let w = try GuestStructWriter(rt.memory, at: address, size: l.size)
        try w.set(l.iflag, UInt64(t.c_iflag)); try w.set(l.oflag, UInt64(t.c_oflag))
        try w.set(l.cflag, UInt64(t.c_cflag)); try w.set(l.lflag, UInt64(t.c_lflag)); try w.set(l.line, UInt64(t.c_line))
        var cc = t.c_cc
        try withUnsafeBytes(of: &cc) { try rt.memory.write(Array($0.prefix(l.cc.size)), at: address + UInt64(l.cc.offset)) }
        try w.set(l.ispeed, UInt64(t.c_ispeed)); try w.set(l.ospeed, UInt64(t.c_ospeed))
    }

    /// Applies `body` to the guest termios at argument 0 (read, changed, written back).
    static func onTermios(_ rt: LibcRuntime, _ f: any CallFrame, _ body: (inout termios) throws -> Int32) throws {
        let address = try f.int(0)
        var t = try readTermios(rt, address)
        let r = try body(&t)
        try writeTermios(rt, t, address)
        LibcPosix.result(rt, f, Int(r))
    }

    static func ioctl(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let n = rt.abi.linux.ioctl
        let fd = try f.int32(0), request = try f.int(1)
        var args = try f.variadic(afterInts: 2, floats: 0)
        let arg = try args.nextInt()
        switch request {
        case n.tcgets:
            var t = termios()
            let r = tcgetattr(fd, &t)
            if r == 0 { try writeTermios(rt, t, arg) }
            LibcPosix.result(rt, f, Int(r))
        case n.tcsets, n.tcsetsw, n.tcsetsf:
            var t = try readTermios(rt, arg)
            LibcPosix.result(rt, f, Int(tcsetattr(fd, request == n.tcsets ? TCSANOW : request == n.tcsetsw ? TCSADRAIN : TCSAFLUSH, &t)))
        case _ where request == n.tcgeta || n.tcsetaRequests.contains(request):
            let p = try rt.memory.host(arg, n.termioSize, write: request == n.tcgeta)
            LibcPosix.result(rt, f, Int(crossrun_ioctl_pointer(fd, UInt(request), p)))
        case n.tiocgwinsz, n.tiocswinsz:
            // struct winsize: four unsigned shorts, the same on every target.
            let p = try rt.memory.host(arg, 8, write: request == n.tiocgwinsz)
            let host: UInt = request == n.tiocgwinsz ? UInt(TIOCGWINSZ) : UInt(TIOCSWINSZ)
            LibcPosix.result(rt, f, Int(crossrun_ioctl_pointer(fd, host, p)))
        case n.fionread, n.fionbio:
            let p = try rt.memory.host(arg, 4, write: request == n.fionread)
            LibcPosix.result(rt, f, Int(crossrun_ioctl_pointer(fd, request == n.fionread ? UInt(FIONREAD) : UInt(FIONBIO), p)))
        case _ where n.intResultRequests.contains(request) || n.intArgumentRequests.contains(request):
            let p = try rt.memory.host(arg, 4, write: n.intResultRequests.contains(request))
            LibcPosix.result(rt, f, Int(crossrun_ioctl_pointer(fd, UInt(request), p)))
        case _ where n.valueRequests.contains(request):
            LibcPosix.result(rt, f, Int(crossrun_ioctl_value(fd, UInt(request), UInt(truncatingIfNeeded: arg))))
        case n.siocgifconf:
            try LibcInterfaces.interfaceList(rt, f, fd: fd, arg)
        case _ where n.interfaceQueries.contains(request):
            guard !rt.fileSystem.confined else { rt.setErrno(EACCES); f.returnInt32(-1); return }
            let p = try rt.memory.host(arg, n.ifreqSize, write: true)
            LibcPosix.result(rt, f, Int(crossrun_ioctl_pointer(fd, UInt(request), p)))
        default:
            rt.setErrno(ENOTTY)   // what Linux says for requests a descriptor does not know
            f.returnInt32(-1)
        }
    }

    /// Writes a host `struct rusage` in the guest's layout.
    static func writeRusage(_ rt: LibcRuntime, _ u: rusage, _ address: UInt64) throws {
        let l = rt.abi.linux.rusage
        let w = try GuestStructWriter(rt.memory, at: address, size: l.size)
        try writeTimeval(w, l.utime, u.ru_utime)
        try writeTimeval(w, l.stime, u.ru_stime)
        let longs = [u.ru_maxrss, u.ru_ixrss, u.ru_idrss, u.ru_isrss, u.ru_minflt, u.ru_majflt, u.ru_nswap, u.ru_inblock,
                     u.ru_oublock, u.ru_msgsnd, u.ru_msgrcv, u.ru_nsignals, u.ru_nvcsw, u.ru_nivcsw]
        for (i, v) in longs.enumerated() { try w.set(Field(l.longs.offset + 8 * i, 8), Int64(v)) }
    }

    static func wait4(_ rt: LibcRuntime, _ f: any CallFrame, pid: Int32, statusAddress: UInt64, options: Int32, usage: UInt64) throws {
        // EFAULT before waiting (a reaped child cannot be waited for again).
        if statusAddress != 0 { _ = try rt.memory.host(statusAddress, 4, write: true) }
        if usage != 0 { _ = try rt.memory.mutableBytes(usage, rt.abi.linux.rusage.size) }
        var status: Int32 = 0
        var u = rusage()
        let r = Glibc.wait4(pid, &status, options, &u)
        if r < 0 { rt.setErrno(errno); f.returnInt32(-1); return }
        if r > 0 && statusAddress != 0 { try rt.memory.store(status, at: statusAddress) }
        if r > 0 && usage != 0 { try writeRusage(rt, u, usage) }
        f.returnInt32(r)
    }

    static let maximumDescriptors = 1 << 20

    /// System-call wrappers answer EFAULT for bad pointers (``LibcPosix/faultIsEFAULT(_:)``);
    /// the termios helpers, which are library code, fault as natively.
    static let functions = all.reduce(into: [String: HostFunction]()) { table, entry in
        table[entry.key] = entry.key.hasPrefix("cf") ? entry.value : LibcPosix.faultIsEFAULT(entry.value)
    }

    static let all: [String: HostFunction] = [
        "getrlimit": { rt, f in
            var l = rlimit()
            let r = Glibc.getrlimit(__rlimit_resource_t(try f.int32(0)), &l)
            let out = try f.int(1)
            if r == 0 && out != 0 {   // glibc's prlimit accepts NULL
                try rt.memory.store(UInt64(l.rlim_cur), at: out)
                try rt.memory.store(UInt64(l.rlim_max), at: out + 8)
            }
            LibcPosix.result(rt, f, Int(r))
        },
        "setrlimit": { rt, f in
            var l = rlimit(rlim_cur: rlim_t(try rt.memory.load(f.int(1), as: UInt64.self)), rlim_max: rlim_t(try rt.memory.load(f.int(1) + 8, as: UInt64.self)))
            LibcPosix.result(rt, f, Int(Glibc.setrlimit(__rlimit_resource_t(try f.int32(0)), &l)))
        },
        // Another process's limits too; under --root, as kill, only this process and its children.
        "prlimit": LibcPosix.faultIsEFAULT { rt, f in
            let pid = pid_t(truncatingIfNeeded: try f.int(0)), resource = try f.int32(1), new = try f.int(2), out = try f.int(3)
            if rt.fileSystem.confined && pid != 0 && pid != getpid() && !rt.isChildProcess(pid) {
                rt.setErrno(EPERM); f.returnInt32(-1); return
            }
            let limits = new == 0 ? [0, 0] : [UInt(try rt.memory.load(new, as: UInt64.self)), UInt(try rt.memory.load(new &+ 8, as: UInt64.self))]
            if out != 0 { _ = try rt.memory.mutableBytes(out, 16) }   // a bad result pointer faults before anything changes
            var old: [UInt] = [0, 0]
            let r = crossrun_prlimit(pid, resource, new == 0 ? 0 : 1, limits, out == 0 ? 0 : 1, &old)
            guard r == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
            if out != 0 {
                try rt.memory.store(UInt64(old[0]), at: out)
                try rt.memory.store(UInt64(old[1]), at: out &+ 8)
            }
            f.returnInt32(0)
        },
        "getrusage": { rt, f in
            var u = rusage()
            let r = Glibc.getrusage(__rusage_who_t(try f.int32(0)), &u)
            if r == 0 { try writeRusage(rt, u, f.int(1)) }
            LibcPosix.result(rt, f, Int(r))
        },
        // wait4/wait3: waitpid plus the child's usage (Linux's answers: EFAULT for bad pointers).
        "wait4": { rt, f in try wait4(rt, f, pid: f.int32(0), statusAddress: f.int(1), options: f.int32(2), usage: f.int(3)) },
        "wait3": { rt, f in try wait4(rt, f, pid: -1, statusAddress: f.int(0), options: f.int32(1), usage: f.int(2)) },
        "getpriority": { rt, f in
            errno = 0
            let r = Glibc.getpriority(__priority_which_t(try f.int32(0)), id_t(truncatingIfNeeded: try f.int(1)))
            if r == -1 && errno != 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "setpriority": { rt, f in
            LibcPosix.result(rt, f, Int(Glibc.setpriority(__priority_which_t(try f.int32(0)),
                                                          id_t(truncatingIfNeeded: try f.int(1)), try f.int32(2))))
        },
        "times": { rt, f in
            var t = tms()
            let r = Glibc.times(&t)
            let p = try f.int(0)
            if p != 0 {
                for (i, v) in [t.tms_utime, t.tms_stime, t.tms_cutime, t.tms_cstime].enumerated() { try rt.memory.store(Int64(v), at: p + UInt64(8 * i)) }
            }
            if r == -1 { rt.setErrno(errno) }
            f.returnSigned(Int64(r))
        },
        "uname": { rt, f in
            // The host's names, but the machine is the guest's.
            var u = utsname()
            guard Glibc.uname(&u) == 0 else { rt.setErrno(errno); f.returnInt32(-1); return }
            let l = rt.abi.linux.utsname
            let w = try GuestStructWriter(rt.memory, at: f.int(0), size: l.size)
            var fields: [[UInt8]] = []
            for i in 0..<6 {
                fields.append(withUnsafeBytes(of: &u) { Array($0[(65 * i)..<(65 * i + 65)].prefix { $0 != 0 }) })
            }
            fields[4] = Array(rt.abi.unameMachine.utf8)
            for (i, s) in fields.enumerated() { try w.setString(Field(l.fieldLength * i, l.fieldLength), s) }
            f.returnInt32(0)
        },
        "tcgetattr": { rt, f in
            var t = termios()
            let r = Glibc.tcgetattr(try f.int32(0), &t)
            if r == 0 { try writeTermios(rt, t, f.int(1)) }
            LibcPosix.result(rt, f, Int(r))
        },
        "tcsetattr": { rt, f in
            var t = try readTermios(rt, f.int(2))
            LibcPosix.result(rt, f, Int(Glibc.tcsetattr(try f.int32(0), try f.int32(1), &t)))
        },
        "cfgetispeed": { rt, f in var t = try readTermios(rt, f.int(0)); f.returnInt(UInt64(cfgetispeed(&t))) },
        "cfgetospeed": { rt, f in var t = try readTermios(rt, f.int(0)); f.returnInt(UInt64(cfgetospeed(&t))) },
        "cfsetispeed": { rt, f in let s = speed_t(truncatingIfNeeded: try f.int(1)); try onTermios(rt, f) { cfsetispeed(&$0, s) } },
        "cfsetospeed": { rt, f in let s = speed_t(truncatingIfNeeded: try f.int(1)); try onTermios(rt, f) { cfsetospeed(&$0, s) } },
        "cfsetspeed": { rt, f in let s = speed_t(truncatingIfNeeded: try f.int(1)); try onTermios(rt, f) { cfsetspeed(&$0, s) } },
        "cfmakeraw": { rt, f in
            let address = try f.int(0)
            var t = try readTermios(rt, address)
            cfmakeraw(&t)
            try writeTermios(rt, t, address)
        },
        "tcdrain": { rt, f in LibcPosix.result(rt, f, Int(Glibc.tcdrain(try f.int32(0)))) },
        "tcflush": { rt, f in LibcPosix.result(rt, f, Int(Glibc.tcflush(try f.int32(0), try f.int32(1)))) },
        "tcflow": { rt, f in LibcPosix.result(rt, f, Int(Glibc.tcflow(try f.int32(0), try f.int32(1)))) },
        "tcsendbreak": { rt, f in LibcPosix.result(rt, f, Int(Glibc.tcsendbreak(try f.int32(0), try f.int32(1)))) },
        "ioctl": { rt, f in try ioctl(rt, f) },
        "poll": { rt, f in
            // struct pollfd and the POLL* bits are the same on every target: poll in place.
            let count = try f.int(1)
            guard count <= UInt64(maximumDescriptors) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let size = Int(count) * rt.abi.linux.pollfdSize
            guard let p = try? LibcPosix.ioBuffer(rt, f.int(0), size, write: true) else { rt.setErrno(EFAULT); f.returnInt32(-1); return }
            LibcPosix.result(rt, f, Int(Glibc.poll(p.pointer?.assumingMemoryBound(to: pollfd.self), nfds_t(count), try f.int32(2))))
        },
        "ppoll": { rt, f in
            // poll with a timespec (NULL: no limit); the mask is not applied, as pselect's.
            let count = try f.int(1)
            guard count <= UInt64(maximumDescriptors) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            guard let fds = try? LibcPosix.ioBuffer(rt, f.int(0), Int(count) * rt.abi.linux.pollfdSize, write: true) else {
                rt.setErrno(EFAULT); f.returnInt32(-1); return
            }
            let limit = try f.int(2)
            var seconds = -1, nanoseconds = 0
            if limit != 0 {
                seconds = Int(try rt.memory.load(limit, as: Int64.self))
                nanoseconds = Int(try rt.memory.load(limit &+ 8, as: Int64.self))
                // A negative time is the kernel's EINVAL, not "no limit".
                guard seconds >= 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            }
            LibcPosix.result(rt, f, Int(crossrun_ppoll(fds.pointer, UInt(count), seconds, nanoseconds)))
        },
        "select": { rt, f in try select(rt, f, pselect: false) },
        "pselect": { rt, f in try select(rt, f, pselect: true) },
    ]

    /// `select`/`pselect` on guest `fd_set`s (the same bit layout on every target), in place.
    /// `select` writes the time left back, as Linux does; `pselect`'s signal mask is ignored
    /// (the guest's signals are delivered by the library, not by the host kernel).
    static func select(_ rt: LibcRuntime, _ f: any CallFrame, pselect: Bool) throws {
        // Linux clamps a larger count to its descriptor table; the guest's sets hold 1024 bits.
        let count = min(try f.int32(0), Int32(rt.abi.linux.fdSetSize * 8))
        guard count >= 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
        var sets: [UnsafeMutablePointer<fd_set>?] = []
        for i in 1...3 {
            let a = try f.int(i)
            if a == 0 { sets.append(nil); continue }
            guard let p = try? rt.memory.host(a, rt.abi.linux.fdSetSize, write: true) else { rt.setErrno(EFAULT); f.returnInt32(-1); return }
            sets.append(p.assumingMemoryBound(to: fd_set.self))
        }
        let timeout = try f.int(4)
        let r: Int32
        if timeout == 0 {
            r = pselect ? Glibc.pselect(count, sets[0], sets[1], sets[2], nil, nil) : Glibc.select(count, sets[0], sets[1], sets[2], nil)
        } else {
            let sec = try rt.memory.load(timeout, as: Int64.self), frac = try rt.memory.load(timeout + 8, as: Int64.self)
            if pselect {
                var ts = timespec(tv_sec: Int(sec), tv_nsec: Int(frac))
                r = Glibc.pselect(count, sets[0], sets[1], sets[2], &ts, nil)
            } else {
                var tv = timeval(tv_sec: Int(sec), tv_usec: Int(frac))
                r = Glibc.select(count, sets[0], sets[1], sets[2], &tv)
                try rt.memory.store(Int64(tv.tv_sec), at: timeout)
                try rt.memory.store(Int64(tv.tv_usec), at: timeout + 8)
            }
        }
        LibcPosix.result(rt, f, Int(r))
    }
}
