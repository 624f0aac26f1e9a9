#if canImport(Glibc)
import Glibc
#endif
import CHostSystem

/// time.h: host clocks and conversions; `struct tm` has the same LP64 layout on every target.
enum LibcTime {
    /// Reads a guest `struct tm` (56 bytes; `tm_zone` is not read).
    static func loadTM(_ m: any GuestMemory, _ a: UInt64) throws -> tm {
        var t = tm()
        t.tm_sec = try m.load(a); t.tm_min = try m.load(a + 4); t.tm_hour = try m.load(a + 8)
        t.tm_mday = try m.load(a + 12); t.tm_mon = try m.load(a + 16); t.tm_year = try m.load(a + 20)
        t.tm_wday = try m.load(a + 24); t.tm_yday = try m.load(a + 28); t.tm_isdst = try m.load(a + 32)
        t.tm_gmtoff = Int(try m.load(a + 40, as: Int64.self))
        return t
    }

    /// Writes a guest `struct tm`, interning the zone name.
    static func storeTM(_ rt: LibcRuntime, _ t: tm, _ a: UInt64) throws {
        let m = rt.memory
        for (i, v) in [t.tm_sec, t.tm_min, t.tm_hour, t.tm_mday, t.tm_mon, t.tm_year, t.tm_wday, t.tm_yday, t.tm_isdst].enumerated() {
            try m.store(v, at: a + UInt64(4 * i))
        }
        try m.store(Int64(t.tm_gmtoff), at: a + 40)
        try m.store(t.tm_zone.map { try rt.internedString(String(cString: $0)) } ?? 0, at: a + 48)
    }

    static func convert(_ rt: LibcRuntime, _ f: any CallFrame, local: Bool, into out: UInt64?) throws {
        var t = time_t(try rt.memory.load(f.int(0), as: Int64.self))
        var result = tm()
        guard (local ? localtime_r(&t, &result) : gmtime_r(&t, &result)) != nil else { rt.setErrno(errno); f.returnInt(0); return }
        let a = try out ?? rt.staticObject("tm", size: 56)
        try storeTM(rt, result, a)
        f.returnInt(a)
    }

    static func text(_ rt: LibcRuntime, _ f: any CallFrame, _ s: UnsafeMutablePointer<CChar>?) throws {
        guard let s else { f.returnInt(0); return }
        let a = try rt.staticObject("asctime", size: 64)
        try rt.memory.write(Array(UnsafeRawBufferPointer(start: s, count: min(strlen(s), 63))) + [0], at: a)
        f.returnInt(a)
    }

    /// `mktime`/`timegm`/`timelocal`: `convert` normalises the guest's `struct tm` (written
    /// back) and its result is the call's.
    static func normalize(_ rt: LibcRuntime, _ f: any CallFrame, _ convert: (inout tm) -> time_t) throws {
        var t = try loadTM(rt.memory, f.int(0))
        let r = convert(&t)
        try storeTM(rt, t, f.int(0))
        f.returnSigned(Int64(r))
    }

    /// Runs `body` on the guest's `struct tm` at `address` with its `tm_zone` name (which
    /// ``loadTM(_:_:)`` leaves out) pointing at a host copy, for `strftime`'s `%Z`. As glibc,
    /// the name is read only when the format has a `%Z` (`needsZone`): a `struct tm` filled
    /// field by field may hold any pointer there.
    static func withZonedTM<R>(_ rt: LibcRuntime, _ address: UInt64, needsZone: Bool, _ body: (inout tm) -> R) throws -> R {
        var t = try loadTM(rt.memory, address)
        guard needsZone else { return body(&t) }
        let zone = try rt.memory.load(address &+ 48, as: UInt64.self)
        guard zone != 0 else { return body(&t) }
        return try rt.memory.string(zone).withCString { z in
            t.tm_zone = z
            return body(&t)
        }
    }

    /// Whether a `strftime` format (its characters as code points) has a `%Z` conversion,
    /// after glibc's flags (`_-0^#`), a width and an `E`/`O` modifier.
    static func formatNamesZone<C: Collection>(_ format: C) -> Bool where C.Element: BinaryInteger {
        var i = format.startIndex
        while i != format.endIndex {
            defer { if i != format.endIndex { i = format.index(after: i) } }
            guard format[i] == 0x25 else { continue } // '%'
            i = format.index(after: i)
            while i != format.endIndex, [0x5f, 0x2d, 0x30, 0x5e, 0x23].contains(Int(format[i])) { i = format.index(after: i) }
            while i != format.endIndex, (0x30...0x39).contains(Int(format[i])) { i = format.index(after: i) }
            if i != format.endIndex, format[i] == 0x45 || format[i] == 0x4f { i = format.index(after: i) } // E, O
            if i != format.endIndex, format[i] == 0x5a { return true } // Z
        }
        return false
    }

