public import NIOCore

/// ``Locker``'s side of ``DistributedLock``: ``DistributedLock/withLock(_:ttl:wait:_:)`` and
/// ``DistributedLock/keepRenewed(_:ttl:)`` come from the protocol's extension.
extension Locker {
    /// The lock key of `name` (``LockKeys/lock``).
    public func key(for name: String) -> String {
        keys(for: name).lock
    }

    /// ``LeaseFencing/single(_:)`` with the lease's fence; ``LeaseFencing/none`` in the
    /// legacy (Go) layout, which keeps no fence counter.
    public func fencing(of lease: LockLease) -> LeaseFencing {
        configuration.layout == .legacy ? .none : .single(lease.fence)
    }

    /// `ttl` × ``LockConfiguration/renewalFraction``. Behind a proxy (Codis, twemproxy) a
    /// backend's restart does not drop the client's connection, so there the lease is renewed
    /// at least every second instead.
    public func renewalInterval(for ttl: Duration) -> Duration {
        backend.renewalInterval(for: ttl, fraction: configuration.renewalFraction)
    }

    /// The backend's event loops.
    public var eventLoopGroup: any EventLoopGroup { backend.eventLoopGroup }

    /// Calls `handler` when the backend's connection drops or is reopened (one observer of
    /// the backend per locker, shared by every renewal loop).
    public func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? {
        let id = renewalWakeUps.add(handler)
        return { self.renewalWakeUps.remove(id) }
    }

    /// Counts renewals and losses (swift-metrics); a loss marks the lease and is logged as a
    /// warning.
    public func record(_ event: LeaseEvent, of lease: LockLease) {
        switch event {
        case .renewed:
            metrics.renewals.increment()
        case .lost(let loss):
            lease.markLost(loss)
            metrics.leaseLosses.increment()
            logger.warning("lease lost", metadata: ["lock": "\(lease.keys.lock.escapedForMessages)", "fence": "\(lease.fence)", "reason": "\(loss)"])
        case .goneAtRelease:
            metrics.leaseLosses.increment()
        }
    }
}
