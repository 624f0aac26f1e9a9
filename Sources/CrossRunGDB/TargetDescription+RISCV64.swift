extension TargetDescription {
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