    /// `asctime_r`/`ctime_r`: the host's text (at most 26 bytes with its NUL, as POSIX sizes
    /// the buffer) copied into the guest's buffer, which is returned.
    static func reentrantText(_ rt: LibcRuntime, _ f: any CallFrame, _ s: UnsafeMutablePointer<CChar>?, out: UInt64) throws {
        guard let s else { rt.setErrno(EOVERFLOW); f.returnInt(0); return }
        try rt.memory.write(Array(UnsafeRawBufferPointer(start: s, count: min(strlen(s), 25))) + [0], at: out)
        f.returnInt(out)
    }

    /// Copies the host's `timezone`, `daylight` and `tzname` (what its last tzset set) into the
    /// guest's copies of those globals, for those the program uses.
    static func syncZone(_ rt: LibcRuntime) throws {
        if let a = rt.dataSymbols["timezone"] { try rt.memory.store(Int64(crossrun_host_timezone()), at: a) }
        if let a = rt.dataSymbols["daylight"] { try rt.memory.store(crossrun_host_daylight(), at: a) }
        if let a = rt.dataSymbols["tzname"] {
            for i in 0..<2 {
                let name = String(cString: crossrun_host_tzname(Int32(i)))
                try rt.memory.store(rt.internedString(name), at: a + UInt64(8 * i))
            }
        }
    }

    /// `fn`, a call that runs tzset on the host (glibc's localtime, mktime, ctime, strftime),
    /// followed by copying the zone globals to the guest.
    /// The guest's `TZ` first becomes the host's, so a program's own `setenv("TZ", …)` moves
    /// its clock as natively (the process environment is CrossRun's only for this variable).
    /// `rereads`: glibc's call reads `TZ` again itself (localtime, mktime, ctime, strftime,
    /// tzset run tzset; the host's may use a reentrant form that does not, as localtime_r).
    static func zoned(rereads: Bool = true, _ fn: @escaping HostFunction) -> HostFunction {
        { rt, f in
            adoptGuestZone(rt)
            if rereads { tzset() }
            try fn(rt, f)
            try syncZone(rt)
        }
    }

