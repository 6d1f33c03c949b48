public import NIOCore

/// One kind of lease on a ``ReadWriteLocker`` or a ``Semaphore``, as a ``DistributedLock``:
/// ``ReadWriteLocker/reading`` (a read share), ``ReadWriteLocker/writing`` (the write lock),
/// ``Semaphore/permits(_:)`` (one permit of N). ``DistributedLock/withLock(_:ttl:wait:_:)``
/// and ``DistributedLock/keepRenewed(_:ttl:)`` come from the protocol's extension:
///
/// ```swift
/// try await rw.reading.withLock("catalog", ttl: .seconds(30), wait: .seconds(10)) { lease in
///     try await catalog.read(fence: lease.fence)   // the fence of the last writer
/// }
/// ```
///
/// Each lease is one field of the lock's hash with its own expiry, renewed and released on
/// its own: a crashed holder's share or permit returns when its TTL ends.
public struct SharedLockView: DistributedLock {
    let core: HolderCore
    let role: HolderRole

    /// Takes the lease on `name` for `ttl`, waiting up to `wait` (zero: one try). A reader
    /// waits while a writer holds the lock or waits for it; the writer waits while anyone
    /// holds it; a permit waits while every permit is taken.
    ///
    /// - Throws: ``LockError/Code/notAcquired`` (`wait` zero) or
    ///   ``LockError/Code/waitTimedOut``; ``LockError/Code/invalidArgument`` when the key
    ///   holds another kind of lock or the permit count is below 1;
    ///   ``LockError/Code/cancelled``, ``LockError/Code/connectionFailed`` as ``Locker``.
    public func lock(_ name: String, ttl: Duration, wait: Duration, token: String? = nil) async throws(LockError) -> LockLease {
        try await core.lock(name, ttl: ttl, wait: wait, token: token, role: role)
    }

    /// Moves this holder's expiry to now + `ttl` if `lease` still holds its share; never
    /// re-creates an expired one (the lease is then marked lost).
    @discardableResult
    public func extend(_ lease: LockLease, ttl: Duration) async throws(LockError) -> Bool {
        try await core.extend(lease, ttl: ttl, field: role.field(token: lease.token))
    }

    /// Releases this holder's share if `lease` still holds it, and wakes the waiters.
    @discardableResult
    public func unlock(_ lease: LockLease) async throws(LockError) -> Bool {
        try await core.unlock(lease, field: role.field(token: lease.token))
    }

    /// The lock hash's key, `PREFIX{NAME}`.
    public func key(for name: String) -> String {
        core.locker.key(for: name)
    }

    /// ``LeaseFencing/single(_:)``: the writer's and each permit's own fence; a reader's is
    /// the fence of the last writer.
    public func fencing(of lease: LockLease) -> LeaseFencing {
        .single(lease.fence)
    }

    /// As the ``Locker`` underneath: `ttl` × its renewal fraction (at least every second
    /// behind a proxy).
    public func renewalInterval(for ttl: Duration) -> Duration {
        core.locker.renewalInterval(for: ttl)
    }

    /// The backend's event loops.
    public var eventLoopGroup: any EventLoopGroup { core.locker.eventLoopGroup }

    /// Calls `handler` when the backend's connection drops or is reopened.
    public func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? {
        core.locker.observeConnectionChanges(handler)
    }

    /// Counts renewals and losses, and logs a loss, as the ``Locker`` underneath does.
    public func record(_ event: LeaseEvent, of lease: LockLease) {
        core.locker.record(event, of: lease)
    }
}
