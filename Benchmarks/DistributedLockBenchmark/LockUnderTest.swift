import RedisLock

/// One lock setup under test, reduced to what the workloads do: take a lock (waiting) and
/// release it.
struct LockUnderTest: Sendable {
    /// `single node`, `3-master cluster`, `Redlock over 3`.
    let name: String
    /// Waits up to `wait` for lock `key`; returns a release action.
    let acquire: @Sendable (_ key: String, _ ttl: Duration, _ wait: Duration) async throws -> @Sendable () async -> Void

    /// A `Locker` on one server or on a cluster.
    static func locker(_ name: String, _ locker: Locker) -> LockUnderTest {
        LockUnderTest(name: name) { key, ttl, wait in
            let lease = try await locker.lock(key, ttl: ttl, wait: wait)
            return { _ = try? await locker.unlock(lease) }
        }
    }

    /// A Redlock over independent servers.
    static func redlock(_ name: String, _ redlock: Redlock) -> LockUnderTest {
        LockUnderTest(name: name) { key, ttl, wait in
            let lease = try await redlock.lock(key, ttl: ttl, wait: wait)
            return { await redlock.unlock(lease) }
        }
    }
}
