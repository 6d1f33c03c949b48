import RESP
@testable import RedisLock
import Testing
import LockTestSupport

/// The refresh's pipeline at a scale where SCANs and reads overlap, and the history's
/// holder counting with hashed values.
@Suite("Inspector pipeline")
struct InspectorPipelineTests {
    @Test func findsEveryKeyOnceAndTheReadsRideAlongWithTheScans() async throws {
        try await withLockServer { _, admin in
            let count = 3_000
            var writes: [RESPCommand] = []
            for index in 0..<count {
                writes.append(RESPCommand("SET", "job:\(index)", "holder-\(index)", "PX", 60_000))
                writes.append(RESPCommand("SET", "other:\(index)", "x"))
            }
            for result in try await admin.send(batch: writes) { _ = try result.get() }

            let batchSize = 64
            let inspector = LockInspector(client: admin, selection: .prefix("job:"), scanCount: 100, batchSize: batchSize)
            let snapshot = try await inspector.refresh()
            #expect(snapshot.locks.count == count)
            #expect(Set(snapshot.locks.map(\.key)).count == count)
            #expect(snapshot.locks.allSatisfy { $0.value == Array("holder-\($0.key.dropFirst(4))".utf8) && ($0.ttlMilliseconds ?? 0) > 0 })
            #expect(snapshot.scannedKeys == count)

            // TIME + the SCANs + per chunk of keys one MGET and a PTTL per key.
            let chunks = (count + batchSize - 1) / batchSize
            let scans = snapshot.commandCount - 1 - chunks - count
            #expect(scans >= 30)  // 6,000 keys at COUNT 100: about 60 SCANs
            // Unpipelined, each SCAN and each chunk would be a round trip of its own; here the
            // reads go out with the SCANs (plus at most one batch for the last keys).
            #expect(snapshot.roundTrips <= 1 + scans + 1)
        }
    }

    @Test func holderChangesCountDistinctValuesByHash() {
        var history = InspectorHistory()
        func scan(_ value: String, at time: Int64) -> Int {
            var locks = [InspectedLock(
                keyBytes: Array("lock:a".utf8), format: .unknownString, type: "string", owner: nil, token: value,
                value: Array(value.utf8), ttlMilliseconds: 10_000)]
            _ = history.update(&locks, fenceValues: [:], serverTime: time, tolerance: 1_000)
            return locks[0].holderChanges
        }
        #expect(scan("A", at: 1_000) == 0)
        #expect(scan("A", at: 2_000) == 0)
        #expect(scan("B", at: 3_000) == 1)
        #expect(scan("A", at: 4_000) == 1)  // A came back: still two holders
        #expect(scan("C", at: 5_000) == 2)
    }

    /// A row's size matters at 100,000 rows, kept twice while a scan replaces the previous one.
    @Test func aRowStaysSmallAndKeepsItsOptionalNumbers() {
        #expect(MemoryLayout<InspectedLock>.stride <= 128, "stride \(MemoryLayout<InspectedLock>.stride)")
        var row = InspectedLock(keyBytes: [1], format: .unknownString, type: "string")
        #expect(row.ttlMilliseconds == nil && row.fence == nil && row.waiters == nil && row.acquisitionsPerSecond == nil)
        row.ttlMilliseconds = -1
        row.fence = 0
        row.waiters = 0
        row.acquisitionsPerSecond = .nan
        #expect(row.ttlMilliseconds == -1 && row.fence == 0 && row.waiters == 0 && row.acquisitionsPerSecond?.isNaN == true)
        row.acquisitionsPerSecond = nil
        #expect(row.acquisitionsPerSecond == nil)
    }
}
