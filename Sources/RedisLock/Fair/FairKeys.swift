/// The Redis names of one fair lock (the storage contract of issue 16). All share the hash
/// tag `{name}`, so every script runs in one Cluster slot.
///
/// With the default prefix `lock:` the fair lock `orders:42` uses:
/// - `lock:{orders:42}`: the holder's record (`"kind":"fair"`), with the lease's TTL;
/// - `lock:{orders:42}:fence`: the fencing counter (as for ``Locker``), never expiring;
/// - `lock:{orders:42}:queue`: ZSET of waiter tokens by arrival number;
/// - `lock:{orders:42}:queue:seq`: the arrival counter, never expiring;
/// - `lock:{orders:42}:deadlines`: ZSET of waiter tokens by deadline (server ms);
/// - `lock:{orders:42}:waiters`: HASH of waiter token to `GRANT_TTL_MS|TAG|record prefix`,
///   where `TAG` names the waiting locker's grant channel;
/// - `lock:{orders:42}:released`: the channel releases publish on;
/// - `lock:{orders:42}:released:<TAG>`: the channel hand-offs to one locker's waiters
///   publish on, so a hand-off wakes only the process it goes to.
public struct FairKeys: Sendable, Hashable {
    /// The lock, fence and channel names, as for a ``Locker``.
    public let lock: LockKeys
    /// The waiters in arrival order.
    public let queue: String
    /// The arrival counter.
    public let sequence: String
    /// The waiters' deadlines.
    public let deadlines: String
    /// The waiters' record prefixes and hand-off TTLs.
    public let waiters: String

    /// The names of fair lock `name` under `prefix`.
    public init(name: String, prefix: String) {
        lock = LockKeys(name: name, prefix: prefix)
        queue = lock.lock + ":queue"
        sequence = lock.lock + ":queue:seq"
        deadlines = lock.lock + ":deadlines"
        waiters = lock.lock + ":waiters"
    }

    /// The keys every fair-lock script takes, in the order ``FairScripts`` reads them.
    var scriptKeys: [String] {
        [lock.lock, lock.fence, queue, deadlines, waiters, sequence]
    }
}
