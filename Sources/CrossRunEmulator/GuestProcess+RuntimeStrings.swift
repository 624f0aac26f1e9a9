import CrossRunLink

/// Faults inside the guest runtime's short-input string functions (`runtime/string.c`,
/// linked into emulated images only) are reported as the same call served by the host is:
/// `in strlen called from 0x… (main+0x39)`, not as a pc inside the runtime.
extension GuestProcess {
    /// Prefix of the runtime's definitions (`strlen` is a weak alias of `__crossrun_string_strlen`).
    static let runtimeStringPrefix = "__crossrun_string_"
    /// Prefix of the host's routines under their private names (the long-input path).
    static let hostStringPrefix = "__crossrun_host_"

    /// The library function a trap index stands for, as a report names it (the private
    /// `__crossrun_host_strlen` is the program's `strlen`).
    func libraryName(_ index: Int) -> String {
        let name = trapTable.names[index]
        return name.hasPrefix(Self.hostStringPrefix) ? String(name.dropFirst(Self.hostStringPrefix.count)) : name
    }

    /// The runtime string function `pc` lies in, if any.
    func runtimeStringFunction(at pc: UInt64) -> String? {
        guard pc >= imageBase, pc < imageBase + UInt64(image.size) else { return nil }
        let offset = Int(pc - imageBase)
        for s in image.symbols where s.kind == .function && s.name.hasPrefix(Self.runtimeStringPrefix)
            && offset >= s.offset && offset < s.offset + s.size {
            return String(s.name.dropFirst(Self.runtimeStringPrefix.count))
        }
        return nil
    }

    /// When the run stopped at a fault inside a runtime string function, fills the fault's
    /// function, pc (the caller's return address) and context as for a host library call.
    /// The runtime keeps frame records in every function (`-mno-omit-leaf-frame-pointer`),
    /// so the first frame record's return address is the program's call.
    func attributeRuntimeStringFault() {
        guard fault.context == nil, let name = runtimeStringFunction(at: fault.pc ?? arch.pc(uc)) else { return }
        fault.function = name
        guard let caller = backtrace(limit: 1).first else {
            fault.context = "in \(name)"
            return
        }
        fault.pc = caller
        fault.context = "in \(name) called from " + describe(caller)
    }
}
