#if canImport(Glibc)
import Glibc
#endif

/// The C library's host-side state at one moment, for fuzzing: after each input the runtime
/// goes back to it (guest memory is restored separately, page by page).
package struct LibcSnapshot {
    /// The whole ``LibcState``: restoring it cannot miss a field.
    var state: LibcState
    /// The POSIX library additions' state (locales, regex handles, drand48, initstate), which
    /// owns host resources and so restores itself (``PosixLibState/restore(_:)``).
    var posix: PosixLibState.Snapshot
}

extension LibcRuntime {
    /// Captures the runtime's state.
    package func snapshot() -> LibcSnapshot { LibcSnapshot(state: state, posix: posix.snapshot()) }

    /// Returns to `snapshot` as a whole. Host resources are the exception a value cannot
    /// express: streams and directories opened since are closed, and those the snapshot had
    /// but the program closed since stay closed (their host `FILE*`/`DIR*` are gone).
    package func restore(_ snapshot: LibcSnapshot) {
        let now = state
        guestCallbacksSuspended = true
        for (handle, stream) in now.streams where snapshot.state.streams[handle] !== stream {
            _ = stream.close()
        }
        guestCallbacksSuspended = false
        for (handle, dir) in now.directories where snapshot.state.directories[handle]?.host != dir.host {
            closedir(dir.host)
        }
        var next = snapshot.state
        next.streams = next.streams.filter { now.streams[$0.key] === $0.value }
        next.directories = next.directories.filter { now.directories[$0.key]?.host == $0.value.host }
        state = next
        posix.restore(snapshot.posix)
    }
}
