import BenchmarkSupport
import RESP
import RedisLock

/// One window of a ``LiveInspector`` refreshing every second like the dashboard, with the first
/// 40 rows on screen: live (the change stream) or sweeping (stream turned off, `--max-load`).
enum LiveWindow {
    static func run(
        url: String, client: RedisClient, generator: ChurnGenerator, window: Duration, changeStream: Bool, maxLoad: Double
    ) async throws -> (result: WindowResult, initialLoad: Duration) {
        let inspectorClient = try RedisClient(url: url)
        let live = LiveInspector(
            inspector: LockInspector(client: inspectorClient, selection: .prefix("lock:")), budget: try LoadBudget(percent: maxLoad),
            changeStream: changeStream
        ) { event in generator.observe(event) }
        let start = ContinuousClock.now
        let first = try await live.refresh()
        let initialLoad = ContinuousClock.now - start
        live.setOnScreen(first.locks.prefix(40).map(\.keyBytes))
        _ = generator.take()
        let changesBefore = generator.changeCount
        let cpuBefore = try await CPUTime.server(client)
        let windowStart = ContinuousClock.now
        var stalenesses: [Duration] = []
        var last = first
        while ContinuousClock.now - windowStart < window {
            let refreshed = ContinuousClock.now
            last = try await live.refresh()
            stalenesses.append(last.staleness ?? .zero)
            let pause = .seconds(1) - (ContinuousClock.now - refreshed)
            if pause > .zero { try await Task.sleep(for: pause) }  // the dashboard's interval
        }
        let cpuRate = (try await CPUTime.server(client) - cpuBefore) / (ContinuousClock.now - windowStart).seconds
        var result = WindowResult(
            cpuRate: cpuRate, observed: generator.take(), changes: generator.changeCount - changesBefore, reported: last.load,
            reportedStaleness: (Statistics.median(stalenesses), stalenesses.max() ?? .zero))
        result.note = "; mode \(last.mode?.name ?? "?"), \(live.fullScans - 1) sweeps (live: passes of the sliced verification sweep) after the first scan; initial load \(Statistics.format(initialLoad))"
        await live.stop()
        await inspectorClient.shutdown()
        return (result, initialLoad)
    }
}

/// One window of today's rescanning refresh: ``LockInspector/refresh(tolerance:)`` with the
/// dashboard's pause (the interval, stretched to the scan's duration when scans are slower).
enum ReferenceWindow {
    static func run(url: String, client: RedisClient, generator: ChurnGenerator, window: Duration) async throws -> WindowResult {
        let inspectorClient = try RedisClient(url: url)
        let inspector = LockInspector(client: inspectorClient, selection: .prefix("lock:"))
        _ = try await inspector.refresh()
        _ = generator.take()
        let changesBefore = generator.changeCount
        let cpuBefore = try await CPUTime.server(client)
        let windowStart = ContinuousClock.now
        var durations: [Duration] = []
        while ContinuousClock.now - windowStart < window {
            let refreshed = ContinuousClock.now
            let snapshot = try await inspector.refresh()
            let done = ContinuousClock.now
            for event in snapshot.events { generator.observe(event, at: done) }
            durations.append(done - refreshed)
            let pause = max(.seconds(1), done - refreshed) - (ContinuousClock.now - refreshed)
            if pause > .zero { try await Task.sleep(for: pause) }
        }
        let cpuRate = (try await CPUTime.server(client) - cpuBefore) / (ContinuousClock.now - windowStart).seconds
        var result = WindowResult(cpuRate: cpuRate, observed: generator.take(), changes: generator.changeCount - changesBefore)
        result.note = "; \(durations.count) refreshes, median \(Statistics.format(Statistics.median(durations)))"
        await inspectorClient.shutdown()
        return result
    }
}
