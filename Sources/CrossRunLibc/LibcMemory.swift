#if canImport(Glibc)
import Glibc
#endif

/// `malloc` & co. over ``GuestHeap``.
enum LibcMemory {
    static func allocate(_ rt: LibcRuntime, _ size: Int, zero: Bool) throws -> UInt64 {
        let block: (UInt64, fresh: Bool)?
        switch rt.state.plainAllocate(size) {
        case let .block(a, fresh): block = (a, fresh)
        case .exhausted: block = mapBlock(rt, size)
        case .checked: block = try rt.withHeapChecker({ try $0.allocate(rt, size) }) ?? nil
        }
        guard let (a, fresh) = block else { rt.setErrno(ENOMEM); return 0 }
        if zero && !fresh && size > 0 { memset(try rt.memory.host(a, size, write: true), 0, size) }
        return a
    }

    /// A block for a request the heap (1 GiB) cannot hold: a fresh anonymous mapping in the
    /// guest's mapping area, as glibc serves large requests with `mmap`. Not while fuzzing
    /// with the heap checker (its red zones live in the heap).
    static func mapBlock(_ rt: LibcRuntime, _ size: Int) -> (UInt64, fresh: Bool)? {
        guard rt.heapChecker == nil, size > 0, UInt64(size) <= LibcMapping.maximumLength, let mapper = rt.mapper else { return nil }
        let length = (UInt64(size) + LibcMapping.page - 1) & ~(LibcMapping.page - 1)
        guard let a = try? mapper.map(MapRequest(anonymous: length, protection: GuestProtection(read: true, write: true, execute: false))) else { return nil }
        rt.state.mappedBlocks[a] = size
        return (a, true)
    }

    /// The usable size of a block `malloc` returned, or nil for any other pointer.
    static func blockSize(_ rt: LibcRuntime, _ p: UInt64) -> Int? {
        rt.heapChecker?.size(of: p) ?? rt.heap.size(of: p) ?? rt.state.mappedBlocks[p]
    }

    static let functions: [String: HostFunction] = [
        "malloc": { rt, f in f.returnInt(try allocate(rt, f.size(0), zero: false)) },
        "calloc": { rt, f in
            let (total, overflow) = try f.size(0).multipliedReportingOverflow(by: f.size(1))
            if overflow { rt.setErrno(ENOMEM); f.returnInt(0); return }
            f.returnInt(try allocate(rt, total, zero: true))
        },
        // An invalid pointer aborts as in glibc ("realloc(): invalid pointer").
        "realloc": { rt, f in f.returnInt(try LibcStdlibExt.reallocate(rt, f.int(0), f.size(1))) },
        "free": { rt, f in
            let p = try f.int(0)
            if p != 0 { try release(rt, p) }
        },
        "aligned_alloc": alignedAlloc, "memalign": alignedAlloc,
        "posix_memalign": { rt, f in
            let out = try f.int(0), alignment = try f.size(1), size = try f.size(2)
            guard alignment >= 8, alignment & (alignment - 1) == 0 else { f.returnInt32(EINVAL); return }
            let a = try alignedAllocate(rt, alignment, size)
            if a == 0 { f.returnInt32(ENOMEM); return }
            try rt.memory.store(a, at: out)
            f.returnInt32(0)
        },
    ]

    /// `free`: through the heap checker when fuzzing; an unknown pointer aborts as in glibc.
    static func release(_ rt: LibcRuntime, _ p: UInt64) throws {
        if rt.state.plainFree(p) { return }
        do {
            if try rt.withHeapChecker({ try $0.free(rt, p) }) == true { return }
        } catch let e as HeapChecker.Error {
            throw GuestTermination.signal(SIGABRT, e.kind + ": " + e.detail)
        }
        if !rt.state.mappedBlocks.isEmpty, let size = rt.state.mappedBlocks.removeValue(forKey: p) {
            let length = (UInt64(size) + LibcMapping.page - 1) & ~(LibcMapping.page - 1)
            try? rt.mapper?.unmap(p, length)
            return
        }
        if !rt.heap.free(p) {
            throw GuestTermination.signal(SIGABRT, "free(): invalid pointer 0x" + String(p, radix: 16))
        }
    }

    static let alignedAlloc: HostFunction = { rt, f in
        f.returnInt(try alignedAllocate(rt, f.size(0), f.size(1)))
    }

    /// Blocks are 16-byte aligned; larger alignments come from the heap's aligned path.
    static func alignedAllocate(_ rt: LibcRuntime, _ alignment: Int, _ size: Int) throws -> UInt64 {
        guard alignment > 0, alignment & (alignment - 1) == 0 else { rt.setErrno(EINVAL); return 0 }
        if alignment <= 16 { return try allocate(rt, size, zero: false) }
        guard let a = rt.heap.allocateAligned(size, alignment: alignment) else { rt.setErrno(ENOMEM); return 0 }
        return a
    }
}

extension LibcRuntime {
    /// `malloc(size)` for library functions served outside this module (`backtrace_symbols`):
    /// a block the guest frees with `free`, or 0 with `errno` ENOMEM.
    public func guestMalloc(_ size: Int) throws -> UInt64 {
        try LibcMemory.allocate(self, size, zero: false)
    }
}

/// The common case in one access to the runtime's state (each access to a class's property is
/// checked for exclusivity at run time): `malloc` and `free` without the fuzzing heap checker.
extension LibcState {
    enum PlainAllocation {
        case block(UInt64, fresh: Bool)
        /// The heap is full (the caller may map a block).
        case exhausted
        /// The heap checker serves allocations.
        case checked
    }

    mutating func plainAllocate(_ size: Int) -> PlainAllocation {
        guard heapChecker == nil else { return .checked }
        guard let (a, fresh) = heap.allocate(size) else { return .exhausted }
        return .block(a, fresh: fresh)
    }

    /// Frees `p` from the heap when no checker runs; false otherwise or when `p` is not a heap
    /// block (a mapped block, an invalid pointer: the caller's slower path tells).
    mutating func plainFree(_ p: UInt64) -> Bool {
        heapChecker == nil && heap.free(p)
    }
}
