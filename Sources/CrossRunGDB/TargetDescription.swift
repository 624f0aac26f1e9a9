/// One register as the client sees it: its name in gdb's standard feature, its size and type,
/// and its place in the `g` packet (the order of ``TargetDescription/registers``).
public struct GDBRegister: Equatable, Sendable {
    public var name: String
    public var bits: Int
    public var type: String
    public var group: String?

    public init(_ name: String, bits: Int, type: String, group: String? = nil) {
        self.name = name
        self.bits = bits
        self.type = type
        self.group = group
    }

    /// Bytes of the value in `g`/`p` packets.
    public var byteCount: Int { bits / 8 }
}

/// The `target.xml` of one architecture: gdb's standard feature names, so gdb-multiarch's
/// own descriptions of x86-64, aarch64 and riscv64 match, and the registers in `g` order.
public struct TargetDescription: Sendable {
    /// One `<feature>`: its type definitions (XML) and registers.
    public struct Feature: Sendable {
        public var name: String
        public var types: String
        public var registers: [GDBRegister]
    }

    /// gdb's BFD architecture name (`i386:x86-64`, `aarch64`, `riscv:rv64`).
    public var architecture: String
    public var features: [Feature]
    /// The bytes of a software breakpoint's `kind` gdb sends in `Z0` (informational).
    public var breakpointKinds: [UInt64]

    /// Every register, in `g` packet order.
    public var registers: [GDBRegister] { features.flatMap(\.registers) }

    /// The document served as `qXfer:features:read:target.xml`.
    public var xml: String {
        var out = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
        out += "<architecture>\(architecture)</architecture>\n<osabi>GNU/Linux</osabi>\n"
        var number = 0
        for f in features {
            out += "<feature name=\"\(f.name)\">\n" + f.types
            for r in f.registers {
                out += "<reg name=\"\(r.name)\" bitsize=\"\(r.bits)\" type=\"\(r.type)\" regnum=\"\(number)\""
                if let g = r.group { out += " group=\"\(g)\"" }
                out += "/>\n"
                number += 1
            }
            out += "</feature>\n"
        }
        return out + "</target>\n"
    }
}

extension TargetDescription {
    static let vectorTypes = """
    <vector id="v4f" type="ieee_single" count="4"/>
    <vector id="v2d" type="ieee_double" count="2"/>
    <vector id="v16i8" type="int8" count="16"/>
    <vector id="v8i16" type="int16" count="8"/>
    <vector id="v4i32" type="int32" count="4"/>
    <vector id="v2i64" type="int64" count="2"/>

    """

}
