import RESP

extension LiveInspector {
    /// Names the rows the operator sees: each refresh reads their waiter counts and fence
    /// counters (for acquisitions/s), which the change stream cannot report (a waiter only
    /// subscribes); in sweeping mode it reads the rows themselves too. The other rows get
    /// theirs from the sweeps.
    public func setOnScreen(_ keys: [[UInt8]]) {
        let shown = Set(keys.map(ByteKey.init))
        state.withLock { state in
            state.onScreen = keys
            state.fenceSamples = state.fenceSamples.filter { shown.contains($0.key) }
        }
    }

    /// Reads the rows on screen with their waiters and fence counters (best effort: a failure
    /// leaves the previous ones) and folds them into the table: the counters only, or (when
    /// `rereadingRows`, as no stream keeps them current) the rows too, with the events they mean.
    func refreshOnScreen(rereadingRows: Bool) async {
        let (keys, scanners) = state.withLock { ($0.onScreen, $0.scanners) }
        guard !keys.isEmpty, !scanners.isEmpty else { return }
        let fenceKeys = keys.map { $0 + Array(LockKeys.fenceSuffix.utf8) }
        for scanner in scanners {
            let sent = ContinuousClock.now
            guard let read = try? await scanner.read(keys + fenceKeys) else { continue }
            let instant = ContinuousClock.now
            let events = state.withLock { state -> [LockEvent] in
                state.commands += read.commands
                state.roundTrips += read.roundTrips
                state.cost.countRead(commands: read.commands, elapsed: instant - sent)
                var events: [LockEvent] = []
                if rereadingRows {
                    // Dated when the read was sent, as the stream's reads are.
                    let serverTime = state.serverTime(at: sent)
                    var found: [ByteKey: InspectedLock] = [:]
                    for lock in read.locks { found[ByteKey(lock.keyBytes)] = lock }
                    // On a cluster a key is on one node: the others' reads say nothing about it.
                    for key in keys.map(ByteKey.init) where scanners.count == 1 || found[key] != nil {
                        if let event = state.table.apply(key, read: found[key], at: sent, serverTime: serverTime) { events.append(event) }
                    }
                }
                for lock in read.locks {
                    let key = ByteKey(lock.keyBytes)
                    let rate = read.fenceValues[key.digest].flatMap { state.rate(of: key, fence: $0, at: instant) }
                    state.table.updateCounters(key, waiters: lock.waiters, acquisitionsPerSecond: rate)
                }
                return events
            }
            emit(events)
        }
    }
}

extension LiveState {
    /// Acquisitions per second from the growth of `key`'s fence counter since its previous
    /// sample; `nil` for the first sample.
    mutating func rate(of key: ByteKey, fence: Int64, at instant: ContinuousClock.Instant) -> Double? {
        defer { fenceSamples[key] = (fence, instant) }
        guard let previous = fenceSamples[key] else { return nil }
        let seconds = Double((instant - previous.instant).milliseconds) / 1000
        guard seconds > 0 else { return nil }
        return Double(max(fence - previous.fence, 0)) / seconds
    }
}
