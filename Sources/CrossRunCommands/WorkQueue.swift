import Dispatch
import Synchronization

/// A job queue drained by a fixed number of workers; jobs may add jobs. Urgent jobs go before
/// every ordinary one (first in, first out within each kind).
///
/// Each worker is a Dispatch serial queue of its own. A job mostly waits for a child process,
/// and Dispatch adds no threads for work items that block on a concurrent queue (eight 0.5 s
/// sleeps on one took 2.0 s on a 2-core machine; `concurrentPerform` is capped at the core
/// count too), while serial queues each get a thread of their own (the same eight sleeps on
/// eight serial queues: 0.5 s) — so `-j N` means N children at once.
final class WorkQueue: Sendable {
    private struct State {
        var urgent: [@Sendable () -> Void] = []
        var ordinary: [@Sendable () -> Void] = []
        var urgentHead = 0, ordinaryHead = 0
        /// Jobs being run.
        var running = 0
        var workers = 0
        /// Nothing queued and nothing running: the workers stop.
        var finished = false

        var isEmpty: Bool { urgentHead == urgent.count && ordinaryHead == ordinary.count }

        mutating func next() -> (@Sendable () -> Void)? {
            if urgentHead < urgent.count {
                defer { urgentHead += 1 }
                return urgent[urgentHead]
            }
            if ordinaryHead < ordinary.count {
                defer { ordinaryHead += 1 }
                return ordinary[ordinaryHead]
            }
            return nil
        }
    }

    private let state = Mutex(State())
    /// Signalled once per job added, and once per worker when the queue has finished.
    private let available = DispatchSemaphore(value: 0)

    init() {}

    func add(urgent isUrgent: Bool = false, _ job: @escaping @Sendable () -> Void) {
        state.withLock { s in
            if isUrgent { s.urgent.append(job) } else { s.ordinary.append(job) }
        }
        available.signal()
    }

    /// Runs jobs on `workers` workers until none is left or running; returns when all are done.
    func run(workers: Int) {
        let count = max(1, workers)
        let idle = state.withLock { s in
            s.workers = count
            s.finished = s.isEmpty
            return s.finished
        }
        guard !idle else { return }
        let group = DispatchGroup()
        for i in 0..<count {
            DispatchQueue(label: "crossrun.worker.\(i)").async(group: group) { self.work() }
        }
        group.wait()
    }

    private func work() {
        while true {
            available.wait()
            // Every signal but the final ones stands for a queued job, so a worker that is not
            // told to stop always finds one (perhaps a more urgent one queued since).
            guard let job = state.withLock({ s -> (@Sendable () -> Void)? in
                guard !s.finished, let job = s.next() else { return nil }
                s.running += 1
                return job
            }) else { return }
            job()
            let wake = state.withLock { s -> Int in
                s.running -= 1
                guard s.running == 0, s.isEmpty else { return 0 }
                s.finished = true
                return s.workers
            }
            for _ in 0..<wake { available.signal() }
        }
    }
}
