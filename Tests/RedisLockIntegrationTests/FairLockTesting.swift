import RESP
import RedisLock
import LockTestSupport

extension ClientPool {
    /// A fair locker on a fresh client (its own connections), with the test servers' risks
    /// accepted.
    func fairLocker(owner: String = "fair-test", waiterDeadline: Duration = .seconds(2)) throws -> (FairLocker, RedisClient) {
        let client = try client()
        let locker = try FairLocker(client: client, configuration: LockConfiguration(owner: owner, acceptedRisks: [.noPersistence]), waiterDeadline: waiterDeadline)
        return (locker, client)
    }
}

extension RedisClient {
    /// The number of members of sorted set `key` (`ZCARD`).
    func zcard(_ key: String) async throws -> Int {
        try await send("ZCARD", key).decode(as: Int.self)
    }

    /// The fair lock's queue, deadlines and waiters sizes, for "the entry is gone" checks.
    func queueSizes(_ keys: FairKeys) async throws -> [Int] {
        [try await zcard(keys.queue), try await zcard(keys.deadlines), try await send("HLEN", keys.waiters).decode(as: Int.self)]
    }
}

/// One critical section of a contender: when it ran, its fence, who ran it.
struct FairSection: Sendable {
    var start: ContinuousClock.Instant
    var end: ContinuousClock.Instant
    var fence: Int64
    var contender: Int
}

/// Overlapping sections and fences that did not increase, in start order.
func overlapsAndInversions(_ sections: [FairSection]) -> (overlaps: Int, inversions: Int) {
    let sorted = sections.sorted { $0.start < $1.start }
    var overlaps = 0
    var inversions = 0
    for (earlier, later) in zip(sorted, sorted.dropFirst()) {
        if later.start <= earlier.end { overlaps += 1 }
        if later.fence <= earlier.fence { inversions += 1 }
    }
    return (overlaps, inversions)
}
