public import NIOCore

/// ``FairLocker``'s side of ``DistributedLock``: ``DistributedLock/withLock(_:ttl:wait:_:)``
/// and ``DistributedLock/keepRenewed(_:ttl:)`` come from the protocol's extension.
extension FairLocker {
    /// The lock key of `name`.
    public func key(for name: String) -> String {
        keys(for: name).lock.lock
    }

    /// ``LeaseFencing/single(_:)`` with the lease's fence.
    public func fencing(of lease: LockLease) -> LeaseFencing {
        .single(lease.fence)
    }

    /// As ``Locker/renewalInterval(for:)``.
    public func renewalInterval(for ttl: Duration) -> Duration {
        base.renewalInterval(for: ttl)
    }

    /// The backend's event loops.
    public var eventLoopGroup: any EventLoopGroup { backend.eventLoopGroup }

    /// Calls `handler` when the backend's connection drops or is reopened.
    public func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? {
        base.observeConnectionChanges(handler)
    }

    /// As ``Locker/record(_:of:)``: counts renewals and losses; a loss marks the lease and is
    /// logged as a warning.
    public func record(_ event: LeaseEvent, of lease: LockLease) {
        base.record(event, of: lease)
    }
}
