import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// regex.h and fnmatch.h: glibc's engines on the host. A compiled pattern lives on the host;
/// the guest's `regex_t` (glibc's 64-byte LP64 layout) holds only its handle (in the first
/// field) and `re_nsub` (at offset 48), so a guest can neither read nor forge host pointers.
enum LibcRegex {
    static let regexSize = 64, nsubOffset: UInt64 = 48
    static let noMatch: Int32 = 1, badPattern: Int32 = 2, startEnd: Int32 = 4, noSub: Int32 = 8

    struct Compiled {
        var host: UnsafeMutablePointer<regex_t>
        var noSub: Bool
    }

    static func compiled(_ rt: LibcRuntime, _ preg: UInt64) throws -> (UnsafeMutablePointer<regex_t>, Bool)? {
        let handle = try rt.memory.load(preg, as: UInt64.self)
        guard let r = rt.posix.regexes[handle] else { return nil }
        return (r, rt.posix.regexNoSub.contains(handle))
    }

    static let functions: [String: HostFunction] = [
        "regcomp": { rt, f in
            let preg = try f.int(0), cflags = try f.int32(2)
            let pattern = try LibcString.cstr(rt.memory, f.int(1))
            memset(try rt.memory.host(preg, regexSize, write: true), 0, regexSize)
            let host = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
            let r = regcomp(host, pattern, cflags)
            guard r == 0 else { host.deallocate(); f.returnInt32(r); return }
            let handle = rt.posix.nextRegexHandle
            rt.posix.nextRegexHandle += 1
            rt.posix.regexes[handle] = host
            if cflags & noSub != 0 { rt.posix.regexNoSub.insert(handle) }
            try rt.memory.store(handle, at: preg)
            try rt.memory.store(UInt64(host.pointee.re_nsub), at: preg &+ nsubOffset)
            f.returnInt32(0)
        },
        "regexec": { rt, f in
            let preg = try f.int(0), string = try f.int(1), pmatch = try f.int(3), eflags = try f.int32(4)
            guard let (host, noSubexpressions) = try compiled(rt, preg) else { f.returnInt32(badPattern); return }
            let nmatch = noSubexpressions ? 0 : try f.size(2)
            // glibc fills entries past the subexpressions with -1: ask the host for the useful ones.
            let useful = Swift.min(nmatch, Int(host.pointee.re_nsub) + 1)
            var matches = [regmatch_t](repeating: regmatch_t(rm_so: -1, rm_eo: -1), count: Swift.max(useful, 1))
            let text: UnsafePointer<CChar>
            if eflags & startEnd != 0 {
                // REG_STARTEND: [pmatch[0].rm_so, pmatch[0].rm_eo) of a string that need not end in NUL.
                let so = try rt.memory.load(pmatch, as: Int32.self), eo = try rt.memory.load(pmatch &+ 4, as: Int32.self)
                guard so >= 0, eo >= so else { f.returnInt32(noMatch); return }
                text = UnsafePointer(try rt.memory.host(string, Int(eo), write: false).assumingMemoryBound(to: CChar.self))
                matches[0] = regmatch_t(rm_so: so, rm_eo: eo)
            } else {
                text = try LibcString.cstr(rt.memory, string)
            }
            let (bytes, overflow) = nmatch.multipliedReportingOverflow(by: 8)
            guard !overflow else { throw GuestFault(address: pmatch, size: Int.max, access: .write) }
            let out = nmatch > 0 ? try rt.memory.host(pmatch, bytes, write: true) : nil
            let r = regexec(host, text, useful, &matches, eflags)
            if r == 0, let out {
                for i in 0..<nmatch {
                    let m = i < useful ? matches[i] : regmatch_t(rm_so: -1, rm_eo: -1)
                    out.storeBytes(of: m.rm_so, toByteOffset: 8 * i, as: Int32.self)
                    out.storeBytes(of: m.rm_eo, toByteOffset: 8 * i + 4, as: Int32.self)
                }
            }
            f.returnInt32(r)
        },
        "regerror": { rt, f in
            // glibc's messages depend only on the code.
            let code = try f.int32(0), buffer = try f.int(2), size = try f.size(3)
            // glibc aborts on a code it does not know.
            guard (0...16).contains(code) else { throw GuestTermination.signal(SIGABRT, "regerror: unknown error code \(code)") }
            var text = [CChar](repeating: 0, count: 128)
            let needed = regerror(code, nil, &text, text.count)
            if size > 0 {
                let n = Swift.min(size - 1, Swift.max(needed - 1, 0), text.count - 1)
                try rt.memory.write(text[0..<n].map { UInt8(bitPattern: $0) } + [0], at: buffer)
            }
            f.returnInt(UInt64(needed))
        },
        "regfree": { rt, f in
            let preg = try f.int(0)
            let handle = try rt.memory.load(preg, as: UInt64.self)
            if let host = rt.posix.regexes.removeValue(forKey: handle) { regfree(host); host.deallocate() }
            rt.posix.regexNoSub.remove(handle)
            try rt.memory.store(UInt64(0), at: preg)
        },
        "fnmatch": { rt, f in
            f.returnInt32(fnmatch(try LibcString.cstr(rt.memory, f.int(0)), try LibcString.cstr(rt.memory, f.int(1)), try f.int32(2)))
        },
    ]
}
