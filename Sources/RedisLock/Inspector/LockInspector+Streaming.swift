public import RESP
import Synchronization

extension LockInspector {
    /// Scans once like ``refresh(tolerance:)`` but hands the rows to `sink` batch by batch as
    /// they are decoded (with the server's clock, Unix ms) instead of keeping them: the
    /// returned snapshot has no locks, only the counts, notes and unreachable nodes. For
    /// `list` at 100,000 locks. The cluster's primaries call `sink` side by side; a key seen
    /// twice (migrating between two SCANs, or read again after an `MGET` refusal) is handed
    /// over once. A Redlock set's rows merge every node's, so they come in one call at the end.
    public func scan(streaming sink: @escaping @Sendable ([InspectedLock], Int64) -> Void) async throws(RedisError) -> InspectionSnapshot {
        if case .redlock = servers {
            var snapshot = try await refresh()
            sink(snapshot.locks, snapshot.serverTimeMilliseconds)
            snapshot.locks = []
            return snapshot
        }
        let clock = ContinuousClock()
        let start = clock.now
        var (scanners, topologyCommands) = try await scanners()
        let handedOver = Mutex(Set<Int>())
        for index in scanners.indices {
            scanners[index].rowSink = { rows, serverTime in
                let fresh = handedOver.withLock { seen in rows.filter { seen.insert(ByteKey($0.keyBytes).digest).inserted } }
                if !fresh.isEmpty { sink(fresh, serverTime) }
            }
        }
        let results = await Self.everyNode(scanners) { scanner throws(RedisError) in try await scanner.scan() }
        let merged = try merge(results, scanners: scanners)
        var snapshot = InspectionSnapshot(
            locks: [], events: [], serverTimeMilliseconds: merged.scan.serverTime,
            scannedKeys: merged.scan.scannedKeys, commandCount: merged.scan.commands + topologyCommands,
            roundTrips: merged.scan.roundTrips, duration: clock.now - start, unreachableNodes: merged.unreachable,
            notes: merged.scan.notes)
        snapshot.conditions = merged.conditions
        return snapshot
    }
}
