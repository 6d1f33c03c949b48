import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Sweeping mode against a real server with the change stream turned off: the load it adds,
/// measured from the server's own `INFO cpu`, stays within `--max-load`; the rows on screen
/// follow every refresh while the rest follow the sweeps; the staleness it reports is
/// consistent with when a change was made.
@Suite("Load budget against a server", .serialized)
struct LoadBudgetServerTests {
    @Test func theMeasuredLoadStaysWithinTheBudget() async throws {
        try await withLockServer { _, admin in
            try await Self.fill(admin, locks: 2_000, keys: 50_000)
            let budget = try LoadBudget(percent: 1)
            // The server's own CPU without the inspector, as a baseline.
            let idle = try await Self.cpuRate(admin, over: .seconds(2))
            // Rescanning every refresh (what scanning mode did) would take more than the budget.
            let cpuBeforeScan = try await Self.cpuSeconds(admin)
            let scanStarted = ContinuousClock.now
            _ = try await LockInspector(client: admin, selection: .prefix("lock:")).refresh()
            let unpaced = (try await Self.cpuSeconds(admin) - cpuBeforeScan) / ((ContinuousClock.now - scanStarted).inMilliseconds / 1000)
            #expect(unpaced > budget.fraction, "back-to-back scans take only \(Self.percent(unpaced)) of the server: this test shows nothing")

            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), budget: budget, changeStream: false)
            defer { Task { await live.stop() } }
            let first = try await live.refresh()
            guard case .sweeping = first.mode else {
                Issue.record("not sweeping: \(String(describing: first.mode))")
                return
            }
            #expect(first.locks.count == 2_000)
            // From the end of one sweep to the end of the fifth after it (refreshing like a
            // dashboard with a 100 ms interval), so the window holds whole sweep periods.
            let startScans = live.fullScans
            let startCPU = try await Self.cpuSeconds(admin)
            let started = ContinuousClock.now
            var snapshot = first
            let swept = try await eventually(timeout: .seconds(90), interval: .milliseconds(100)) {
                snapshot = try await live.refresh()
                return live.fullScans >= startScans + 5
            }
            #expect(swept, "five sweeps did not run within 90 s (\(live.fullScans - startScans) did)")
            let elapsed = (ContinuousClock.now - started).inMilliseconds / 1000
            let load = (try await Self.cpuSeconds(admin) - startCPU) / elapsed - idle
            let period = try #require(snapshot.load?.sweepPeriod)
            #expect(load <= budget.fraction, "the server spent \(Self.percent(load)) of its time on the inspector (budget 1%, idle \(Self.percent(idle)))")
            // Paced by the budget, not by how fast this process scans: a sweep period is
            // longer than a sweep.
            #expect(period > snapshot.duration, "sweeps every \(period), each taking \(snapshot.duration)")
            // The load it reports is the one measured, give or take half the budget.
            let reported = try #require(snapshot.load)
            #expect(reported.measure == .serverCounters)
            #expect(reported.commandsPerSecond > 0)
            #expect(abs(reported.percent / 100 - load) <= budget.fraction / 2, "reported \(reported.percent)% for a measured \(Self.percent(load))")
        }
    }

    @Test func rowsOnScreenFollowEveryRefreshTheRestTheSweepsAndTheStalenessSaysSo() async throws {
        try await withLockServer { _, admin in
            try await Self.fill(admin, locks: 5_000, keys: 20_000)
            // 0.5%: a sweep period of a few seconds on this server.
            let budget = try LoadBudget(percent: 0.5)
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), budget: budget, changeStream: false)
            defer { Task { await live.stop() } }
            _ = try await live.refresh()
            live.setOnScreen([Array("lock:0".utf8)])
            // Just after a sweep, change a row on screen and one off screen.
            let scans = live.fullScans
            #expect(try await eventually(timeout: .seconds(60), interval: .milliseconds(20)) {
                _ = try await live.refresh()
                return live.fullScans > scans
            }, "no sweep ran")
            let sweepsBefore = live.fullScans
            _ = try await admin.send("SET", "lock:0", "new-holder-on-screen", "PX", 600_000)
            _ = try await admin.send("SET", "lock:1", "new-holder-off-screen", "PX", 600_000)
            let changed = ContinuousClock.now
            var snapshot = try await live.refresh()
            if live.fullScans == sweepsBefore {
                #expect(Self.value("lock:0", in: snapshot) == "new-holder-on-screen", "the row on screen was not re-read by the refresh")
            }
            // Until the next sweep, the row off screen shows the old holder, and the reported
            // staleness covers the unseen change (refreshing every 50 ms, for at most a minute).
            var staleRefreshes = 0
            var seen = false
            let deadline = ContinuousClock.now + .seconds(60)
            while !seen, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))  // the refresh interval
                snapshot = try await live.refresh()
                let age = ContinuousClock.now - changed
                let staleness = snapshot.staleness ?? .zero
                seen = Self.value("lock:1", in: snapshot) == "new-holder-off-screen"
                if seen {
                    #expect(staleness <= age, "after the sweep rows ≤ \(staleness) old, yet the change is \(age) old")
                } else {
                    staleRefreshes += 1
                    #expect(live.fullScans == sweepsBefore, "a sweep ran and still missed the change")
                    #expect(staleness >= age, "rows ≤ \(staleness) old, but a change \(age) old is not shown")
                    #expect(Self.value("lock:0", in: snapshot) == "new-holder-on-screen")
                }
            }
            #expect(seen, "the sweep never showed the change off screen")
            #expect(live.fullScans == sweepsBefore + 1)
            #expect(staleRefreshes >= 3, "the change off screen showed up after \(staleRefreshes) refreshes: not at the sweeps' pace")
            // The events came from the rows' re-reads.
            #expect(snapshot.mode.map { if case .sweeping = $0 { true } else { false } } == true)
        }
    }

    @Test func liveModesVerificationSweepsArePacedByTheBudget() async throws {
        try await withLockServer { _, admin in
            try await Self.fill(admin, locks: 5_000, keys: 20_000)
            let budget = try LoadBudget(percent: 1)
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .milliseconds(1), budget: budget)
            defer { Task { await live.stop() } }
            let first = try await live.refresh()
            #expect(first.mode == .live)
            let period = try #require(first.load?.sweepPeriod)
            #expect(period > .milliseconds(100), "a 1 ms sweep interval was not slowed down by the 1% budget: \(period)")
            let started = ContinuousClock.now
            let scans = live.fullScans
            _ = try await eventually(timeout: .seconds(60), interval: .milliseconds(10)) {
                _ = try await live.refresh()
                return live.fullScans >= scans + 3
            }
            let elapsed = ContinuousClock.now - started
            #expect(live.fullScans >= scans + 3)
            #expect(elapsed >= period * 2, "3 sweeps in \(elapsed) with a period of \(period)")
        }
    }

    // MARK: Helpers

    /// Writes `locks` lock keys under `lock:` (`lock:0`, `lock:1`, …) and filler keys up to `keys`.
    static func fill(_ client: RedisClient, locks: Int, keys: Int) async throws {
        var batch: [RESPCommand] = []
        for index in 0 ..< keys {
            batch.append(index < locks
                ? RESPCommand("SET", "lock:\(index)", "holder-\(index)", "PX", 600_000)
                : RESPCommand("SET", "cache:\(index)", "payload-\(index)"))
            if batch.count == 2000 || index == keys - 1 {
                for reply in try await client.send(batch: batch) { _ = try reply.get() }
                batch.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The value of the row of `key`, as text.
    static func value(_ key: String, in snapshot: InspectionSnapshot) -> String? {
        snapshot.locks.first { $0.key == key }.map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// The server's user + system CPU seconds.
    static func cpuSeconds(_ client: RedisClient) async throws -> Double {
        let info = try await client.send("INFO", "cpu").decode(as: String.self)
        return info.split(whereSeparator: \.isNewline).reduce(0.0) { total, line in
            let parts = line.split(separator: ":")
            guard parts.count == 2, parts[0] == "used_cpu_user" || parts[0] == "used_cpu_sys" else { return total }
            return total + (Double(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0)
        }
    }

    /// The server's CPU seconds per second over `window`, with nothing but these probes.
    static func cpuRate(_ client: RedisClient, over window: Duration) async throws -> Double {
        let start = (try await cpuSeconds(client), ContinuousClock.now)
        try await Task.sleep(for: window)  // measuring an idle period: the wait is the measurement
        return (try await cpuSeconds(client) - start.0) / ((ContinuousClock.now - start.1).inMilliseconds / 1000)
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.2f%%", fraction * 100) }
}
