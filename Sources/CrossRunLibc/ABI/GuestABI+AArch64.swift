extension GuestABI {
    /// aarch64 (AAPCS64, Linux): binary128 `long double`, unsigned `char`, the asm-generic
    /// `struct stat` and system calls, and its own numbers for four `open` flags.
    public static let aarch64 = GuestABI(
        name: "aarch64", unameMachine: "aarch64", longDouble: .binary128, charIsUnsigned: true,
        stat: genericStat,
        // O_DIRECTORY 0o40000, O_NOFOLLOW 0o100000, O_DIRECT 0o200000, O_LARGEFILE 0o400000
        // (x86-64: 0o200000, 0o400000, 0o40000, 0o100000). LARGEFILE means nothing to open on
        // LP64, but the kernel sets it on every file, so F_GETFL reports it.
        openFlagTranslations: [(0o40000, 0o200000), (0o100000, 0o400000), (0o200000, 0o40000), (0o400000, 0o100000)],
        syscalls: genericSyscalls,
        jumpBufferRegisterBytes: 22 * 8,
        linux: LinuxLP64(),
        utmpTime64: true,
        minSignalStackSize: 5120)
}
