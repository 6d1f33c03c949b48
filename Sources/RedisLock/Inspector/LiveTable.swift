/// The locks a ``LiveInspector`` keeps current from the change stream, and the events each
/// change means. Pure: reads in, events out.
///
/// Every row remembers when (on this process's clock) it was read, so a TTL counts down
/// between reads and a lock that vanishes can be told apart: at or after the end of its TTL
/// it expired, earlier it was released (or force-released, when this process did it).
struct LiveTable: Sendable {
    /// One lock and when it was read.
    struct Row: Sendable {
        var lock: InspectedLock
        var readAt: ContinuousClock.Instant

        /// Its TTL as of `instant`, counted down from the read; `nil` for none.
        func ttl(at instant: ContinuousClock.Instant) -> Int64? {
            lock.ttlMilliseconds.map { $0 - max(0, (instant - readAt).milliseconds) }
        }
    }

    private(set) var rows = Rows()
    /// Keys this process force-released, so their disappearance is reported so.
    private var forceReleased: Set<ByteKey> = []
    /// A vanished key counts as expired when its TTL had run out to within this.
    static let expiryTolerance: Int64 = 25
    /// A TTL that differs from the counted-down one by more than this was set again (extended).
    static let extensionThreshold: Int64 = 20

    /// How many locks it holds.
    var count: Int { rows.count }

    /// Marks `key` as force-released by this process.
    mutating func noteForceRelease(_ key: [UInt8]) {
        forceReleased.insert(ByteKey(key))
    }

    /// Forgets a mark from ``noteForceRelease(_:)`` (the release did not happen).
    mutating func forgetForceRelease(_ key: [UInt8]) {
        forceReleased.remove(ByteKey(key))
    }

    /// Applies what a read of `key` found (`nil`: no lock there) and returns the event it
    /// means, dated `serverTime`.
    mutating func apply(_ key: ByteKey, read lock: InspectedLock?, at instant: ContinuousClock.Instant, serverTime: Int64) -> LockEvent? {
        let old = rows[key]
        switch (old, lock) {
        case (nil, nil):
            return nil
        case (nil, var new?):
            new.holderChanges = 0
            rows[key] = Row(lock: new, readAt: instant)
            return LockEvent(kind: .acquired, keyBytes: key.bytes, owner: new.owner, atMilliseconds: serverTime, source: .stream)
        case (let old?, nil):
            rows[key] = nil
            return LockEvent(kind: vanished(key, old, at: instant), keyBytes: key.bytes, owner: old.lock.owner, atMilliseconds: serverTime, source: .stream)
        case (let old?, var new?):
            if new.acquisitionsPerSecond == nil { new.acquisitionsPerSecond = old.lock.acquisitionsPerSecond }
            if new.waiters == nil { new.waiters = old.lock.waiters }
            let kind: LockEvent.Kind?
            if new.valueDigest != old.lock.valueDigest {
                new.holderChanges = old.lock.holderChanges + 1
                kind = .holderChanged
            } else {
                new.holderChanges = old.lock.holderChanges
                kind = Self.wasExtended(old, to: new, at: instant) ? .extended : nil
            }
            rows[key] = Row(lock: new, readAt: instant)
            return kind.map { LockEvent(kind: $0, keyBytes: key.bytes, owner: new.owner, atMilliseconds: serverTime, source: .stream) }
        }
    }

    /// Sets a row's waiter count and (when given) acquisition rate, leaving its value alone.
    mutating func updateCounters(_ key: ByteKey, waiters: Int?, acquisitionsPerSecond: Double?) {
        guard rows[key] != nil else { return }
        rows[key]!.lock.waiters = waiters
        if let acquisitionsPerSecond { rows[key]!.lock.acquisitionsPerSecond = acquisitionsPerSecond }
    }

    /// Takes the very first scan's locks as the rows, without comparing or making events
    /// (finding the locks is no news): at 100,000 locks that is 100,000 events not made.
    mutating func fill(with locks: [InspectedLock], at instant: ContinuousClock.Instant) {
        rows.reserveCapacity(rows.count + locks.count)
        for var lock in locks {
            lock.holderChanges = 0
            rows[ByteKey(lock.keyBytes)] = Row(lock: lock, readAt: instant)
        }
    }

