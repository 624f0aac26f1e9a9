extension TargetDescription {
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
}
