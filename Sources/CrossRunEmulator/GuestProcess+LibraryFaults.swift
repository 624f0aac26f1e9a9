import CUnicorn
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// A bad pointer given to a C library function (`memcpy` from an unmapped page, `strlen` of a
/// `PROT_NONE` one, `printf("%s")` of garbage) faults inside libc on Linux, and the program's
/// SIGSEGV handler runs. Emulated, the host function's checked access throws ``GuestFault``;
/// when the guest catches SIGSEGV (not blocked), its handler runs as a nested call at the
/// library call, with `si_addr` the first inaccessible byte of the access, `si_code`
/// `SEGV_MAPERR` (nothing mapped there) or `SEGV_ACCERR` (mapped without the permission), and a
/// `ucontext_t` whose PC is the library function's stub (the call's target: what the guest
/// sees as the library function, as for any signal that arrives during a library call).
///
/// A `siglongjmp` out of the handler abandons the library call (``NestedJump``); a handler that
/// returns after making the access valid (`mprotect`, `mmap`) has the whole call run again, as
/// the faulting instruction in libc would be (the call's arguments are back in their registers);
/// when the access is still invalid Linux would run the handler again forever, CrossRun
/// reports the crash the default action gives, as for faults of guest code. System-call
/// wrappers (`read`, `write`, …) never get here: they answer EFAULT as the kernel does
/// (``LibcPosix``'s `faultIsEFAULT`).
///
/// The normal path pays nothing: the fault already surfaces as a thrown error.
extension GuestProcess {
    /// Runs one library function's host body; a ``GuestFault`` it throws goes to the guest's
    /// SIGSEGV handler (``retryAfterLibraryFault(_:_:_:)``).
    @inline(__always)
    func callHandlingLibraryFaults(_ entry: Unmanaged<HostFunctionEntry>, _ runtime: LibcRuntime) throws {
        do {
            try entry._withUnsafeGuaranteedRef { try $0.body(runtime, trapFrame) }
        } catch let fault as GuestFault {
            try retryAfterLibraryFault(fault, entry, runtime)
        }
    }

    /// Delivers `first` to the guest's handler and runs the call again while the handler
    /// returns having made the access valid; rethrows the fault (the crash report) when the
    /// guest does not catch it or the cause persists. A loop, not recursion: a handler that
    /// fixes one page at a time walks a long buffer without growing the host stack.
    @inline(never)
    func retryAfterLibraryFault(_ first: GuestFault, _ entry: Unmanaged<HostFunctionEntry>, _ runtime: LibcRuntime) throws {
        var current = first
        while true {
            let (address, code) = libraryFaultSite(current)
            guard try runtime.deliverFault(SIGSEGV, code: code, address: address) else { throw current }
            guard accessIsValid(current) else { throw current }
            do {
                try entry._withUnsafeGuaranteedRef { try $0.body(runtime, trapFrame) }
                return
            } catch let next as GuestFault {
                current = next
            }
        }
    }

    /// `si_addr` and `si_code` of a host function's bad access: the first byte of it that is
    /// not accessible (the access starts in a valid region and runs past its end: the end),
    /// and whether anything is mapped there (`SEGV_ACCERR` 2) or not (`SEGV_MAPERR` 1).
    func libraryFaultSite(_ fault: GuestFault) -> (address: UInt64, code: Int32) {
        var address = fault.address
        if let region = memory.region(containing: address), region.readable, fault.access == .read || region.writable {
            address = region.end
        }
        return (address, memory.region(containing: address) == nil ? 1 : 2)
    }

    /// Whether the access `fault` describes is now allowed (the handler mapped or unprotected it).
    private func accessIsValid(_ fault: GuestFault) -> Bool {
        (try? memory.host(fault.address, fault.size, write: fault.access == .write)) != nil
    }
}