    /// Replaces every row with a full scan's and returns the differences as events (source
    /// ``LockEvent/Source/scan``), leaving alone the keys in `skipping` (changes the stream
    /// is about to apply).
    mutating func reconcile(with locks: [InspectedLock], at instant: ContinuousClock.Instant, serverTime: Int64, skipping: Set<ByteKey> = []) -> [LockEvent] {
        var events: [LockEvent] = []
        if rows.count == 0 { rows.reserveCapacity(locks.count) }
        var seen = Set<ByteKey>(minimumCapacity: locks.count)
        for lock in locks {
            let key = ByteKey(lock.keyBytes)
            seen.insert(key)
            guard !skipping.contains(key) else { continue }
            if var event = apply(key, read: lock, at: instant, serverTime: serverTime), event.kind != .extended {
                event.source = .scan
                events.append(event)
            } else if let row = rows[key] {
                // No news: take the scan's rates and waiters (the stream's reads do not count them).
                var fresh = lock
                fresh.holderChanges = row.lock.holderChanges
                rows[key] = Row(lock: fresh, readAt: instant)
            }
        }
        let gone = rows.keys.filter { !seen.contains($0) && !skipping.contains($0) }
        for key in gone {
            if var event = apply(key, read: nil, at: instant, serverTime: serverTime) {
                event.source = .scan
                events.append(event)
            }
        }
        forceReleased = forceReleased.filter { rows[$0] != nil }
        return events
    }

    /// Whether a read that found `lock` (`nil`: none) disagrees with the row about whether
    /// there is a lock or who holds it.
    func differs(_ key: ByteKey, from lock: InspectedLock?) -> Bool {
        switch (rows[key], lock) {
        case (nil, nil): false
        case (let row?, let lock?): row.lock.valueDigest != lock.valueDigest
        default: true
        }
    }

    /// Takes a sweep's read of a row it agrees with: the TTL and waiters, read at `instant`
    /// (the rate and holder changes stay).
    mutating func refresh(_ key: ByteKey, from lock: InspectedLock, at instant: ContinuousClock.Instant) {
        guard let row = rows[key] else { return }
        var fresh = lock
        fresh.holderChanges = row.lock.holderChanges
        if fresh.acquisitionsPerSecond == nil { fresh.acquisitionsPerSecond = row.lock.acquisitionsPerSecond }
        rows[key] = Row(lock: fresh, readAt: instant)
    }

    /// The rows not read since `instant`, with where they are.
    func unseen(since instant: ContinuousClock.Instant) -> [(key: ByteKey, placement: LockPlacement?)] {
        zip(rows.keys, rows.values).compactMap { key, row in row.readAt < instant ? (key, row.lock.placement) : nil }
    }

    /// Sets each row's acquisitions per second that `rate` gives for its key's digest.
    mutating func updateRates(_ rate: (Int) -> Double?) {
        for key in rows.keys {
            if let value = rate(key.digest) { rows[key]?.lock.acquisitionsPerSecond = value }
        }
    }

    /// The locks with their TTLs counted down to `instant`.
    func locks(at instant: ContinuousClock.Instant) -> [InspectedLock] {
        var locks: [InspectedLock] = []
        locks.reserveCapacity(rows.count)
        for row in rows.values {
            var lock = row.lock
            if let ttl = row.ttl(at: instant) { lock.ttlMilliseconds = max(ttl, 0) }
            locks.append(lock)
        }
        return locks
    }

    private mutating func vanished(_ key: ByteKey, _ old: Row, at instant: ContinuousClock.Instant) -> LockEvent.Kind {
        if forceReleased.remove(key) != nil { return .forceReleased }
        if let left = old.ttl(at: instant), left <= Self.expiryTolerance { return .expired }
        return .released
    }

    private static func wasExtended(_ old: Row, to new: InspectedLock, at instant: ContinuousClock.Instant) -> Bool {
        switch (old.ttl(at: instant), new.ttlMilliseconds) {
        case (nil, nil): false
        case (let before?, let after?): abs(after - before) > extensionThreshold
        default: true
        }
    }
}
