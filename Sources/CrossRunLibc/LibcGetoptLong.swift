#if canImport(Glibc)
import CHostSystem
import Glibc
#endif

extension Getopt {
    /// The most `struct option` entries a table may have before its end is taken as missing.
    static let maximumLongOptions = 1 << 16

    /// One `struct option` read from the guest (LP64 on every target: name at 0, has_arg at
    /// 8, flag at 16, val at 24; 32 bytes).
    struct LongOption {
        var name: [UInt8]
        var hasArg: Int32
        var flag: UInt64
        var val: Int32
    }

    /// What the long-option step of one `getopt_long` call needs from the caller.
    struct LongContext {
        var long: LongOptions
        var argv: UInt64, argc: Int
        var options: [UInt8]
        var printErrors: Bool, colonFirst: Bool
        var optargAddr: UInt64, optoptAddr: UInt64

        /// The table's entries up to its NULL name (an unterminated table faults on the guest
        /// page past it, or ends with an error after ``maximumLongOptions`` entries).
        func entries(_ rt: LibcRuntime) throws -> [LongOption] {
            var result: [LongOption] = []
            var address = long.table
            while true {
                let name = try rt.memory.load(address, as: UInt64.self)
                if name == 0 { return result }
                guard result.count < maximumLongOptions else {
                    throw GuestTermination.signal(SIGSEGV, "getopt_long: the option table has no end within \(maximumLongOptions) entries")
                }
                result.append(LongOption(name: Array(try rt.memory.cString(name)), hasArg: try rt.memory.load(address &+ 8, as: Int32.self),
                                         flag: try rt.memory.load(address &+ 16, as: UInt64.self),
                                         val: try rt.memory.load(address &+ 24, as: Int32.self)))
                address = address &+ 32
            }
        }

        /// glibc's `process_long_option` for the argv element whose name starts at `start`
        /// (after `dashes` dashes): the value to return, or nil when `getopt_long_only` should
        /// read the element as short options instead.
        mutating func process(_ rt: LibcRuntime, at start: UInt64, dashes: Int, optind: inout Int) throws -> Int32? {
            let m = rt.memory
            let text = Array(try m.cString(start))
            let nameLength = text.firstIndex(of: UInt8(ascii: "=")) ?? text.count
            let given = Array(text[..<nameLength])
            let table = try entries(rt)
            let prefix = String(repeating: "-", count: dashes)
            let argv0 = try m.load(argv, as: UInt64.self)
            func show(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

            var found = table.firstIndex { $0.name == given }
            if found == nil {
                var ambiguous: [Int] = []
                for (i, entry) in table.enumerated() where entry.name.starts(with: given) {
                    guard let first = found else { found = i; continue }
                    let p = table[first]
                    if long.only || p.hasArg != entry.hasArg || p.flag != entry.flag || p.val != entry.val {
                        if ambiguous.isEmpty { ambiguous.append(first) }
                        ambiguous.append(i)
                    }
                }
                if !ambiguous.isEmpty {
                    if printErrors {
                        let names = ambiguous.map { " '\(prefix)\(show(table[$0].name))'" }.joined()
                        try complain(rt, argv0: argv0, "option '\(prefix)\(show(text))' is ambiguous; possibilities:\(names)")
                    }
                    optind += 1
                    try m.store(Int32(0), at: optoptAddr)
                    return Int32(UInt8(ascii: "?"))
                }
            }
            guard let index = found else {
                if long.only && dashes == 1, let c = text.first, options.contains(c) { return nil }
                if printErrors { try complain(rt, argv0: argv0, "unrecognized option '\(prefix)\(show(text))'") }
                optind += 1
                try m.store(Int32(0), at: optoptAddr)
                return Int32(UInt8(ascii: "?"))
            }
            let option = table[index]
            optind += 1
            if nameLength < text.count {
                guard option.hasArg != 0 else {
                    if printErrors { try complain(rt, argv0: argv0, "option '\(prefix)\(show(option.name))' doesn't allow an argument") }
                    try m.store(option.val, at: optoptAddr)
                    return Int32(UInt8(ascii: "?"))
                }
                try m.store(start &+ UInt64(nameLength + 1), at: optargAddr)
            } else if option.hasArg == 1 {
                guard optind < argc else {
                    if printErrors { try complain(rt, argv0: argv0, "option '\(prefix)\(show(option.name))' requires an argument") }
                    try m.store(option.val, at: optoptAddr)
                    return Int32(UInt8(ascii: colonFirst ? ":" : "?"))
                }
                try m.store(try m.load(argv &+ UInt64(optind) &* 8, as: UInt64.self), at: optargAddr)
                optind += 1
            }
            if long.indexOut != 0 { try m.store(Int32(index), at: long.indexOut) }
            if option.flag != 0 {
                try m.store(option.val, at: option.flag)
                return 0
            }
            return option.val
        }
    }

    /// glibc's long-option diagnostic on stderr, after the guest's buffered output.
    static func complain(_ rt: LibcRuntime, argv0: UInt64, _ text: String) throws {
        rt.flushAll()
        let name = argv0 == 0 ? rt.programName : try rt.memory.string(argv0)
        fputs("\(name): \(text)\n", crossrun_host_stdio(2))
    }

    static let longFunctions: [String: HostFunction] = [
        "getopt_long": { rt, f in try run(rt, f, long: longOptions(f, only: false)) },
        "getopt_long_only": { rt, f in try run(rt, f, long: longOptions(f, only: true)) },
    ]

    /// The call's long options; none for a NULL table (then it is plain `getopt`, as in glibc).
    static func longOptions(_ f: any CallFrame, only: Bool) throws -> LongOptions? {
        let table = try f.int(3)
        return table == 0 ? nil : LongOptions(table: table, indexOut: try f.int(4), only: only)
    }
}
