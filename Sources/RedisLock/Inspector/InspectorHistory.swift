/// What the inspector remembers between scans, to report events, acquisition rates and
/// holder changes. Pure: snapshots in, events out.
///
/// Values are remembered as 64-bit hashes, not bytes: at 100,000 locks the history would
/// otherwise keep every value (and every past holder's value) alive next to the rows shown.
struct InspectorHistory: Sendable {
    private struct Seen: Sendable {
        /// The hash of the value the last scan read (`nil` before any).
        var value: UInt64?
        var owner: String?
        var ttlMilliseconds: Int64?
        /// Hashes of the values seen before the current one (each a holder). Usually empty,
        /// which costs no allocation.
        var pastHolders: [UInt64] = []

        /// Distinct values seen, the current one included.
        var holderCount: Int { value == nil ? 0 : pastHolders.count + 1 }
    }

    /// A value's identity for comparing holders (this process only: the hasher is seeded).
    static func hash(_ value: [UInt8]) -> UInt64 {
        var hasher = Hasher()
        value.withUnsafeBytes { hasher.combine(bytes: $0) }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private var seen: [ByteKey: Seen] = [:]
    private var fences: [ByteKey: Int64] = [:]
    private var previousTime: Int64?
    /// When (on this process's clock) the previous scan read the server's clock.
    private var previousInstant: ContinuousClock.Instant?
    private var forceReleased: Set<ByteKey> = []
    /// Keys whose expiry a notification already reported, with the value they had then (so a
    /// scan that read the key just before it expired does not drop the mark too early).
    private var expiredByNotification: [ByteKey: UInt64?] = [:]

    /// Marks `key` as force-released by this process, so its disappearance is reported so.
    mutating func noteForceRelease(_ key: [UInt8]) {
        forceReleased.insert(ByteKey(key))
    }

    /// Marks `key` as expired, from a keyspace notification that arrived at `instant`, and
    /// returns the event to show now. Scans then do not report that expiry again. `nil` before
    /// the first scan (no clock to date it by) and for helper keys.
    mutating func noteExpired(_ key: [UInt8], at instant: ContinuousClock.Instant) -> LockEvent? {
        guard let previousTime, let previousInstant,
              !LockFormatDetector.isHelperKey(String(decoding: key, as: UTF8.self)) else { return nil }
        let old = seen[ByteKey(key)]
        expiredByNotification.updateValue(old?.value, forKey: ByteKey(key))
        let elapsed = max(0, (instant - previousInstant).milliseconds)
        return LockEvent(kind: .expired, keyBytes: key, owner: old?.owner, atMilliseconds: previousTime + elapsed, source: .notification)
    }

    /// Folds a new scan into the history: fills rates and holder counts into `locks`, and
    /// returns the events since the previous scan. `fenceValues` maps lock keys to their fence
    /// counters. `tolerance` absorbs the gap between a TTL running out and the next scan.
    /// An incomplete scan (a node of several did not answer) reports no key as gone: the keys
    /// it did not see are remembered as they were.
    mutating func update(
        _ locks: inout [InspectedLock],
        fenceValues: [ByteKey: Int64],
        serverTime: Int64,
        at instant: ContinuousClock.Instant = .now,
        tolerance: Int64,
        complete: Bool = true
    ) -> [LockEvent] {
        var events: [LockEvent] = []
        let elapsedSeconds = previousTime.map { Double(max(serverTime - $0, 1)) / 1000 }
        var current: [ByteKey: Seen] = [:]
        current.reserveCapacity(locks.count)
        for index in locks.indices {
            let lock = locks[index]
            let key = ByteKey(lock.keyBytes)
            var entry = seen[key] ?? Seen(value: nil, owner: nil, ttlMilliseconds: nil)
            let value = Self.hash(lock.value)
            if entry.value != value {
                if let previous = entry.value, !entry.pastHolders.contains(previous) { entry.pastHolders.append(previous) }
                entry.pastHolders.removeAll { $0 == value }  // a returning holder is not a new one
                if previousTime != nil {
                    events.append(LockEvent(kind: .acquired, keyBytes: lock.keyBytes, owner: lock.owner, atMilliseconds: serverTime))
                }
            }
            entry.value = value
            entry.owner = lock.owner
            entry.ttlMilliseconds = lock.ttlMilliseconds
            locks[index].holderChanges = max(entry.holderCount - 1, 0)
            if let fence = fenceValues[key], let before = fences[key], let elapsedSeconds {
                locks[index].acquisitionsPerSecond = Double(max(fence - before, 0)) / elapsedSeconds
            }
            current[key] = entry
        }
        if !complete {
            for (key, old) in seen where current[key] == nil { current[key] = old }
        } else if let previousTime {
            for (key, old) in seen where current[key] == nil && expiredByNotification.index(forKey: key) == nil {
                let kind: LockEvent.Kind
                if forceReleased.contains(key) {
                    kind = .forceReleased
                } else if let ttl = old.ttlMilliseconds, previousTime + ttl <= serverTime + tolerance {
                    kind = .expired
                } else {
                    kind = .released
                }
                events.append(LockEvent(kind: kind, keyBytes: key.bytes, owner: old.owner, atMilliseconds: serverTime))
            }
        }
        seen = current
        fences = fenceValues
        previousTime = serverTime
        previousInstant = instant
        forceReleased = []
        // A key this scan still saw with the value it had when the notification came was read
        // just before it expired: keep the mark, or the next scan would report it again.
        expiredByNotification = expiredByNotification.filter { key, value in
            value != nil && current[key]?.value == value
        }
        return events
    }
}
