extension HostLibc {
    /// The GNU/POSIX breadth added for real programs (issue 14 point 8): long options, GNU
    /// stdio, identity and descriptor calls, stdlib/string additions, each group in its own file.
    static let surfaceFunctions: [[String: HostFunction]] = [Getopt.longFunctions, LibcStdioGNU.functions, LibcUnistdExt.functions,
                                                                LibcStdlibGNU.functions, LibcSystemInfo.functions, LibcIntl.functions,
                                                                LibcUchar.functions, LibcRand48.functions] + breadthFunctions

    /// The remaining POSIX/GNU breadth gaps (issue 14 point 8, second round).
    static let breadthFunctions: [[String: HostFunction]] = [LibcCookie.functions, LibcStdlibBreadth.functions,
                                                             LibcRandomReentrant.functions, LibcUserDatabase.functions,
                                                             LibcNetdbBreadth.functions, LibcInterfaces.functions,
                                                             LibcPty.functions, LibcTimerfd.functions, LibcPosixTimers.functions,
                                                             LibcUnistdGaps.functions, LibcSignalfd.functions,
                                                             LibcUtmp.functions, LibcSignalSets.functions, LibcSignalSend.functions,
                                                             LibcSignalLegacy.functions, LibcFsAdmin.functions]
}
