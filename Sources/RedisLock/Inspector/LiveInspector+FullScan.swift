import RESP

extension LiveInspector {
    /// Scans every server once for live mode's table, without ``LockInspector``'s history:
    /// the table is live mode's memory of the locks, and the history (an entry per lock, 16 MB
    /// at 100,000) would only repeat it. No events or rates: the table makes the events, and
    /// the sweep's passes the rates, so the fence counters are not read either.
    func scanForTable() async throws(RedisError) -> InspectionSnapshot {
        let start = ContinuousClock.now
        var (scanners, topologyCommands) = try await inspector.scanners()
        for index in scanners.indices { scanners[index].readsOnlyLocks = true }
        let results = await LockInspector.everyNode(scanners) { scanner throws(RedisError) in try await scanner.scan() }
        let merged = try inspector.merge(results, scanners: scanners)
        var snapshot = InspectionSnapshot(
            locks: merged.scan.locks, events: [], serverTimeMilliseconds: merged.scan.serverTime,
            scannedKeys: merged.scan.scannedKeys, commandCount: merged.scan.commands + topologyCommands,
            roundTrips: merged.scan.roundTrips, duration: ContinuousClock.now - start, unreachableNodes: merged.unreachable,
            notes: merged.scan.notes)
        snapshot.conditions = merged.conditions
        return snapshot
    }
}
