public import NIOCore

/// A lock that is held under a lease: what ``Locker`` (one server or a cluster), ``Redlock``
/// (a majority of independent servers) and ``LegacyLock`` (the Go lock's layout) have in
/// common, and what every further lock kind conforms to.
///
/// A conforming type provides the primitives: ``lock(_:ttl:wait:token:)``,
/// ``extend(_:ttl:)`` and ``unlock(_:)``, plus a few hooks for renewal. Its extension then
/// gives every lock the same ``withLock(_:ttl:wait:_:)`` and the same renewal loop,
/// ``keepRenewed(_:ttl:)``, which races each extend against the lease's validity:
///
/// ```swift
/// func runExclusively<Lock: DistributedLock>(_ lock: Lock) async throws {
///     try await lock.withLock("orders:42", ttl: .seconds(30), wait: .seconds(10)) { lease in
///         try await process(order)   // cancelled if the lease is lost
///     }
/// }
/// ```
public protocol DistributedLock: Sendable {
    /// What a successful ``lock(_:ttl:wait:token:)`` returns and the other calls take.
    associatedtype Lease: DistributedLease

    /// Takes lock `name` for `ttl`, waiting up to `wait` while someone else holds it (zero:
    /// one try).
    ///
    /// - Parameters:
    ///   - name: the lock's name.
    ///   - ttl: how long the lease lasts unless extended.
    ///   - wait: how long to wait while someone else holds it.
    ///   - token: the caller's token (checked for the lock's layout), or `nil` for
    ///     128 random bits.
    /// - Throws: ``LockError/Code/notAcquired`` (`wait` zero) or
    ///   ``LockError/Code/waitTimedOut`` while held; ``LockError/Code/connectionFailed``,
    ///   ``LockError/Code/cancelled``, ``LockError/Code/invalidArgument``, … as the lock says.
    func lock(_ name: String, ttl: Duration, wait: Duration, token: String?) async throws(LockError) -> Lease

    /// Resets the lock's TTL to `ttl` if `lease` still holds it; never re-creates an expired
    /// lock.
    ///
    /// - Returns: `true` when extended (the lease's validity moves on); `false` when not.
    ///   When the lock is known to be gone the lease is marked lost (``DistributedLease/loss``);
    ///   a `false` without a loss means this try failed and another may succeed.
    func extend(_ lease: Lease, ttl: Duration) async throws(LockError) -> Bool

    /// Releases the lock if `lease` still holds it (by its token: never someone else's lock).
    ///
    /// - Returns: `true` when released; `false` when it was no longer held by `lease`.
    func unlock(_ lease: Lease) async throws(LockError) -> Bool

    /// The Redis key of lock `name`, for messages and for a command's environment.
    func key(for name: String) -> String

    /// The fencing tokens `lease` carries: one, one per node, or none.
    func fencing(of lease: Lease) -> LeaseFencing

    /// How long ``keepRenewed(_:ttl:)`` waits between extends of a lease of `ttl`.
    func renewalInterval(for ttl: Duration) -> Duration

    /// Where the timers of the renewal loop run.
    var eventLoopGroup: any EventLoopGroup { get }

    /// Calls `handler` when a connection the lock relies on drops or is reopened (the server
    /// may have lost the lock), so that renewal verifies the lease at once; returns a closure
    /// that stops the calls, or `nil` when the lock cannot tell. Default: `nil`.
    func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)?

    /// Opens the lock's connections ahead of the first acquire, giving up after `limit`.
    /// Default: nothing (the first command connects).
    func connect(within limit: Duration) async

    /// Told what ``keepRenewed(_:ttl:)`` and ``withLock(_:ttl:wait:_:)`` observed, for the
    /// lock's metrics and logs. On ``LeaseEvent/lost(_:)`` the lock marks `lease` lost with
    /// that reason (so ``DistributedLease/loss`` reports it).
    func record(_ event: LeaseEvent, of lease: Lease)
}

extension DistributedLock {
    /// `nil`: no connection events.
    public func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? { nil }

    /// Nothing: the first command connects.
    public func connect(within limit: Duration) async {}
}
