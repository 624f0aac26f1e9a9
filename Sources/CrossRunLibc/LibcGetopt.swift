#if canImport(Glibc)
import CHostSystem
import Glibc
#endif

/// `getopt`'s state between calls (glibc's `struct _getopt_data`, short options only).
struct GetoptState {
    enum Ordering { case requireOrder, permute, returnInOrder }
    /// Guest address of the next option character in the current argv element (0: none).
    var nextChar: UInt64 = 0
    var firstNonOption = 1, lastNonOption = 1
    var ordering = Ordering.permute
    var initialized = false
}

/// glibc's `getopt` over the guest's argv — including GNU argument permutation (non-options
/// are moved behind the options unless the option string starts with '+' or POSIXLY_CORRECT
/// is set) and '-' (non-options returned as option 1) — keeping `optind`/`optarg`/`opterr`/
/// `optopt` in guest data. `getopt_long` and `getopt_long_only` add GNU long options
/// (`LibcGetoptLong.swift`).
enum Getopt {
    /// The long-option table of a `getopt_long`/`getopt_long_only` call.
    struct LongOptions {
        /// Guest address of the `struct option` array (ended by a NULL name).
        var table: UInt64
        /// Guest `int *` receiving the matched entry's index (0: none).
        var indexOut: UInt64
        /// `getopt_long_only`: a single '-' may start a long option too.
        var only: Bool
    }

