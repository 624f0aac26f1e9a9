extension GuestABI {
    /// riscv64 (LP64D, Linux): binary128 `long double`, unsigned `char`, the asm-generic
    /// `struct stat`, `open` flags and system calls.
    public static let riscv64 = GuestABI(
        name: "riscv64", unameMachine: "riscv64", longDouble: .binary128, charIsUnsigned: true,
        stat: genericStat, openFlagTranslations: [], syscalls: genericSyscalls,
        jumpBufferRegisterBytes: 26 * 8,   // pc, s0–s11, sp, fs0–fs11
        linux: LinuxLP64(),
        kernelSigactionHasRestorer: false)
}
