@testable import CrossRunCommands
import Synchronization
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The test runner's job queue: urgent jobs first, jobs adding jobs, and N workers at once
/// even while every job blocks (as a job waiting for a child process does).
final class WorkQueueTests: XCTestCase {
    func testUrgentJobsGoFirstAndJobsMayAddJobs() {
        let queue = WorkQueue()
        let order = Mutex<[String]>([])
        queue.add { order.withLock { $0.append("a") }; queue.add(urgent: true) { order.withLock { $0.append("a-urgent") } } }
        queue.add { order.withLock { $0.append("b") } }
        queue.add { order.withLock { $0.append("c") }; queue.add { order.withLock { $0.append("c-later") } } }
        queue.run(workers: 1)
        XCTAssertEqual(order.withLock { $0 }, ["a", "a-urgent", "b", "c", "c-later"])
    }

    func testEveryWorkerRunsAtOnceWhileJobsBlock() {
        // Each job waits until all four have started: with fewer than four workers running at
        // once it would never happen (the wait gives up after 20 s and the test fails).
        let queue = WorkQueue()
        let started = Mutex(0)
        let sawAll = Mutex(0)
        for _ in 0..<4 {
            queue.add {
                started.withLock { $0 += 1 }
                for _ in 0..<2000 {
                    if started.withLock({ $0 }) == 4 { sawAll.withLock { $0 += 1 }; return }
                    usleep(10_000)
                }
            }
        }
        queue.run(workers: 4)
        XCTAssertEqual(sawAll.withLock { $0 }, 4)
    }

    func testAnEmptyQueueReturnsAtOnce() {
        WorkQueue().run(workers: 3)
    }
}
