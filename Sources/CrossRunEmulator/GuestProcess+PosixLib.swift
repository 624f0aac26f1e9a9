import CrossRunELF
import CrossRunLibc
import CrossRunRuntime
#if canImport(Glibc)
import Glibc
#endif

extension GuestProcess {
    /// The emulated CPU as the program discovers it: `getauxval`'s AT_HWCAP/AT_HWCAP2/
    /// AT_PLATFORM and `/proc/cpuinfo`, which opens a read-only in-memory copy of
    /// ``GuestCPU/cpuinfo`` instead of the host's file.
    func describeCPU() {
        let cpu = arch.cpu
        runtime.posix.describe(cpu)
        runtime.fileSystem.syntheticFiles[Array("/proc/cpuinfo".utf8)] = Array(cpu.cpuinfo.utf8)
    }

    /// Names served by ``posixLibFunction(_:)``.
    static let posixLibFunctionNames = ["qsort_r", "dlopen", "dlsym", "dlclose", "dlerror", "dladdr"]

    /// The handle `dlopen(NULL)` returns: the program itself.
    var mainProgramHandle: UInt64 { (try? runtime.posix.mainProgramHandle(runtime)) ?? 1 }

    /// POSIX additions that need the image or call guest code: `qsort_r`, `<dlfcn.h>`.
    func posixLibFunction(_ name: String) -> HostFunction? {
        switch name {
        case "qsort_r":
            // glibc's argument order: compare(a, b, arg).
            return { [unowned self] _, f in
                try sortGuestArray(base: f.int(0), count: f.size(1), size: f.size(2), compare: f.int(3), context: f.int(4))
            }
        case "dlopen":
            return { [unowned self] rt, f in
                let path = try f.int(0)
                if path == 0 { f.returnInt(mainProgramHandle); return }
                let file = try rt.memory.string(path)
                rt.posix.dlFailed("\(file): cannot open shared object file: a CrossRun program is one linked image and cannot load shared objects")
                f.returnInt(0)
            }
        case "dlsym":
            return { [unowned self] rt, f in
                let handle = try f.int(0), symbol = try rt.memory.string(f.int(1))
                let next = handle == UInt64.max   // RTLD_NEXT: what follows the program, the library
                guard handle == 0 || next || handle == mainProgramHandle else { rt.posix.dlFailed("invalid handle"); f.returnInt(0); return }
                guard let address = dynamicSymbol(symbol, libraryOnly: next) else {
                    rt.posix.dlFailed("undefined symbol: \(symbol)"); f.returnInt(0); return
                }
                f.returnInt(address)
            }
        case "dlclose":
            return { [unowned self] rt, f in
                if try f.int(0) == mainProgramHandle { f.returnInt32(0); return }
                rt.posix.dlFailed("invalid handle")
                f.returnInt32(-1)
            }
        case "dladdr":
            // Dl_info: four pointers. Only image addresses are known (library functions are
            // trampolines, not a shared object's code).
            return { [unowned self] rt, f in
                let address = try f.int(0), info = try f.int(1)
                guard address >= imageBase, address - imageBase < UInt64(image.size) else { f.returnInt32(0); return }
                let symbol = image.symbol(covering: Int(address - imageBase))
                try rt.memory.store(try rt.internedString(rt.posix.programPath), at: info)
                try rt.memory.store(imageBase, at: info &+ 8)
                try rt.memory.store(try symbol.map { try rt.internedString($0.name) } ?? 0, at: info &+ 16)
                try rt.memory.store(symbol.map { imageBase + UInt64($0.offset) } ?? 0, at: info &+ 24)
                f.returnInt32(1)
            }
        case "dlerror":
            return { rt, f in
                guard let message = rt.posix.takeDLError() else { f.returnInt(0); return }
                f.returnInt(try rt.internedString(message))
            }
        default:
            return nil
        }
    }

    /// A global symbol of the image (unless `libraryOnly`), else a function or object of the
    /// runtime's import table (its trampoline, bound at load for every table function when the
    /// image imports `dlsym`, or its data cell).
    func dynamicSymbol(_ name: String, libraryOnly: Bool) -> UInt64? {
        if !libraryOnly, let s = image.symbols.first(where: { $0.name == name && $0.isGlobal && $0.kind != .tls }) {
            return imageBase + UInt64(s.offset)
        }
        if let index = trapTable.names.firstIndex(of: name), index > 0 { return layout.trampolineBase + UInt64(index) * 16 }
        if image.imports.contains(where: { $0.name == name }) { return runtime.dataSymbols[name] }
        guard RuntimeSymbols.all[name]?.kind == .data else { return nil }
        return (try? HostLibc.dataAddress(name, runtime)) ?? nil
    }
}
