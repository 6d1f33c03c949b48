/// A lease on a ``DistributedLock``: the token it holds the lock with and how long it is
/// known to be valid. Leases are shared references: a loss found by renewal shows in every
/// copy.
public protocol DistributedLease: AnyObject, Sendable, CustomStringConvertible {
    /// The lock's name.
    var name: String { get }
    /// The token the lock is held with.
    var token: String { get }
    /// Until when the lease is known to be valid, on this process's monotonic clock.
    var validUntil: ContinuousClock.Instant { get }
    /// Why the lease was lost, once it has been; `nil` while held.
    var loss: LeaseLoss? { get }
    /// Whether the holder has released the lease (renewal then stops).
    var isReleased: Bool { get }
}

extension DistributedLease {
    /// Whether the lease is neither lost nor past its validity.
    public var isValid: Bool { loss == nil && ContinuousClock.now < validUntil }

    /// Whether the lease is known to be lost.
    public var isLost: Bool { loss != nil }
}
