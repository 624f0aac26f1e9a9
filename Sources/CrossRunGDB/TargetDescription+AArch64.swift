extension TargetDescription {
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
}
