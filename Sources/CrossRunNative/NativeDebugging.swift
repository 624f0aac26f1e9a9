import CNativeSupport
import CrossRunLink
#if canImport(Glibc)
import Glibc
#endif

/// Native runs under a host debugger: the loaded image is described to gdb through its JIT
/// interface as an ELF executable at the load address (symbols, and DWARF for a `-g` build),
/// so `gdb --args crossrun prog.c` breaks on the program's functions by name.
public enum NativeDebugging {
    /// Whether a debugger traces this process (`TracerPid` in `/proc/self/status`): the ELF
    /// file is only built for one, so ordinary runs pay nothing.
    public static var isTraced: Bool {
        guard let f = fopen("/proc/self/status", "r") else { return false }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        let key = Array("TracerPid:".utf8)
        // Bytes, not Characters: this runs on every native start, and String's Unicode
        // machinery (grapheme breaking, character sets) cost more than the read.
        while fgets(&line, Int32(line.count), f) != nil {
            let bytes = line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            guard bytes.starts(with: key) else { continue }
            let value = bytes.dropFirst(key.count).filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0a }
            return !value.isEmpty && value != [0x30]
        }
        return false
    }

    /// Registers `loaded` with GDB's JIT interface (when traced, or always with `force`); the
    /// symbol file lives for the rest of the process and is unregistered at exit.
    /// Returns whether it was registered.
    @discardableResult
    public static func register(_ loaded: NativeImage, force: Bool = false) -> Bool {
        guard force || isTraced else { return false }
        let elf = loaded.image.executableELF(base: UInt64(UInt(bitPattern: loaded.base)))
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(elf.count, 1), alignment: 16)
        elf.withUnsafeBytes { if let b = $0.baseAddress { copy.copyMemory(from: b, byteCount: $0.count) } }
        return crossrun_gdb_jit_register(copy, UInt64(elf.count)) == 0
    }
}