    /// Sets the host's `TZ` to the guest's (unset when the guest has none).
    static func adoptGuestZone(_ rt: LibcRuntime) {
        let name = Array("TZ".utf8)
        let entry = (try? LibcEnvironment.entries(rt))?.first { LibcEnvironment.defines($0.text, name) }
        let guest = entry.map { Array($0.text.dropFirst(name.count + 1)) }
        let host = getenv("TZ").map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) }
        guard guest != host else { return }
        if let guest { setenv("TZ", String(decoding: guest, as: UTF8.self), 1) } else { unsetenv("TZ") }
    }

    static let functions: [String: HostFunction] = [
        "difftime": { _, f in f.returnDouble(difftime(time_t(try f.long(0)), time_t(try f.long(1)))) },
        "clock_gettime": { rt, f in
            var ts = timespec()
            let r = clock_gettime(clockid_t(try f.int32(0)), &ts)
            if r == 0 { try rt.memory.store(Int64(ts.tv_sec), at: f.int(1)); try rt.memory.store(Int64(ts.tv_nsec), at: f.int(1) + 8) }
            LibcPosix.result(rt, f, Int(r))
        },
        "timespec_get": { rt, f in
            var ts = timespec()
            guard try f.int32(1) == 1, clock_gettime(CLOCK_REALTIME, &ts) == 0 else { f.returnInt32(0); return }
            try rt.memory.store(Int64(ts.tv_sec), at: f.int(0))
            try rt.memory.store(Int64(ts.tv_nsec), at: f.int(0) + 8)
            f.returnInt32(1)
        },
        "gettimeofday": { rt, f in
            var tv = timeval()
            gettimeofday(&tv, nil)
            let p = try f.int(0)
            if p != 0 { try rt.memory.store(Int64(tv.tv_sec), at: p); try rt.memory.store(Int64(tv.tv_usec), at: p + 8) }
            f.returnInt32(0)
        },
        "nanosleep": { rt, f in
            var req = timespec(tv_sec: Int(try rt.memory.load(f.int(0), as: Int64.self)), tv_nsec: Int(try rt.memory.load(f.int(0) + 8, as: Int64.self)))
            LibcPosix.result(rt, f, Int(nanosleep(&req, nil)))
        },
        "gmtime": { rt, f in try convert(rt, f, local: false, into: nil) },
        "localtime": zoned { rt, f in try convert(rt, f, local: true, into: nil) },
        "gmtime_r": { rt, f in try convert(rt, f, local: false, into: try f.int(1)) },
        "localtime_r": zoned(rereads: false) { rt, f in try convert(rt, f, local: true, into: try f.int(1)) },
        "mktime": zoned { rt, f in try normalize(rt, f) { mktime(&$0) } },
        "asctime": { rt, f in
            var t = try loadTM(rt.memory, f.int(0))
            try text(rt, f, asctime(&t))
        },
        "ctime": zoned { rt, f in
            var t = time_t(try rt.memory.load(f.int(0), as: Int64.self))
            try text(rt, f, ctime(&t))
        },
        "clock_getres": { rt, f in
            var ts = timespec()
            let r = clock_getres(clockid_t(try f.int32(0)), &ts)
            let out = try f.int(1)
            if r == 0 && out != 0 { try rt.memory.store(Int64(ts.tv_sec), at: out); try rt.memory.store(Int64(ts.tv_nsec), at: out + 8) }
            LibcPosix.result(rt, f, Int(r))
        },
        // A guest never sets the host's clock (natively the program is the process and may).
        // Checked as the kernel does: a malformed time is EINVAL before permission is.
        "clock_settime": { rt, f in
            let nsec = try rt.memory.load(f.int(1) &+ 8, as: Int64.self)
            rt.setErrno((0..<1_000_000_000).contains(nsec) ? EPERM : EINVAL)
            f.returnInt32(-1)
        },
        // As glibc's: a time and a zone together are EINVAL; the time is checked as
        // clock_settime checks it.
        "settimeofday": { rt, f in
            let time = try f.int(0), zone = try f.int(1)
            var error = EPERM
            if time != 0 && zone != 0 {
                error = EINVAL
            } else if time != 0 {
                let usec = try rt.memory.load(time &+ 8, as: Int64.self)
                if !(0..<1_000_000).contains(usec) { error = EINVAL }
            }
            rt.setErrno(error)
            f.returnInt32(-1)
        },
        "clock_nanosleep": { rt, f in
            // Returns an error number (not -1/errno). The remainder is written only for an
            // interrupted relative sleep, as the kernel does.
            let request = try f.int(2), remainder = try f.int(3)
            let sec = try rt.memory.load(request, as: Int64.self), nsec = try rt.memory.load(request &+ 8, as: Int64.self)
            guard sec >= 0, (0..<1_000_000_000).contains(nsec), let s = Int(exactly: sec) else { f.returnInt32(EINVAL); return }
            var req = timespec(tv_sec: s, tv_nsec: Int(nsec)), rem = timespec()
            let flags = Int32(truncatingIfNeeded: try f.int(1))
            let r = clock_nanosleep(clockid_t(try f.int32(0)), flags, &req, &rem)
            if r == EINTR && flags & TIMER_ABSTIME == 0 && remainder != 0 {
                try rt.memory.store(Int64(rem.tv_sec), at: remainder); try rt.memory.store(Int64(rem.tv_nsec), at: remainder + 8)
            }
            f.returnInt32(r)
        },
        "asctime_r": { rt, f in
            var t = try loadTM(rt.memory, f.int(0))
            var buffer = [CChar](repeating: 0, count: 128)
            try reentrantText(rt, f, asctime_r(&t, &buffer), out: f.int(1))
        },
        "ctime_r": zoned(rereads: false) { rt, f in
            var t = time_t(try rt.memory.load(f.int(0), as: Int64.self))
            var buffer = [CChar](repeating: 0, count: 128)
            try reentrantText(rt, f, ctime_r(&t, &buffer), out: f.int(1))
        },
        "tzset": zoned { _, f in tzset(); f.returnInt(0) },
        "timegm": { rt, f in try normalize(rt, f) { timegm(&$0) } },
        "timelocal": zoned { rt, f in try normalize(rt, f) { mktime(&$0) } },
        "strptime": { rt, f in
            // The host parses a copy; the result points into the guest's string at the same offset.
            let input = try f.int(0)
            let text = Array(try rt.memory.cString(input)) + [0], format = Array(try rt.memory.cString(f.int(1))) + [0]
            var t = try loadTM(rt.memory, f.int(2))
            let consumed: Int? = text.withUnsafeBufferPointer { inBuf in
                format.withUnsafeBufferPointer { fmtBuf in
                    inBuf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: text.count) { start in
                        fmtBuf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: format.count) { fmt in
                            guard let end = crossrun_strptime(start, fmt, &t) else { return nil }
                            return start.distance(to: UnsafePointer(end))
                        }
                    }
                }
            }
            guard let consumed else { f.returnInt(0); return }
            try storeTM(rt, t, f.int(2))
            f.returnInt(input &+ UInt64(consumed))
        },
        "strftime": zoned { rt, f in
            // The guest's size bounds what is written, not what the host allocates.
            let out = try f.int(0), max = Swift.min(try f.size(1), 1 << 20)
            let fmt = try rt.memory.string(f.int(2))
            var buffer = [CChar](repeating: 0, count: Swift.max(max, 1))
            let n = try withZonedTM(rt, f.int(3), needsZone: formatNamesZone(fmt.utf8)) { strftime(&buffer, max, fmt, &$0) }
            if max > 0 { try rt.memory.write(buffer[0..<Swift.min(n + 1, max)].map { UInt8(bitPattern: $0) }, at: out) }
            f.returnInt(UInt64(n))
        },
    ]
}
