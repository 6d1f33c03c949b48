import Testing
@testable import LockWatchUI
import RedisLock

/// The header's mode segment in sweeping mode and with the load the dashboard adds.
@Suite("Load budget in the header")
struct BudgetHeaderTests {
    @Test func theHeaderShowsSweepingTheLoadAndTheOldestRowsAge() {
        var state = DashboardState(endpoint: "redis://10.0.0.5:6379/0", user: "ops", readOnly: true, now: t0)
        state.resize(width: 160, height: 30)
        var sweeping = snapshot([lock("lock:a")])
        sweeping.mode = .sweeping(reason: "change stream turned off: sweeping within the load budget")
        sweeping.staleness = .seconds(24)
        sweeping.load = InspectionLoad(commandsPerSecond: 31.2, serverMillisecondsPerSecond: 41.7, measure: .serverCounters, maxLoadPercent: 5, sweepPeriod: .seconds(30))
        state.apply(snapshot: sweeping, at: t0)
        state.tick(now: t0 + .milliseconds(500))
        let header = render(state, width: 160, height: 30).line(0)
        #expect(header.contains("sweeping · rows ≤ 24s old · +31.2 cmd/s ≈41.7 ms/s of ≤50"), "\(header)")
        #expect(header.components(separatedBy: "sweeping").count == 2, "the mode once: \(header)")
    }

    @Test func anUpperBoundFromRequestTimingIsMarkedSo() {
        var state = DashboardState(endpoint: "redis://10.0.0.5:6379/0", user: "ops", readOnly: true, now: t0)
        state.resize(width: 160, height: 30)
        var live = snapshot([lock("lock:a")])
        live.mode = .live
        live.staleness = .milliseconds(40)
        live.load = InspectionLoad(commandsPerSecond: 2, serverMillisecondsPerSecond: 0.4, measure: .requestTiming, maxLoadPercent: 1)
        state.apply(snapshot: live, at: t0)
        let header = render(state, width: 160, height: 30).line(0)
        #expect(header.contains("live · rows ≤ 40ms old · +2.0 cmd/s ≤0.4 ms/s of ≤10"), "\(header)")
    }
}
