public import Logging

/// A read-write lock in Redis: many readers or one writer under one name, each with a
/// lease (token, TTL, fence) renewed on its own.
///
/// ```swift
/// let rw = try ReadWriteLocker(backend: try RedisClient(url: "redis://127.0.0.1:6379"))
/// let prices = try await rw.withReadLock("catalog", ttl: .seconds(30), wait: .seconds(10)) { lease in
///     try await catalog.prices()                 // other readers run alongside
/// }
/// try await rw.withWriteLock("catalog", ttl: .seconds(30), wait: .seconds(10)) { lease in
///     try await catalog.replace(prices, fence: lease.fence)   // alone
/// }
/// ```
///
/// A waiting writer stops new readers from entering (its `PREFIX{NAME}:writer-waiting`
/// marker, renewed while it waits), so a stream of readers cannot starve it. A crashed
/// reader's share expires with its own TTL (`PREFIX{NAME}:expiries`). Fencing: each writer
/// bumps `PREFIX{NAME}:fence`; a reader's fence is the last writer's. There is no upgrade: a
/// reader that asks for the write lock of the same name waits for its own share until its
/// wait ends; release the share first.
///
/// Stored as a HASH at `PREFIX{NAME}`: `kind`=`rw`, `mode`=`read`|`write`, `w` = the
/// writer's record, `r:<token>` = each reader's record (``LockRecord`` with `"kind":"rw"`),
/// the key's PTTL = the latest holder expiry.
public final class ReadWriteLocker: Sendable {
    /// The locker whose backend, configuration (prefix, owner, backoffs, renewal) and logger
    /// this lock uses.
    public let locker: Locker
    let core: HolderCore

    /// A read-write lock over `locker`'s backend and configuration; the layout must be
    /// ``LockLayout/record``.
    public init(_ locker: Locker) throws(LockError) {
        self.locker = locker
        self.core = try HolderCore(locker: locker, kindName: "read-write lock")
    }

    /// A read-write lock on `backend` (a ``RESP/RedisClient`` or ``RESP/RedisClusterClient``).
    public convenience init(
        backend: some LockBackend,
        configuration: LockConfiguration = LockConfiguration(),
        logger: Logger = Logger(label: "RedisLock")
    ) throws(LockError) {
        try self.init(Locker(backend: backend, configuration: configuration, logger: logger))
    }

    /// The read side: each lease is one reader's share.
    public var reading: SharedLockView { SharedLockView(core: core, role: .read) }

    /// The write side: the lease is the one writer's.
    public var writing: SharedLockView { SharedLockView(core: core, role: .write) }

    /// Runs `body` holding a read share of `name` (renewed; released afterwards): see
    /// ``DistributedLock/withLock(_:ttl:wait:_:)``.
    public func withReadLock<T: Sendable>(
        _ name: String, ttl: Duration, wait: Duration = .zero, _ body: @Sendable (LockLease) async throws -> T
    ) async throws -> T {
        try await reading.withLock(name, ttl: ttl, wait: wait, body)
    }

    /// Runs `body` holding the write lock of `name` (renewed; released afterwards): see
    /// ``DistributedLock/withLock(_:ttl:wait:_:)``.
    public func withWriteLock<T: Sendable>(
        _ name: String, ttl: Duration, wait: Duration = .zero, _ body: @Sendable (LockLease) async throws -> T
    ) async throws -> T {
        try await writing.withLock(name, ttl: ttl, wait: wait, body)
    }
}
