/// What the inspector remembers between scans, to report events, acquisition rates and
/// holder changes. Pure: snapshots in, events out.
///
/// Values are remembered as 64-bit hashes, not bytes: at 100,000 locks the history would
/// otherwise keep every value (and every past holder's value) alive next to the rows shown.
/// A scan updates the one table of keys in place (each entry notes the last scan that saw it),
/// so a refresh never holds two such tables at once.
struct InspectorHistory: Sendable {
    /// One key's memory, kept small: at 100,000 locks the table of them is the history.
    private struct Seen: Sendable {
        /// The digest of the value the last scan read.
        var value: UInt64 = 0
        /// Its TTL then; `Int64.min` for none.
        var ttlMilliseconds = Int64.min
        var owner: String?
        /// Hashes of the values seen before the current one (each a holder). Usually empty,
        /// which costs no allocation.
        var pastHolders: [UInt64] = []
        /// The last scan that saw the key; 0 for an entry just made.
        var scan = 0

        /// Distinct values seen, the current one included.
        var holderCount: Int { pastHolders.count + 1 }
    }

    private var seen: [ByteKey: Seen] = [:]
    /// Fence counters at the previous scan, by their lock key's ``ByteKey/digest``.
    private var fences: [Int: Int64] = [:]
    private var scans = 0
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
        let byteKey = ByteKey(key)
        let old = seen[byteKey]
        expiredByNotification.updateValue(old?.value, forKey: byteKey)
        let elapsed = max(0, (instant - previousInstant).milliseconds)
        return LockEvent(kind: .expired, keyBytes: key, owner: old?.owner, atMilliseconds: previousTime + elapsed, source: .notification)
    }

    /// Folds a new scan into the history: fills rates and holder counts into `locks`, and
    /// returns the events since the previous scan. `fenceValues` maps lock keys (by
    /// ``ByteKey/digest``) to their fence counters; a digest collision, about one chance in
    /// 10^9 at 100,000 locks, would only mix up two locks' rates. `tolerance` absorbs the gap
    /// between a TTL running out and the next scan. An incomplete scan (a node of several did
    /// not answer) reports no key as gone: the keys it did not see are remembered as they were.
    mutating func update(
        _ locks: inout [InspectedLock],
        fenceValues: [Int: Int64],
        serverTime: Int64,
        at instant: ContinuousClock.Instant = .now,
        tolerance: Int64,
        complete: Bool = true
    ) -> [LockEvent] {
        var events: [LockEvent] = []
        let elapsedSeconds = previousTime.map { Double(max(serverTime - $0, 1)) / 1000 }
        scans += 1
        let scan = scans
        let reportsAcquisitions = previousTime != nil
        seen.reserveCapacity(locks.count)
        for index in locks.indices {
            let key = ByteKey(locks[index].keyBytes)
            let acquired = Self.fold(locks[index], into: &seen[key, default: Seen()], scan: scan)
            locks[index].holderChanges = acquired.holderChanges
            if acquired.isNewHolder && reportsAcquisitions {
                events.append(LockEvent(kind: .acquired, keyBytes: locks[index].keyBytes, owner: locks[index].owner, atMilliseconds: serverTime))
            }
            if let fence = fenceValues[key.digest], let before = fences[key.digest], let elapsedSeconds {
                locks[index].acquisitionsPerSecond = Double(max(fence - before, 0)) / elapsedSeconds
            }
        }
        if complete {
            var gone: [ByteKey] = []
            for (key, old) in seen where old.scan != scan {
                gone.append(key)
                guard let previousTime, expiredByNotification.index(forKey: key) == nil else { continue }
                let kind: LockEvent.Kind
                if forceReleased.contains(key) {
                    kind = .forceReleased
                } else if old.ttlMilliseconds != .min, previousTime + old.ttlMilliseconds <= serverTime + tolerance {
                    kind = .expired
                } else {
                    kind = .released
                }
                events.append(LockEvent(kind: kind, keyBytes: key.bytes, owner: old.owner, atMilliseconds: serverTime))
            }
            for key in gone { seen[key] = nil }
        }
        fences = fenceValues
        previousTime = serverTime
        previousInstant = instant
        forceReleased = []
        // A key this scan still saw with the value it had when the notification came was read
        // just before it expired: keep the mark, or the next scan would report it again.
        expiredByNotification = expiredByNotification.filter { key, value in
            value != nil && seen[key]?.value == value
        }
        return events
    }

    /// Folds one lock's sighting into its entry; says whether its holder is new and how many
    /// times the holder changed.
    private static func fold(_ lock: InspectedLock, into entry: inout Seen, scan: Int) -> (isNewHolder: Bool, holderChanges: Int) {
        let value = lock.valueDigest
        let isFirstSight = entry.scan == 0
        let isNewHolder = isFirstSight || entry.value != value
        if isNewHolder && !isFirstSight {
            if !entry.pastHolders.contains(entry.value) { entry.pastHolders.append(entry.value) }
            entry.pastHolders.removeAll { $0 == value }  // a returning holder is not a new one
        }
        entry.value = value
        entry.owner = lock.owner
        entry.ttlMilliseconds = lock.ttlMilliseconds ?? .min
        entry.scan = scan
        return (isNewHolder, entry.holderCount - 1)
    }
}
