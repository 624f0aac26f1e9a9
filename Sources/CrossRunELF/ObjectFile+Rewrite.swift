extension ObjectFile {
    /// An object assembled from already-validated parts, for link-time rewrites of a parsed
    /// object (such as deleting RISC-V alignment padding).
    ///
    /// No validation is done: every section's `fileRange` must lie inside `bytes`, and symbol
    /// and relocation indices must stay consistent with `sections` and `symbols`.
    public init(rewriting original: ObjectFile, bytes: [UInt8], sections: [Section], symbols: [Symbol],
                relocations: [Int: [Relocation]]) {
        self.name = original.name
        self.machine = original.machine
        self.flags = original.flags
        self.bytes = bytes
        self.sections = sections
        self.symbols = symbols
        self.relocations = relocations
    }
}
