#if canImport(Glibc)
import Glibc
#endif

/// Number conversions (`strtol` family, `atoi`, `strtod`), `abs`, `div`.
enum LibcConvert {
    /// Runs a host `strto*` on the guest string and stores `*endptr` as a guest address.
    static func parse<T>(_ rt: LibcRuntime, _ f: any CallFrame, _ body: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) throws -> T {
        let s = try f.int(0), endOut = try f.int(1)
        let host = try LibcString.cstr(rt.memory, s)
        var end: UnsafeMutablePointer<CChar>?
        // The host's errno through one pointer (Glibc's `errno` accessors are two calls each).
        let hostErrno = __errno_location()
        hostErrno?.pointee = 0
        let v = body(host, &end)
        if let e = hostErrno?.pointee, e != 0 { rt.setErrno(e) }
        // glibc leaves *endptr alone when it rejects the base.
        if endOut != 0, end != nil { try rt.memory.store(LibcString.guest(end.map { UnsafeRawPointer($0) }, base: s, hostBase: host), at: endOut) }
        return v
    }

    static let functions: [String: HostFunction] = [
        "strtol": { rt, f in let b = try f.int32(2); f.returnSigned(Int64(try parse(rt, f) { strtol($0, $1, b) })) },
        "strtoll": { rt, f in let b = try f.int32(2); f.returnSigned(Int64(try parse(rt, f) { strtoll($0, $1, b) })) },
        "strtoul": { rt, f in let b = try f.int32(2); f.returnInt(UInt64(try parse(rt, f) { strtoul($0, $1, b) })) },
        "strtoull": { rt, f in let b = try f.int32(2); f.returnInt(UInt64(try parse(rt, f) { strtoull($0, $1, b) })) },
        "strtod": { rt, f in f.returnDouble(try parse(rt, f) { strtod($0, $1) }) },
        "strtof": { rt, f in f.returnFloat(try parse(rt, f) { strtof($0, $1) }) },
        "atoi": { rt, f in f.returnInt32(atoi(try LibcString.cstr(rt.memory, f.int(0)))) },
        "atol": { rt, f in f.returnSigned(Int64(atol(try LibcString.cstr(rt.memory, f.int(0))))) },
        "atoll": { rt, f in f.returnSigned(Int64(atoll(try LibcString.cstr(rt.memory, f.int(0))))) },
        "atof": { rt, f in f.returnDouble(atof(try LibcString.cstr(rt.memory, f.int(0)))) },
        "abs": { _, f in let v = try f.int32(0); f.returnInt32(v == Int32.min ? v : Swift.abs(v)) },
        "labs": { _, f in let v = try f.long(0); f.returnSigned(v == Int64.min ? v : Swift.abs(v)) },
        "llabs": { _, f in let v = try f.long(0); f.returnSigned(v == Int64.min ? v : Swift.abs(v)) },
    ]
}
