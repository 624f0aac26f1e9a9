import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

extension GuestProcess {
    /// Names served by ``processFunction(_:)`` (for coverage reports).
    public static let processFunctionNames: [String] = ["setjmp", "_setjmp", "__sigsetjmp", "sigsetjmp",
                                                         "longjmp", "_longjmp", "siglongjmp", "qsort", "bsearch"]
        + floatingPointFunctionNames + posixLibFunctionNames + threadFunctionNames + execinfoFunctionNames + syscallFunctionNames
        + threadSignalFunctionNames

    /// Library functions that need the CPU or calls back into guest code, so they live here
    /// rather than in ``HostLibc``: `setjmp`/`longjmp`, `qsort`, `bsearch`.
    func processFunction(_ name: String) -> HostFunction? {
        if let fenv = floatingPointFunction(name) { return fenv }
        if let posix = posixLibFunction(name) { return posix }
        if let thread = threadFunction(name) { return thread }
        if let signal = threadSignalFunction(name) { return signal }
        if let execinfo = execinfoFunction(name) { return execinfo }
        if let call = syscallFunction(name) { return call }
        switch name {
        case "setjmp", "_setjmp", "__sigsetjmp", "sigsetjmp":
            // glibc's setjmp does not save the signal mask; sigsetjmp does when asked.
            let mayKeepMask = name == "__sigsetjmp" || name == "sigsetjmp"
            return { [unowned self] rt, f in
                let env = try f.int(0)
                let keepMask = try mayKeepMask && f.int32(1) != 0
                let saved = try arch.captureJump(uc, memory: memory)
                for (i, v) in saved.enumerated() { try memory.store(v, at: env + UInt64(8 * i)) }
                let flag = env + UInt64(arch.abi.jumpBufferRegisterBytes)
                try memory.store(Int32(keepMask ? 1 : 0), at: flag)
                if keepMask {
                    memset(try memory.host(flag + 8, 128, write: true), 0, 128)
                    try memory.store(rt.signalMask, at: flag + 8)
                }
                f.returnInt(0)
            }
        case "longjmp", "_longjmp", "siglongjmp":
            return { [unowned self] _, f in
                let env = try f.int(0)
                let value = UInt64(UInt32(bitPattern: try f.int32(1)))
                let count = try arch.captureJump(uc, memory: memory).count
                let saved = try (0..<count).map { try memory.load(env + UInt64(8 * $0), as: UInt64.self) }
                let flag = env + UInt64(arch.abi.jumpBufferRegisterBytes)
                let mask = try memory.load(flag, as: Int32.self) != 0 ? try memory.load(flag + 8, as: UInt64.self) : nil
                try jump(PendingJump(saved: saved, value: value == 0 ? 1 : value, mask: mask))
            }
        case "qsort":
            return { [unowned self] _, f in
                let base = try f.int(0), count = try f.size(1), size = try f.size(2), compare = try f.int(3)
                try sortGuestArray(base: base, count: count, size: size, compare: compare)
            }
        case "bsearch":
            return { [unowned self] _, f in
                // glibc's arithmetic, wrapping as size_t does: any nmemb, size or base is valid,
                // and only the comparator touches memory.
                let key = try f.int(0), base = try f.int(1), count = try f.int(2), size = try f.int(3), compare = try f.int(4)
                var lo: UInt64 = 0, hi = count
                while lo < hi {
                    let mid = (lo &+ hi) / 2
                    let element = base &+ mid &* size
                    let c = Int32(truncatingIfNeeded: try callNested(compare, [key, element]))
                    if c == 0 { f.returnInt(element); return }
                    if c < 0 { hi = mid } else { lo = mid + 1 }
                }
                f.returnInt(0)
            }
        default:
            return nil
        }
    }

    /// Sorts in place with the guest comparator using glibc 2.36's algorithm (top-down merge
    /// sort, left element taken when `compare <= 0`), so the comparator sees the same calls in
    /// the same order as in a native run and equal elements keep their order.
    /// `context` is `qsort_r`'s third comparator argument.
    func sortGuestArray(base: UInt64, count: Int, size: Int, compare: UInt64, context: UInt64? = nil) throws {
        guard count > 1, size > 0 else { return }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow else { throw GuestFault(address: base, size: Int.max, access: .write) }
        let region = try memory.mutableBytes(base, bytes)
        // Plain buffers: captured arrays would be copied on every write in the recursion.
        let order = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        let scratch = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { order.deallocate(); scratch.deallocate() }
        for i in 0..<count { order[i] = i }
        // The comparator is called with pointers into the array as glibc does on its temporary
        // copy; element identity (not address) is what matters to callers.
        func sort(_ lo: Int, _ n: Int) throws {
            guard n > 1 else { return }
            let n1 = n / 2, n2 = n - n1
            try sort(lo, n1)
            try sort(lo + n1, n2)
            var i = lo, j = lo + n1, k = lo
            let iEnd = lo + n1, jEnd = lo + n
            while i < iEnd && j < jEnd {
                let pair = [base + UInt64(order[i] * size), base + UInt64(order[j] * size)]
                let c = Int32(truncatingIfNeeded: try callNested(compare, context.map { pair + [$0] } ?? pair))
                if c <= 0 { scratch[k] = order[i]; i += 1 } else { scratch[k] = order[j]; j += 1 }
                k += 1
            }
            while i < iEnd { scratch[k] = order[i]; i += 1; k += 1 }
            while j < jEnd { scratch[k] = order[j]; j += 1; k += 1 }
            for t in lo..<lo + n { order[t] = scratch[t] }
        }
        try sort(0, count)
        let copy = Array(UnsafeRawBufferPointer(region))
        copy.withUnsafeBytes { src in
            for (dst, from) in order.enumerated() where dst != from {
                region.baseAddress!.advanced(by: dst * size).copyMemory(from: src.baseAddress!.advanced(by: from * size), byteCount: size)
            }
        }
    }
}
