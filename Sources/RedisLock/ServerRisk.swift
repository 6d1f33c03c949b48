/// A server setting that weakens the lock's guarantees, which a ``Locker`` warns about once,
/// at first use. List a risk in ``LockConfiguration/acceptedRisks`` when it is known and
/// accepted (a throwaway server in tests, a cache-only Redis for advisory locks) to keep the
/// logs quiet about it; the others are still warned about.
public enum ServerRisk: String, Sendable, Hashable, CaseIterable {
    /// `maxmemory-policy` other than `noeviction`: lock keys and fence counters can be evicted.
    case eviction
    /// No AOF and no snapshots: a restart loses every lock and resets fence counters.
    case noPersistence
    /// Persistence that can lose recent writes (RDB snapshots only, or `appendfsync` other
    /// than `always`): a crash can lose a lock and roll fence counters back.
    case lossyPersistence
    /// The server is a replica: locks belong on the primary.
    case replica
    /// The server has replicas: a failover can lose a lock just granted.
    case replication
}
