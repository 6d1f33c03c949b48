public import Logging
import RESP

/// A counting semaphore in Redis with expiring permits: at most N holders of one name, each
/// with a lease (token, TTL, fence) on one permit, renewed on its own.
///
/// ```swift
/// let semaphore = try Semaphore(backend: try RedisClient(url: "redis://127.0.0.1:6379"))
/// try await semaphore.withPermit(of: 4, "payments-api", ttl: .seconds(30), wait: .seconds(10)) { lease in
///     try await callPaymentsAPI()   // at most 4 of these at once, across every process
/// }
/// try await semaphore.setPermits("payments-api", to: 8)   // at run time
/// ```
///
/// A crashed holder's permit returns when its TTL ends; waiters are woken when a permit
/// returns. The count is stored at `PREFIX{NAME}:permits` by the first acquire (from its
/// `permits` argument) and changed with ``setPermits(_:to:)``, which never drops a holder:
/// after a lowered count, holders above it keep their permits until they release, and new
/// acquires wait. Each permit's fence comes from `PREFIX{NAME}:fence`.
///
/// Stored as a HASH at `PREFIX{NAME}`: `kind`=`semaphore`, `h:<token>` = each holder's record
/// (``LockRecord`` with `"kind":"semaphore"`), the key's PTTL = the latest holder expiry;
/// expiries in the ZSET `PREFIX{NAME}:expiries`.
public final class Semaphore: Sendable {
    /// The locker whose backend, configuration and logger this semaphore uses.
    public let locker: Locker
    let core: HolderCore

    /// A semaphore over `locker`'s backend and configuration; the layout must be
    /// ``LockLayout/record``.
    public init(_ locker: Locker) throws(LockError) {
        self.locker = locker
        self.core = try HolderCore(locker: locker, kindName: "semaphore")
    }

    /// A semaphore on `backend` (a ``RESP/RedisClient`` or ``RESP/RedisClusterClient``).
    public convenience init(
        backend: some LockBackend,
        configuration: LockConfiguration = LockConfiguration(),
        logger: Logger = Logger(label: "RedisLock")
    ) throws(LockError) {
        try self.init(Locker(backend: backend, configuration: configuration, logger: logger))
    }

    /// The lock whose leases are permits of `count` (the count applies when the semaphore
    /// has none stored yet; the stored one wins). A count below 1 is refused when locking.
    public func permits(_ count: Int) -> SharedLockView {
        SharedLockView(core: core, role: .permit(of: count))
    }

    /// Runs `body` holding one permit of `name` (renewed; released afterwards): see
    /// ``DistributedLock/withLock(_:ttl:wait:_:)``.
    public func withPermit<T: Sendable>(
        of count: Int, _ name: String, ttl: Duration, wait: Duration = .zero, _ body: @Sendable (LockLease) async throws -> T
    ) async throws -> T {
        try await permits(count).withLock(name, ttl: ttl, wait: wait, body)
    }

    /// Sets the permit count of `name` to `count` (at least 1) and wakes its waiters;
    /// current holders keep their permits.
    ///
    /// - Returns: the previous count, or `nil` when none was stored.
    @discardableResult
    public func setPermits(_ name: String, to count: Int) async throws(LockError) -> Int? {
        guard count >= 1 else {
            throw LockError(.invalidArgument, "a semaphore needs at least 1 permit, not \(count)")
        }
        let keys = locker.keys(for: name)
        let backend = locker.backend
        do {
            let previous = try await backend.run(
                SemaphoreScripts.setPermits, keys: [keys.permits],
                arguments: [String(count), keys.channel, backend.wakeUpPublishCommand], whenWritten: {}
            ).decode(as: Int.self)
            return previous > 0 ? previous : nil
        } catch {
            throw LockError.from(error, during: "setting the permits of '\(name.escapedForMessages)'")
        }
    }

    /// The stored permit count of `name`, or `nil` before the first acquire.
    public func permitCount(_ name: String) async throws(LockError) -> Int? {
        let keys = locker.keys(for: name)
        do {
            let reply = try await locker.backend.send(RESPCommand("GET", keys.permits), nearKey: keys.permits, timeout: nil)
            return try reply.decode(as: String?.self).flatMap { Int($0) }
        } catch {
            throw LockError.from(error, during: "reading the permits of '\(name.escapedForMessages)'")
        }
    }
}
