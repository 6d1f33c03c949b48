import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The staleness live mode reports ("rows ≤ … old") under a steady stream of changes.
@Suite("Live staleness")
struct LiveStalenessTests {
    /// Changes keep coming faster than the reads are spaced, so some key is always waiting to
    /// be read; yet every read takes what waits, so no row is older than a read or two. The
    /// reported staleness must say so, not count from the first change of the stream.
    @Test func aSteadyStreamOfChangesDoesNotLookEverStaler() async throws {
        try await withLockServer { _, admin in
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .seconds(3600))
            defer { Task { await live.stop() } }
            _ = try await live.refresh()
            // Four writers, each a batch of 20 changes at a time: always something announced.
            let churning = (0 ..< 4).map { writer in
                Task {
                    var index = 0
                    while !Task.isCancelled {
                        let batch = (0 ..< 20).map { RESPCommand("SET", "lock:churn:\(writer):\(($0 + index) % 100)", "holder-\(index)", "PX", 60_000) }
                        _ = try? await admin.send(batch: batch)
                        index += 20
                    }
                }
            }
            defer { for task in churning { task.cancel() } }
            let started = ContinuousClock.now
            var worst = Duration.zero
            var samples = 0
            while ContinuousClock.now - started < .seconds(3) {
                let staleness = try await live.refresh().staleness ?? .zero
                if ContinuousClock.now - started > .seconds(1) {
                    worst = max(worst, staleness)
                    samples += 1
                }
                try await Task.sleep(for: .milliseconds(50))  // the refresh interval
            }
            for task in churning { task.cancel() }
            #expect(samples > 5)
            #expect(worst < .milliseconds(800), "rows reported ≤ \(worst) old while every change is read within a few reads")
        }
    }
}
