import CHostSystem
#if canImport(Glibc)
import Glibc
#endif

/// `<syslog.h>`: the message is formatted by the guest's printf (`%m` included) and handed to
/// the host's syslog, so it reaches the host's log (and stderr with `LOG_PERROR`) exactly as a
/// native program's would; `openlog`'s identity is kept as a host copy made at `openlog` (the
/// host's syslog keeps a pointer to it; a later change to the guest's string is not seen, where
/// natively glibc would read the changed string). Under `--root` the host's log socket (`/dev/log`) is outside the root: nothing is
/// sent to it, and `LOG_PERROR`'s copy is written to stderr by CrossRun in glibc's form
/// (`ident[pid]: message`).
enum LibcSyslog {
    static func confined(_ rt: LibcRuntime) -> Bool { rt.fileSystem.confined }

    static func log(_ rt: LibcRuntime, _ priority: Int32, format: UInt64, args: inout any VariadicArguments) throws {
        let saved = try rt.memory.load(rt.errnoAddress, as: Int32.self)
        let message = try Printf.format(rt, format: format, args: &args)
        rt.setErrno(saved)
        // Is the priority enabled? (setlogmask(0) reads the mask without changing it.)
        guard Glibc.setlogmask(0) & (1 << (priority & 7)) != 0 else { return }
        guard confined(rt) else {
            crossrun_syslog(priority, message.map { CChar(bitPattern: $0) } + [0])
            return
        }
        let p = rt.posix
        guard p.syslogOptions & LOG_PERROR != 0 else { return }
        let ident = p.syslogIdent.map { String(cString: $0) } ?? rt.programName
        let pid = p.syslogOptions & LOG_PID != 0 ? "[\(getpid())]" : ""
        var line = Array("\(ident)\(pid): ".utf8) + message
        if line.last != 10 { line.append(10) }
        rt.streams[rt.dataHandle("stderr")]?.write(line)
    }

    static let functions: [String: HostFunction] = [
        "openlog": { rt, f in
            let identAddress = try f.int(0), options = try f.int32(1), facility = try f.int32(2)
            let p = rt.posix
            let previous = p.syslogIdent
            p.syslogIdent = identAddress == 0 ? nil : strdup(Array(try rt.memory.cString(identAddress)).map { CChar(bitPattern: $0) } + [0])
            p.syslogOptions = options
            // With LOG_NDELAY the host's log socket opens now, in the guest's descriptor table, as natively.
            if !confined(rt) { crossrun_openlog(p.syslogIdent, options, facility) }
            free(previous)   // the host's syslog points at the new copy now
        },
        "closelog": { rt, _ in
            rt.posix.syslogOptions = 0
            if !confined(rt) { Glibc.closelog() }
        },
        "setlogmask": { _, f in f.returnInt32(Glibc.setlogmask(try f.int32(0))) },
        "syslog": { rt, f in
            var a = try f.variadic(afterInts: 2, floats: 0)
            try log(rt, try f.int32(0), format: f.int(1), args: &a)
        },
        "vsyslog": { rt, f in
            var a = try f.vaList(at: f.int(2))
            try log(rt, try f.int32(0), format: f.int(1), args: &a)
        },
    ]
}
