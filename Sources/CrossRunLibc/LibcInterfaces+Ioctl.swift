import CHostSystem
#if canImport(Glibc)
import Glibc
#endif

extension LibcInterfaces {
    /// `ioctl(fd, SIOCGIFCONF, struct ifconf *)`: the host fills the guest's buffer in place
    /// (`struct ifreq` is the same 40 bytes on the host and every guest) and the length the
    /// kernel used is stored back; a NULL buffer asks for the length needed. `EACCES` under
    /// `--root` (no network).
    static func interfaceList(_ rt: LibcRuntime, _ f: any CallFrame, fd: Int32, _ arg: UInt64) throws {
        let size = rt.abi.linux.ioctl.ifconfSize
        _ = try rt.memory.host(arg, size, write: true)
        guard !rt.fileSystem.confined else { rt.setErrno(EACCES); f.returnInt32(-1); return }
        let length = try rt.memory.load(arg, as: Int32.self), buffer = try rt.memory.load(arg &+ 8, as: UInt64.self)
        var request: (Int32, Int32, UInt64) = (length, 0, 0)   // int ifc_len; (padding); char *ifc_buf
        if buffer != 0 {
            guard length >= 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            let host = try rt.memory.host(buffer, Int(length), write: true)
            request.2 = UInt64(UInt(bitPattern: host))
        }
        let r = withUnsafeMutableBytes(of: &request) { crossrun_ioctl_pointer(fd, UInt(SIOCGIFCONF), $0.baseAddress) }
        if r == 0 { try rt.memory.store(request.0, at: arg) }
        LibcPosix.result(rt, f, Int(r))
    }
}
