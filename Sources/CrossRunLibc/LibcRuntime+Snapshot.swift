/// The C library's host-side state at one moment, for fuzzing: after each input the runtime
/// goes back to it (guest memory is restored separately, page by page).
public struct LibcSnapshot {
    var heap: GuestHeap
    var atexitHandlers: [UInt64]
    var quickExitHandlers: [UInt64]
    var streams: Set<UInt64>
    var directories: Set<UInt64>
    var dataSymbols: [String: UInt64]
    var environment: [String: String]
    var environmentCopies: [String: UInt64]
    var internedStrings: [String: UInt64]
    var getopt: GetoptState
    var strtokNext: UInt64
    var randState: RandomState
    var signalHandlers: [Int32: UInt64]
    var signalActions: [Int32: (mask: UInt64, flags: Int32)]
    var signalMask: UInt64
    var pendingSignals: UInt64
    var staticObjects: [String: UInt64]
    var heapChecker: HeapChecker?
    var posix: PosixLibState.Snapshot
}

extension LibcRuntime {
    /// Captures the runtime's state.
    public func snapshot() -> LibcSnapshot {
        LibcSnapshot(heap: heap, atexitHandlers: atexitHandlers, quickExitHandlers: quickExitHandlers,
                     streams: Set(streams.keys), directories: Set(directories.keys), dataSymbols: dataSymbols,
                     environment: environment, environmentCopies: environmentCopies, internedStrings: internedStrings,
                     getopt: getopt, strtokNext: strtokNext, randState: randState, signalHandlers: signalHandlers,
                     signalActions: signalActions, signalMask: signalMask, pendingSignals: pendingSignals,
                     staticObjects: staticObjects, heapChecker: heapChecker, posix: posix.snapshot())
    }

    /// Returns to `snapshot`: streams and directories opened since are closed, everything else
    /// is put back as it was.
    public func restore(_ snapshot: LibcSnapshot) {
        for (handle, stream) in streams where !snapshot.streams.contains(handle) {
            _ = stream.close()
            streams[handle] = nil
        }
        for (handle, dir) in directories where !snapshot.directories.contains(handle) {
            closedir(dir.host)
            directories[handle] = nil
        }
        heap = snapshot.heap
        atexitHandlers = snapshot.atexitHandlers
        quickExitHandlers = snapshot.quickExitHandlers
        dataSymbols = snapshot.dataSymbols
        environment = snapshot.environment
        environmentCopies = snapshot.environmentCopies
        internedStrings = snapshot.internedStrings
        getopt = snapshot.getopt
        strtokNext = snapshot.strtokNext
        randState = snapshot.randState
        signalHandlers = snapshot.signalHandlers
        signalActions = snapshot.signalActions
        signalMask = snapshot.signalMask
        pendingSignals = snapshot.pendingSignals
        staticObjects = snapshot.staticObjects
        heapChecker = snapshot.heapChecker
        posix.restore(snapshot.posix)
    }
}

#if canImport(Glibc)
import Glibc
#endif