    static func run(_ rt: LibcRuntime, _ f: any CallFrame, long: LongOptions? = nil) throws {
        let argc = Int(try f.int32(0)), argv = try f.int(1)
        var options = Array(try rt.memory.cString(f.int(2)))
        let m = rt.memory
        guard let optindAddr = try HostLibc.dataAddress("optind", rt), let optargAddr = try HostLibc.dataAddress("optarg", rt),
              let optoptAddr = try HostLibc.dataAddress("optopt", rt), let opterrAddr = try HostLibc.dataAddress("opterr", rt)
        else { f.returnInt32(-1); return }
        var optind = Int(try m.load(optindAddr, as: Int32.self))
        var d = rt.getopt
        defer { rt.getopt = d }
        func slot(_ i: Int) -> UInt64 { argv &+ UInt64(truncatingIfNeeded: i) &* 8 }   // a wild argv faults on load
        func element(_ i: Int) throws -> UInt64 { try m.load(slot(i), as: UInt64.self) }
        func byte(_ a: UInt64) throws -> UInt8 { try m.load(a, as: UInt8.self) }
        func finish(_ c: Int32) throws {
            try m.store(Int32(truncatingIfNeeded: optind), at: optindAddr)
            f.returnInt32(c)
        }
        guard argc >= 1 else { f.returnInt32(-1); return }
        try m.store(UInt64(0), at: optargAddr)

        if optind == 0 || !d.initialized {
            if optind == 0 { optind = 1 }
            d.firstNonOption = optind
            d.lastNonOption = optind
            d.nextChar = 0
            d.ordering = LibcEnvironment.current(rt)["POSIXLY_CORRECT"] != nil ? .requireOrder : .permute
            if options.first == UInt8(ascii: "-") { d.ordering = .returnInOrder }
            if options.first == UInt8(ascii: "+") { d.ordering = .requireOrder }
            d.initialized = true
        }
        if options.first == UInt8(ascii: "-") || options.first == UInt8(ascii: "+") { options.removeFirst() }
        let colonFirst = options.first == UInt8(ascii: ":")
        let printErrors = try m.load(opterrAddr, as: Int32.self) != 0 && !colonFirst
        func isNonOption(_ i: Int) throws -> Bool {
            let a = try element(i)
            return try byte(a) != UInt8(ascii: "-") || byte(a + 1) == 0
        }
        /// Moves the non-options [firstNonOption, lastNonOption) behind the options
        /// [lastNonOption, optind), as glibc's `exchange` does.
        func exchange() throws {
            var bottom = d.firstNonOption, middle = d.lastNonOption, top = optind
            func swap(_ i: Int, _ j: Int) throws {
                let a = try element(i), b = try element(j)
                try m.store(b, at: slot(i))
                try m.store(a, at: slot(j))
            }
            while top > middle && middle > bottom {
                if top - middle > middle - bottom {
                    let len = middle - bottom
                    for i in 0..<len { try swap(bottom + i, top - (middle - bottom) + i) }
                    top -= len
                } else {
                    let len = top - middle
                    for i in 0..<len { try swap(bottom + i, middle + i) }
                    bottom += len
                }
            }
            d.firstNonOption += optind - d.lastNonOption
            d.lastNonOption = optind
        }

        if try d.nextChar == 0 || byte(d.nextChar) == 0 {
            d.lastNonOption = min(d.lastNonOption, optind)
            d.firstNonOption = min(d.firstNonOption, optind)
            if d.ordering == .permute {
                if d.firstNonOption != d.lastNonOption && d.lastNonOption != optind { try exchange() }
                else if d.lastNonOption != optind { d.firstNonOption = optind }
                while optind < argc, try isNonOption(optind) { optind += 1 }
                d.lastNonOption = optind
            }
            if optind != argc, Array(try m.cString(element(optind))) == Array("--".utf8) {
                optind += 1
                if d.firstNonOption != d.lastNonOption && d.lastNonOption != optind { try exchange() }
                else if d.firstNonOption == d.lastNonOption { d.firstNonOption = optind }
                d.lastNonOption = argc
                optind = argc
            }
            if optind >= argc {
                if d.firstNonOption != d.lastNonOption { optind = d.firstNonOption }
                try finish(-1)
                return
            }
            if try isNonOption(optind) {
                if d.ordering == .requireOrder { try finish(-1); return }
                try m.store(try element(optind), at: optargAddr)
                optind += 1
                try finish(1)
                return
            }
            let arg = try element(optind)
            if let long {
                let second = try byte(arg + 1)
                let longOnlyHere = try long.only && (byte(arg + 2) != 0 || !options.contains(second))
                if second == UInt8(ascii: "-") || longOnlyHere {
                    let dashes = second == UInt8(ascii: "-") ? 2 : 1
                    var context = LongContext(long: long, argv: argv, argc: argc, options: options, printErrors: printErrors,
                                              colonFirst: colonFirst, optargAddr: optargAddr, optoptAddr: optoptAddr)
                    if let code = try context.process(rt, at: arg + UInt64(dashes), dashes: dashes, optind: &optind) {
                        d.nextChar = 0
                        try finish(code)
                        return
                    }
                }
            }
            d.nextChar = arg + 1
        }

        let c = try byte(d.nextChar)
        d.nextChar += 1
        let spec = options.firstIndex(of: c)
        if try byte(d.nextChar) == 0 { optind += 1 }
        guard let at = spec, c != UInt8(ascii: ":"), c != UInt8(ascii: ";") else {
            if printErrors { try complain(rt, argv0: element(0), "invalid option", c) }
            try m.store(Int32(c), at: optoptAddr)
            try finish(Int32(UInt8(ascii: "?")))
            return
        }
        var result = Int32(c)
        if at + 1 < options.count && options[at + 1] == UInt8(ascii: ":") {
            let optional = at + 2 < options.count && options[at + 2] == UInt8(ascii: ":")
            if try byte(d.nextChar) != 0 {
                try m.store(d.nextChar, at: optargAddr)
                optind += 1
            } else if optional {
                // An optional argument must be attached.
            } else if optind >= argc {
                if printErrors { try complain(rt, argv0: element(0), "option requires an argument", c) }
                try m.store(Int32(c), at: optoptAddr)
                result = Int32(colonFirst ? UInt8(ascii: ":") : UInt8(ascii: "?"))
            } else {
                try m.store(try element(optind), at: optargAddr)
                optind += 1
            }
            d.nextChar = 0
        }
        try finish(result)
    }

    /// glibc's diagnostic on stderr, after the guest's buffered output.
    static func complain(_ rt: LibcRuntime, argv0: UInt64, _ text: String, _ c: UInt8) throws {
        rt.flushAll()
        let name = argv0 == 0 ? rt.programName : try rt.memory.string(argv0)
        fputs("\(name): \(text) -- '\(Character(UnicodeScalar(c)))'\n", crossrun_host_stdio(2))
    }
}
