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

    /// x86-64: `org.gnu.gdb.i386.core` (general, segment and x87 registers), `.sse` (xmm0–15,
    /// mxcsr) and `.segments` (fs_base, gs_base: the thread pointer).
    public static let x86_64: TargetDescription = {
        var core = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"].map { GDBRegister($0, bits: 64, type: $0 == "rsp" || $0 == "rbp" ? "data_ptr" : "int64") }
        core += (8...15).map { GDBRegister("r\($0)", bits: 64, type: "int64") }
        core.append(GDBRegister("rip", bits: 64, type: "code_ptr"))
        core.append(GDBRegister("eflags", bits: 32, type: "int32"))
        core += ["cs", "ss", "ds", "es", "fs", "gs"].map { GDBRegister($0, bits: 32, type: "int32") }
        core += (0...7).map { GDBRegister("st\($0)", bits: 80, type: "i387_ext") }
        core += ["fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"].map { GDBRegister($0, bits: 32, type: "int", group: "float") }
        var sse = (0...15).map { GDBRegister("xmm\($0)", bits: 128, type: "vec128") }
        sse.append(GDBRegister("mxcsr", bits: 32, type: "int", group: "vector"))
        let vec128 = vectorTypes + """
        <union id="vec128"><field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/><field name="v16_int8" type="v16i8"/><field name="v8_int16" type="v8i16"/><field name="v4_int32" type="v4i32"/><field name="v2_int64" type="v2i64"/><field name="uint128" type="uint128"/></union>

        """
        let segments = [GDBRegister("fs_base", bits: 64, type: "int"), GDBRegister("gs_base", bits: 64, type: "int")]
        return TargetDescription(architecture: "i386:x86-64", features: [
            Feature(name: "org.gnu.gdb.i386.core", types: "", registers: core),
            Feature(name: "org.gnu.gdb.i386.sse", types: vec128, registers: sse),
            Feature(name: "org.gnu.gdb.i386.segments", types: "", registers: segments),
        ], breakpointKinds: [1])
    }()

    /// aarch64: `org.gnu.gdb.aarch64.core` (x0–x30, sp, pc, cpsr) and `.fpu` (v0–v31, fpsr, fpcr).
    public static let aarch64: TargetDescription = {
        var core = (0...30).map { GDBRegister("x\($0)", bits: 64, type: "int") }
        core.append(GDBRegister("sp", bits: 64, type: "data_ptr"))
        core.append(GDBRegister("pc", bits: 64, type: "code_ptr"))
        core.append(GDBRegister("cpsr", bits: 32, type: "int"))
        var fpu = (0...31).map { GDBRegister("v\($0)", bits: 128, type: "aarch64v", group: "vector") }
        fpu.append(GDBRegister("fpsr", bits: 32, type: "int"))
        fpu.append(GDBRegister("fpcr", bits: 32, type: "int"))
        let types = vectorTypes + """
        <union id="aarch64v"><field name="d" type="v2d"/><field name="s" type="v4f"/><field name="q" type="uint128"/><field name="b" type="v16i8"/><field name="h" type="v8i16"/><field name="w" type="v4i32"/><field name="x" type="v2i64"/></union>

        """
        return TargetDescription(architecture: "aarch64", features: [
            Feature(name: "org.gnu.gdb.aarch64.core", types: "", registers: core),
            Feature(name: "org.gnu.gdb.aarch64.fpu", types: types, registers: fpu),
        ], breakpointKinds: [4])
    }()

    /// The ABI names of riscv64's integer registers x0–x31.
    public static let riscvIntegerNames = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1",
                                           "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
                                           "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
                                           "t3", "t4", "t5", "t6"]

    /// The ABI names of riscv64's floating-point registers f0–f31.
    public static let riscvFloatNames = (0...7).map { "ft\($0)" } + ["fs0", "fs1"] + (0...7).map { "fa\($0)" }
        + (2...11).map { "fs\($0)" } + (8...11).map { "ft\($0)" }

    /// riscv64: `org.gnu.gdb.riscv.cpu` (x0–x31 by ABI name, pc) and `.fpu` (f0–f31, fflags,
    /// frm, fcsr).
    public static let riscv64: TargetDescription = {
        var cpu = riscvIntegerNames.map { GDBRegister($0, bits: 64, type: $0 == "sp" ? "data_ptr" : $0 == "ra" ? "code_ptr" : "int") }
        cpu.append(GDBRegister("pc", bits: 64, type: "code_ptr"))
        var fpu = riscvFloatNames.map { GDBRegister($0, bits: 64, type: "ieee_double", group: "float") }
        fpu += ["fflags", "frm", "fcsr"].map { GDBRegister($0, bits: 32, type: "int", group: "float") }
        return TargetDescription(architecture: "riscv:rv64", features: [
            Feature(name: "org.gnu.gdb.riscv.cpu", types: "", registers: cpu),
            Feature(name: "org.gnu.gdb.riscv.fpu", types: "", registers: fpu),
        ], breakpointKinds: [2, 4])
    }()
}
