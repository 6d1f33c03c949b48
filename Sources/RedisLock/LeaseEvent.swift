/// What the shared renewal loop and ``DistributedLock/withLock(_:ttl:wait:_:)`` report to
/// the lock through ``DistributedLock/record(_:of:)``.
public enum LeaseEvent: Sendable, Hashable {
    /// An extend succeeded.
    case renewed
    /// The lease is lost, for this reason.
    case lost(LeaseLoss)
    /// `withLock`'s release found the lock no longer held by the lease.
    case goneAtRelease
}
