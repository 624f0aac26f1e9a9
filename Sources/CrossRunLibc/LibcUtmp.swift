import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `<utmp.h>`/`<utmpx.h>` login records: the host's functions and files, records converted
/// between the host's `struct utmp` (384 bytes, 32-bit session and time) and the guest's
/// (the same on riscv64; 400 bytes with 64-bit ones on aarch64: ``GuestABI/utmpTime64``).
/// `utmpx` is the same record and database. File names go through ``GuestFileSystem``; under
/// `--root` the default database is a name that cannot exist (no records, `pututline` fails),
/// since the host's `/var/run/utmp` is outside the root.
enum LibcUtmp {
    static let hostSize = 384

    static func guestSize(_ rt: LibcRuntime) -> Int { rt.abi.utmpTime64 ? 400 : 384 }

    /// The guest record at `address` as the host's bytes.
    static func load(_ rt: LibcRuntime, _ address: UInt64) throws -> [UInt8] {
        let guest = Array(try rt.memory.bytes(address, guestSize(rt)))
        guard rt.abi.utmpTime64 else { return guest }
        var host = Array(guest[0..<336])
        func int32(at offset: Int) -> [UInt8] {
            let v = guest[offset..<offset + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            return withUnsafeBytes(of: Int32(truncatingIfNeeded: Int64(bitPattern: v)).littleEndian, Array.init)
        }
        host += int32(at: 336) + int32(at: 344) + int32(at: 352)   // ut_session, ut_tv
        host += guest[360..<396]                                      // ut_addr_v6, reserved
        return host
    }

    /// Stores the host record at `record` into the guest's at `address`.
    static func store(_ rt: LibcRuntime, _ record: UnsafeRawPointer, at address: UInt64) throws {
        let host = Array(UnsafeRawBufferPointer(start: record, count: hostSize))
        guard rt.abi.utmpTime64 else { try rt.memory.write(host, at: address); return }
        func int64(at offset: Int) -> [UInt8] {
            let v = host[offset..<offset + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            return withUnsafeBytes(of: Int64(Int32(bitPattern: v)).littleEndian, Array.init)
        }
        var guest = Array(host[0..<336])
        guest += int64(at: 336) + int64(at: 340) + int64(at: 344)
        guest += host[348..<384] + [UInt8](repeating: 0, count: 4)
        try rt.memory.write(guest, at: address)
    }

    /// Under `--root`, points the host's functions at a database that cannot exist before the
    /// first use, unless the program named its own.
    static func prepare(_ rt: LibcRuntime) {
        guard rt.fileSystem.confined, !rt.posix.utmpNamed else { return }
        _ = crossrun_utmpname("/dev/null/crossrun-no-utmp")
        rt.posix.utmpNamed = true
    }

    /// A function returning the host's static record: copied to the guest's static one.
    static func returning(_ rt: LibcRuntime, _ f: any CallFrame, _ record: UnsafeRawPointer?) throws {
        guard let record else { f.returnInt(0); return }
        let out = try rt.staticObject("utmp", size: guestSize(rt))
        try store(rt, record, at: out)
        f.returnInt(out)
    }

    /// The `_r` forms: the record in the caller's buffer and `*result`, 0; or -1 and NULL.
    static func reentrant(_ rt: LibcRuntime, _ f: any CallFrame, buffer: UInt64, result: UInt64, _ record: UnsafeRawPointer?) throws {
        _ = try rt.memory.host(result, 8, write: true)
        guard let record else {
            rt.setErrno(errno)
            try rt.memory.store(UInt64(0), at: result)
            f.returnInt32(-1)
            return
        }
        try store(rt, record, at: buffer)
        try rt.memory.store(buffer, at: result)
        f.returnInt32(0)
    }

    /// Runs `body` on the host copy of the guest record at integer argument `i`.
    static func withRecord<T>(_ rt: LibcRuntime, _ f: any CallFrame, _ i: Int, _ body: (UnsafeRawPointer) -> T) throws -> T {
        let bytes = try load(rt, try f.int(i))
        return bytes.withUnsafeBytes { body($0.baseAddress!) }
    }

    static func name(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        guard let path = try rt.hostPath(at: f.int(0)) else { f.returnInt32(-1); return }
        rt.posix.utmpNamed = true
        let r = crossrun_utmpname(path)
        if r != 0 { rt.setErrno(errno) }
        f.returnInt32(r)
    }

    static func update(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        guard let path = try rt.hostPath(at: f.int(0)) else { return }
        try withRecord(rt, f, 1) { crossrun_updwtmp(path, $0) }
    }

    static let functions: [String: HostFunction] = {
        var t: [String: HostFunction] = [
            "setutent": { rt, _ in prepare(rt); crossrun_setutent() },
            "endutent": { rt, _ in prepare(rt); crossrun_endutent() },
            "getutent": { rt, f in prepare(rt); try returning(rt, f, crossrun_getutent()) },
            "getutid": { rt, f in prepare(rt); try returning(rt, f, try withRecord(rt, f, 0) { crossrun_getutid($0) }) },
            "getutline": { rt, f in prepare(rt); try returning(rt, f, try withRecord(rt, f, 0) { crossrun_getutline($0) }) },
            "pututline": { rt, f in
                prepare(rt)
                let record = try withRecord(rt, f, 0) { crossrun_pututline($0) }
                if record == nil { rt.setErrno(errno) }
                try returning(rt, f, record)
            },
            "utmpname": { rt, f in try name(rt, f) },
            "updwtmp": { rt, f in try update(rt, f) },
            "getutent_r": { rt, f in
                prepare(rt)
                try reentrant(rt, f, buffer: f.int(0), result: f.int(1), crossrun_getutent())
            },
            "getutid_r": { rt, f in
                prepare(rt)
                try reentrant(rt, f, buffer: f.int(1), result: f.int(2), try withRecord(rt, f, 0) { crossrun_getutid($0) })
            },
            "getutline_r": { rt, f in
                prepare(rt)
                try reentrant(rt, f, buffer: f.int(1), result: f.int(2), try withRecord(rt, f, 0) { crossrun_getutline($0) })
            },
            // struct utmpx is struct utmp: a copy of the guest's own size.
            "getutmp": { rt, f in try rt.memory.write(Array(try rt.memory.bytes(f.int(0), guestSize(rt))), at: f.int(1)) },
        ]
        for (x, plain) in [("setutxent", "setutent"), ("endutxent", "endutent"), ("getutxent", "getutent"), ("getutxid", "getutid"),
                           ("getutxline", "getutline"), ("pututxline", "pututline"), ("utmpxname", "utmpname"),
                           ("updwtmpx", "updwtmp"), ("getutmpx", "getutmp")] {
            t[x] = t[plain]
        }
        return t
    }()
}
