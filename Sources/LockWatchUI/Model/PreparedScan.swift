import RedisLock

/// What a scan is prepared from: the parts of the state that the O(n) work of applying a scan
/// depends on. Taken on the UI loop when a refresh starts; ``prepare(_:)`` then runs on the
/// refresh task, so sorting 100,000 rows never holds up keys or frames.
struct ScanBasis: Sendable {
    /// How many scans the state had applied (the ceilings and histories below are from then).
    var generation: Int
    var sortColumn: SortColumn
    var sortDirection: SortDirection
    var filter: String
    /// Whether only the rows that need attention are shown.
    var attentionOnly = false
    var ttlCeilings: [ByteKey: Int64]
    var histories: [ByteKey: KeyHistory]
    /// Keys followed whether busy or not (the selected one, the one in the detail view).
    var watchedKeys: [[UInt8]]

    /// Indexes, sorts and filters the scan and updates the TTL ceilings and histories.
    func prepare(_ snapshot: InspectionSnapshot) -> PreparedScan {
        let generation = generation + 1
        let serverTime = snapshot.serverTimeMilliseconds
        let usualHold = Attention.usualHold(of: snapshot.locks, serverTime: serverTime)
        let attention = snapshot.locks.map { lock in
            Attention.of(lock, previousCeiling: ttlCeilings[ByteKey(lock.keyBytes)], usualHold: usualHold, serverTime: serverTime)
        }
        let table = LockTable(
            locks: snapshot.locks, serverTimeMilliseconds: serverTime,
            sort: sortColumn, direction: sortDirection, filter: filter,
            attention: attention, attentionOnly: attentionOnly
        )
        var ceilings: [ByteKey: Int64] = [:]
        ceilings.reserveCapacity(snapshot.locks.count)
        for lock in snapshot.locks {
            guard let ttl = lock.ttlMilliseconds else { continue }
            let key = ByteKey(lock.keyBytes)
            ceilings[key] = max(ttl, ttlCeilings[key] ?? 0)
        }
        var histories = histories
        for lock in snapshot.locks {
            let busy = (lock.waiters ?? 0) > 0 || (lock.acquisitionsPerSecond ?? 0) > 0 || lock.holderChanges > 0
            guard busy || watchedKeys.contains(lock.keyBytes) else { continue }
            Self.record(lock, in: &histories, generation: generation)
        }
        for (key, history) in histories where history.lastSeenGeneration != generation {
            if generation - history.lastSeenGeneration >= KeyHistory.sampleLimit {
                histories[key] = nil
            } else {
                histories[key]?.recordAbsent()
            }
        }
        // The prepared scan keeps what apply checks, not the previous ceilings and histories,
        // so the replaced ones are freed with the replaced table, off the UI thread.
        var basis = self
        basis.ttlCeilings = [:]
        basis.histories = [:]
        return PreparedScan(
            basis: basis, snapshot: snapshot, table: table, ttlCeilings: ceilings, histories: histories,
            usualHoldMilliseconds: usualHold)
    }

    /// Adds `lock`'s sample to its history (a new history only while under the limit).
    static func record(_ lock: InspectedLock, in histories: inout [ByteKey: KeyHistory], generation: Int) {
        let key = ByteKey(lock.keyBytes)
        if histories[key] == nil, histories.count >= DashboardState.historyLimit { return }
        histories[key, default: KeyHistory()].record(
            rate: lock.acquisitionsPerSecond, holder: lock.owner ?? lock.token, generation: generation
        )
    }
}

/// A scan with its O(n) work done, ready for ``DashboardState/apply(prepared:at:)``.
struct PreparedScan: Sendable {
    /// The basis it was prepared from (its generation, sort, filter and watched keys; the
    /// ceilings and histories are left out).
    var basis: ScanBasis
    var snapshot: InspectionSnapshot
    var table: LockTable
    var ttlCeilings: [ByteKey: Int64]
    var histories: [ByteKey: KeyHistory]
    /// The scan's median hold time (ms), when any is known.
    var usualHoldMilliseconds: Int64?
}
