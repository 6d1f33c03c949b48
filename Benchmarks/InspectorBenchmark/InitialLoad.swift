import BenchmarkSupport
import RESP
import RedisLock

/// The live inspector's initial load (its first refresh: the full scan, the table, the change
/// stream opened) against the SCAN-alone floor, alternated `rounds` times on the same server
/// under the same churn, so that the machine's noise hits both alike; the ratio of each pair
/// and their median. `scanCount` is the `SCAN` COUNT of both.
enum InitialLoad {
    static func measure(url: String, rounds: Int, scanCount: Int) async throws -> (load: Duration, floor: Duration, ratio: Double) {
        var ratios: [Double] = []
        var loads: [Duration] = []
        var floors: [Duration] = []
        let floorConnection = try await RedisConnection.connect(RedisConfiguration(url: url))
        defer { Task { await floorConnection.close() } }
        for round in 0 ..< max(rounds, 1) {
            let client = try RedisClient(url: url)
            let inspector = LockInspector(client: client, selection: .prefix("lock:"), scanCount: scanCount)
            let floor = try await ScanFloor.measure(floorConnection, pattern: "lock:*", count: inspector.scanCount, rounds: 1)
            let live = LiveInspector(inspector: inspector)
            let start = ContinuousClock.now
            _ = try await live.refresh()
            let load = ContinuousClock.now - start
            await live.stop()
            await client.shutdown()
            loads.append(load)
            floors.append(floor)
            ratios.append(load.seconds / floor.seconds)
            say("  COUNT \(scanCount), initial load \(round + 1): \(Statistics.format(load)) against SCAN alone \(Statistics.format(floor)): \(String(format2: ratios.last!, unit: "x"))")
        }
        return (Statistics.median(loads), Statistics.median(floors), Statistics.median(ratios))
    }
}
