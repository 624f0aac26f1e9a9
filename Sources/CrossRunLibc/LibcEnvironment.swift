#if canImport(Glibc)
import Glibc
#endif

/// The environment as glibc keeps it: the guest's `environ` (`__environ`, one cell) points to
/// a NULL-terminated vector of `NAME=value` strings in guest memory — at start the `envp`
/// vector on the stack. `getenv` reads that vector (so a program that assigns `environ` or
/// edits its strings sees the result, as natively) and returns a pointer into the string;
/// `setenv`, `unsetenv`, `putenv` and `clearenv` build a new vector on the guest heap (old
/// vectors and strings are not freed, as in glibc). The host-side copy
/// (``LibcRuntime/environment``, which `setlocale("")` reads) is refreshed after each change;
/// started programs get the vector itself (``entries(_:)``).
enum LibcEnvironment {
    /// Longest vector read (a vector without its NULL ends here instead of running on).
    static let maximumEntries = 1 << 20

    /// The `environ` cell, created on first use (both names are the same object, as in glibc)
    /// with a vector built from the runtime's environment; a run replaces it with its `envp`.
    static func cell(_ rt: LibcRuntime, initialVector: Bool = true) throws -> UInt64 {
        if let a = rt.dataSymbols["environ"] { return a }
        let a = try rt.defineData("environ", size: 8)
        rt.dataSymbols["__environ"] = a
        guard initialVector else { return a }
        let texts = rt.environment.sorted { $0.key < $1.key }.map { Array("\($0.key)=\($0.value)".utf8) + [0] }
        let vector = try rt.allocateZeroed(8 * (texts.count + 1))
        for (i, text) in texts.enumerated() {
            let s = try rt.allocateZeroed(text.count)
            try rt.memory.write(text, at: s)
            try rt.memory.store(s, at: vector + UInt64(8 * i))
        }
        try rt.memory.store(vector, at: a)
        return a
    }

    /// The current vector's strings and their guest addresses (a bad pointer in it faults, as
    /// glibc's `getenv` would).
    static func entries(_ rt: LibcRuntime) throws -> [(address: UInt64, text: [UInt8])] {
        var p = try rt.memory.load(cell(rt), as: UInt64.self)
        guard p != 0 else { return [] }
        var out: [(UInt64, [UInt8])] = []
        while out.count < maximumEntries {
            let s = try rt.memory.load(p, as: UInt64.self)
            if s == 0 { break }
            out.append((s, Array(try rt.memory.cString(s))))
            p = p &+ 8
        }
        return out
    }

    /// Whether `text` is `name=…`.
    static func defines(_ text: [UInt8], _ name: [UInt8]) -> Bool {
        text.count > name.count && text[name.count] == UInt8(ascii: "=") && text.starts(with: name)
    }

    /// Installs a new vector of `strings` (guest addresses) and refreshes the host-side copy.
    static func install(_ rt: LibcRuntime, _ strings: [UInt64]) throws {
        let vector = try LibcMemory.allocate(rt, 8 * (strings.count + 1), zero: true)
        guard vector != 0 else { throw Failure.noMemory }
        for (i, s) in strings.enumerated() { try rt.memory.store(s, at: vector + UInt64(8 * i)) }
        try rt.memory.store(vector, at: cell(rt))
        try refreshHostCopy(rt)
    }

    enum Failure: Error { case noMemory }

    static func refreshHostCopy(_ rt: LibcRuntime) throws {
        rt.environment = dictionary(try entries(rt))
    }

    /// `NAME=value` strings by name; the first definition of a name wins, as `getenv`'s.
    static func dictionary(_ entries: [(address: UInt64, text: [UInt8])]) -> [String: String] {
        var copy: [String: String] = [:]
        for (_, text) in entries {
            guard let eq = text.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: text[..<eq], as: UTF8.self)
            if copy[name] == nil { copy[name] = String(decoding: text[(eq + 1)...], as: UTF8.self) }
        }
        return copy
    }

    /// The program's environment as it is now, read afresh from the vector `environ` points
    /// to: a program that assigns a new vector to `environ` instead of calling `setenv` (libuv's
    /// `uv_spawn` child before `execvp`) is seen as glibc sees it, by execvp's PATH search too.
    /// The copy the setenv family keeps when the vector cannot be read.
    static func current(_ rt: LibcRuntime) -> [String: String] {
        (try? entries(rt)).map(dictionary) ?? rt.environment
    }

    /// A name argument: NULL, empty or containing `=` is EINVAL (setenv, unsetenv).
    static func validName(_ rt: LibcRuntime, _ address: UInt64) throws -> [UInt8]? {
        let name = address == 0 ? [] : Array(try rt.memory.cString(address))
        return name.isEmpty || name.contains(UInt8(ascii: "=")) ? nil : name
    }

    /// Runs a change, answering ENOMEM when the guest heap is full.
    static func change(_ rt: LibcRuntime, _ f: any CallFrame, _ body: () throws -> Void) throws {
        do { try body(); f.returnInt32(0) } catch Failure.noMemory { rt.setErrno(ENOMEM); f.returnInt32(-1) }
    }

    static let functions: [String: HostFunction] = [
        "getenv": { rt, f in
            let name = Array(try rt.memory.cString(f.int(0)))
            let found = try entries(rt).first { defines($0.text, name) }
            f.returnInt(found.map { $0.address + UInt64(name.count + 1) } ?? 0)
        },
        "setenv": { rt, f in
            guard let name = try validName(rt, f.int(0)) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let value = Array(try rt.memory.cString(f.int(1))), overwrite = try f.int32(2) != 0
            let current = try entries(rt)
            if !overwrite && current.contains(where: { defines($0.text, name) }) { f.returnInt32(0); return }
            try change(rt, f) {
                let text = name + [UInt8(ascii: "=")] + value + [0]
                let s = try LibcMemory.allocate(rt, text.count, zero: false)
                guard s != 0 else { throw Failure.noMemory }
                try rt.memory.write(text, at: s)
                var strings = current.map(\.address)
                if let i = current.firstIndex(where: { defines($0.text, name) }) { strings[i] = s } else { strings.append(s) }
                try install(rt, strings)
            }
        },
        "unsetenv": { rt, f in
            guard let name = try validName(rt, f.int(0)) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let current = try entries(rt)
            guard current.contains(where: { defines($0.text, name) }) else { f.returnInt32(0); return }
            try change(rt, f) { try install(rt, current.filter { !defines($0.text, name) }.map(\.address)) }
        },
        // The string itself becomes part of the environment (changing it later changes the
        // variable); without '=' it removes the name, as glibc does.
        "putenv": { rt, f in
            let s = try f.int(0)
            let text = Array(try rt.memory.cString(s))
            let current = try entries(rt)
            try change(rt, f) {
                guard let eq = text.firstIndex(of: UInt8(ascii: "=")) else {
                    try install(rt, current.filter { !defines($0.text, text) }.map(\.address))
                    return
                }
                let name = Array(text[..<eq])
                var strings = current.map(\.address)
                if let i = current.firstIndex(where: { defines($0.text, name) }) { strings[i] = s } else { strings.append(s) }
                try install(rt, strings)
            }
        },
        "clearenv": { rt, f in
            try rt.memory.store(UInt64(0), at: cell(rt))
            rt.environment = [:]
            f.returnInt32(0)
        },
    ]
}

extension LibcRuntime {
    /// Makes `vector` (the `envp` given to `main`) the guest's `environ`.
    public func installEnvironmentVector(_ vector: UInt64) throws {
        try memory.store(vector, at: LibcEnvironment.cell(self, initialVector: false))
    }
}
