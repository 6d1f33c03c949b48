import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Live mode's verification sweep, a slice at a time: the change stream's reads never wait
/// for it, and a pass paces itself instead of rescanning everything at once.
@Suite("Incremental verification sweep", .serialized)
struct SweepSliceTests {
    /// With sweeps allowed back to back (1 ms interval, a 100% budget), a full rescan that holds
    /// the stream's reads back would delay changes by about half a scan on average; slices
    /// do not.
    @Test func aChangeDuringASweepIsSeenWithoutWaitingForIt() async throws {
        try await withLockServer { _, admin in
            try await LoadBudgetServerTests.fill(admin, locks: 40_000, keys: 80_000)
            let log = EventLog()
            let live = LiveInspector(
                inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .milliseconds(1),
                budget: try LoadBudget(percent: 100), onEvent: log.add)
            defer { Task { await live.stop() } }
            let first = try await live.refresh()
            let fullScan = first.duration
            // Refresh like a dashboard (every 20 ms): each refresh runs a slice of the sweep.
            let refreshing = Task {
                while !Task.isCancelled {
                    _ = try? await live.refresh()
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            defer { refreshing.cancel() }
            #expect(try await eventually(timeout: .seconds(10)) { live.sweptKeysThisPass > 0 }, "no slice of the sweep ran")
            var latencies: [Duration] = []
            for index in 0 ..< 5 {
                let key = "lock:during-sweep:\(index)"
                let sent = ContinuousClock.now
                _ = try await admin.send("SET", key, "holder", "PX", 60_000)
                try await log.waitFor(.acquired, key)
                latencies.append(ContinuousClock.now - sent)
                #expect(log.events.last { $0.key == key }?.source == .stream)
            }
            #expect(live.sweptKeysThisPass > 0 || live.fullScans > 1, "the sweep did not run meanwhile")
            let worst = latencies.max() ?? .zero
            #expect(worst < fullScan / 2, "a change took \(worst) to be seen while a full scan takes \(fullScan): it waited for the sweep")
            #expect(live.missedBySweep == 0)
        }
    }

    /// A pass over 20,000 keys at the 1% live share of a server is paced over several
    /// refreshes, not done in one: slices advance it, and it completes.
    @Test func aPassIsSpreadOverSlicesAndCompletes() async throws {
        try await withLockServer { _, admin in
            try await LoadBudgetServerTests.fill(admin, locks: 5_000, keys: 20_000)
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .seconds(2))
            defer { Task { await live.stop() } }
            let first = try await live.refresh()
            let period = try #require(first.load?.sweepPeriod)
            #expect(period >= .seconds(2))
            var progress: [Int] = []
            let completed = try await eventually(timeout: .seconds(120), interval: .milliseconds(100)) {
                _ = try await live.refresh()
                progress.append(live.sweptKeysThisPass)
                return live.fullScans > 1
            }
            #expect(completed, "no pass completed")
            // Several refreshes saw the pass part way through.
            let partWay = progress.filter { $0 > 0 && $0 < 5_000 }.count
            #expect(partWay >= 3, "the pass went by in \(partWay) partial steps: \(progress.suffix(20))")
            #expect(live.missedBySweep == 0)
        }
    }
}
