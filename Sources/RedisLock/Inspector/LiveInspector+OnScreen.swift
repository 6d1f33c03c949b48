import RESP

extension LiveInspector {
    /// Names the rows the operator sees: each live refresh reads their waiter counts and fence
    /// counters (for acquisitions/s), which the change stream cannot report (a waiter only
    /// subscribes). The other rows get theirs from the verification sweep.
    public func setOnScreen(_ keys: [[UInt8]]) {
        let shown = Set(keys.map(ByteKey.init))
        state.withLock { state in
            state.onScreen = keys
            state.fenceSamples = state.fenceSamples.filter { shown.contains($0.key) }
        }
    }

    /// Reads the waiters and fence counters of the rows on screen (best effort: a failure
    /// leaves the previous counts) and folds them into the table.
    func refreshOnScreen() async {
        let (keys, scanners) = state.withLock { ($0.onScreen, $0.scanners) }
        guard !keys.isEmpty, !scanners.isEmpty else { return }
        let fenceKeys = keys.map { $0 + Array(LockKeys.fenceSuffix.utf8) }
        for scanner in scanners {
            guard let read = try? await scanner.read(keys + fenceKeys) else { continue }
            let instant = ContinuousClock.now
            state.withLock { state in
                state.commands += read.commands
                state.roundTrips += read.roundTrips
                for lock in read.locks {
                    let key = ByteKey(lock.keyBytes)
                    let rate = read.fenceValues[key.digest].flatMap { state.rate(of: key, fence: $0, at: instant) }
                    state.table.updateCounters(key, waiters: lock.waiters, acquisitionsPerSecond: rate)
                }
            }
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
