public import NIOCore

/// ``Redlock``'s side of ``DistributedLock``: ``DistributedLock/withLock(_:ttl:wait:_:)``
/// and ``DistributedLock/keepRenewed(_:ttl:)`` come from the protocol's extension (an extend
/// needs a majority within the lease's validity; one without a majority is retried until
/// the validity ends).
extension Redlock {
    /// The lock key of `name`, the same on every node.
    public func key(for name: String) -> String {
        lockers[0].keys(for: name).lock
    }

    /// ``LeaseFencing/perNode(_:)``: each granting node's fence, by its address, in node
    /// order. The nodes count separately, so there is no single fence.
    public func fencing(of lease: RedlockLease) -> LeaseFencing {
        .perNode(lease.fences.sorted { $0.key < $1.key }.map { node, fence in
            LeaseFencing.NodeFence(node: lockers[node].backend.endpointDescription ?? "node\(node + 1)", fence: fence)
        })
    }

    /// `ttl` × the lockers' ``LockConfiguration/renewalFraction``.
    public func renewalInterval(for ttl: Duration) -> Duration {
        ttl * lockers[0].configuration.renewalFraction
    }

    /// The first node's event loops.
    public var eventLoopGroup: any EventLoopGroup { lockers[0].backend.eventLoopGroup }

    /// A loss marks the lease and is logged as a warning; renewals are counted by each node's
    /// locker.
    public func record(_ event: LeaseEvent, of lease: RedlockLease) {
        guard case .lost(let loss) = event else { return }
        lease.markLost(loss)
        lockers[0].logger.warning("Redlock lease lost", metadata: ["lock": "\(key(for: lease.name).escapedForMessages)", "reason": "\(loss)"])
    }
}
