import CPosixLib
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

extension GuestProcess {
    /// The raw `renameat2` and `copy_file_range` system calls (toybox's `mv -x` and its file
    /// copies make them through `syscall`), as the library functions of the same names serve
    /// them: paths through the guest's file system, descriptors the host's, offsets read from
    /// and written back to guest memory. Nil for any other call.
    func fileSyscall(_ call: GuestSyscall, _ a: [UInt64]) throws -> Int64? {
        switch call {
        case .renameat2:
            let (oldAt, old) = try path(a[1], at: Int32(truncatingIfNeeded: a[0]), followLast: false, removing: .rename)
            let (newAt, new) = try path(a[3], at: Int32(truncatingIfNeeded: a[2]), followLast: false, removing: .rename)
            let r = crossrun_renameat2(oldAt, old, newAt, new, UInt32(truncatingIfNeeded: a[4]))
            return r == 0 ? 0 : -Int64(errno)
        case .copyFileRange:
            // NULL offsets use (and move) the files' own; given ones are read, then updated.
            var inOffset = a[1] == 0 ? 0 : Int(try memory.load(a[1], as: Int64.self))
            var outOffset = a[3] == 0 ? 0 : Int(try memory.load(a[3], as: Int64.self))
            if a[1] != 0 { _ = try memory.mutableBytes(a[1], 8) }
            if a[3] != 0 { _ = try memory.mutableBytes(a[3], 8) }
            let length = Int(clamping: a[4])
            let flags = UInt32(truncatingIfNeeded: a[5])
            let inFD = Int32(truncatingIfNeeded: a[0]), outFD = Int32(truncatingIfNeeded: a[2])
            let r: Int
            switch (a[1] == 0, a[3] == 0) {
            case (true, true): r = crossrun_copy_file_range(inFD, nil, outFD, nil, length, flags)
            case (false, true): r = crossrun_copy_file_range(inFD, &inOffset, outFD, nil, length, flags)
            case (true, false): r = crossrun_copy_file_range(inFD, nil, outFD, &outOffset, length, flags)
            case (false, false): r = crossrun_copy_file_range(inFD, &inOffset, outFD, &outOffset, length, flags)
            }
            guard r >= 0 else { return -Int64(errno) }
            if a[1] != 0 { try memory.store(Int64(inOffset), at: a[1]) }
            if a[3] != 0 { try memory.store(Int64(outOffset), at: a[3]) }
            return Int64(r)
        default:
            return nil
        }
    }
}
