#if canImport(Glibc)
import Glibc
#endif

/// `swscanf`/`vswscanf`: the wide input and format are encoded as UTF-8 and run through the
/// narrow scanf engine (glibc's own parsing, see ``LibcScanf``). For ASCII text this is exactly
/// the wide function: `%s`/`%c` store the multibyte form, `%ls`/`%lc` wide characters, numbers
/// and `%n` count the same characters. With characters beyond ASCII, widths and `%n` count
/// bytes of UTF-8 instead of wide characters, and `%ls` needs a UTF-8 locale to decode them
/// (doc/LIBC.md). The stream forms (`wscanf`, `fwscanf`) are not offered.
enum LibcWideScanf {
    /// UTF-8 bytes of the guest's wide string at `address`, NUL-terminated (invalid code points
    /// become U+FFFD, which matches no directive).
    static func utf8(_ rt: LibcRuntime, _ address: UInt64) throws -> [UInt8] {
        let count = try rt.memory.wideLength(address)
        let wide = try rt.memory.wideBuffer(address, count, write: false)
        var out: [UInt8] = []
        out.reserveCapacity(count + 1)
        for i in 0..<count {
            let scalar = Unicode.Scalar(UInt32(bitPattern: wide[i])) ?? "\u{FFFD}"
            out.append(contentsOf: String(Character(scalar)).utf8)
        }
        out.append(0)
        return out
    }

    static func scan(_ rt: LibcRuntime, _ f: any CallFrame, _ args: any VariadicArguments) throws {
        let input = try utf8(rt, f.int(0)).map { CChar(bitPattern: $0) }
        let format = try utf8(rt, f.int(1))
        // The engine reads its format from guest memory: a temporary copy on the guest heap.
        let copy = try LibcMemory.allocate(rt, format.count, zero: false)
        guard copy != 0 else { rt.setErrno(ENOMEM); f.returnInt32(EOF); return }
        defer { try? LibcMemory.release(rt, copy) }
        try rt.memory.write(format, at: copy)
        let r = try input.withUnsafeBufferPointer { p -> Int32 in
            guard let base = p.baseAddress else { return EOF }
            do { return try LibcScanf.scan(rt, .string(base), format: copy, args: args) } catch is LibcScanf.GuestHeapExhausted { rt.setErrno(ENOMEM); return EOF }
        }
        f.returnInt32(r)
    }

    static let functions: [String: HostFunction] = [
        "swscanf": { rt, f in try scan(rt, f, f.variadic(afterInts: 2, floats: 0)) },
        "vswscanf": { rt, f in try scan(rt, f, f.vaList(at: f.int(2))) },
    ]
}
