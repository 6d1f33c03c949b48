import Synchronization

/// A lock held on a majority of a ``Redlock``'s independent masters.
///
/// Fencing across independent masters: each node keeps its own counter, so ``fences`` holds
/// one number per node that granted the lock. They are not one monotonic sequence: two
/// acquisitions share at least one node (majorities intersect), and on that node the later
/// fence is higher, but the largest fence of a later acquisition can be smaller than the
/// largest of an earlier one. A resource that needs a strictly increasing token must compare
/// per node (or use a single-node ``Locker`` with persistence for fencing).
public final class RedlockLease: DistributedLease {
    /// The lock's name.
    public let name: String
    /// The token stored on every node.
    public let token: String
    /// The per-node leases, by node index, for the nodes that granted the lock.
    public let nodeLeases: [Int: LockLease]
    /// The fence each granting node returned, by node index.
    public var fences: [Int: Int64] { nodeLeases.mapValues(\.fence) }

    private struct State {
        var validUntil: ContinuousClock.Instant
        var loss: LeaseLoss?
        var released = false
    }

    private let state: Mutex<State>

    init(name: String, token: String, nodeLeases: [Int: LockLease], validUntil: ContinuousClock.Instant) {
        self.name = name
        self.token = token
        self.nodeLeases = nodeLeases
        self.state = Mutex(State(validUntil: validUntil))
    }

    /// The end of the validity measured on the monotonic clock: TTL minus the time the
    /// acquire (or last extend) took minus the drift allowance, from the moment it started.
    public var validUntil: ContinuousClock.Instant { state.withLock { $0.validUntil } }

    /// Why the lease was lost (an extend found that a majority no longer held the lock, or
    /// none succeeded within the validity), once it has been; `nil` while held.
    public var loss: LeaseLoss? { state.withLock { $0.loss } }

    /// Whether the holder has released the lease.
    public var isReleased: Bool { state.withLock { $0.released } }

    func extendValidity(to instant: ContinuousClock.Instant) {
        state.withLock { $0.validUntil = instant }
    }

    /// Records the first loss; later calls, and calls after the release, do nothing.
    func markLost(_ loss: LeaseLoss) {
        state.withLock { state in
            if state.loss == nil, !state.released { state.loss = loss }
        }
    }

    /// Records that the holder released the lease.
    func markReleased() {
        state.withLock { $0.released = true }
    }

    /// `name on nodes [0, 2]`.
    public var description: String { "\(name) on nodes \(nodeLeases.keys.sorted())" }
}

/// The outcome of ``Redlock/tryLock(_:ttl:token:)``.
public enum RedlockAttempt: Sendable {
    /// A majority granted the lock in time.
    case acquired(RedlockLease)
    /// Not acquired; whatever was taken on some nodes has been released on every node.
    case notAcquired(RedlockRefusal)

    /// The lease when acquired, else `nil`.
    public var lease: RedlockLease? {
        if case .acquired(let lease) = self { return lease }
        return nil
    }
}

/// Why a Redlock acquire failed.
public struct RedlockRefusal: Sendable, CustomStringConvertible {
    /// How many nodes granted the lock (all released again).
    public var grantedNodes: Int
    /// How many nodes there are; a majority is `nodes / 2 + 1`.
    public var nodes: Int
    /// Who holds the lock on the nodes that refused, by node index.
    public var holders: [Int: LockHolder]
    /// Nodes that failed or did not answer within the per-node timeout, with the reason.
    public var failures: [Int: String]
    /// Whether a majority granted it but the validity left was not positive.
    public var validityExhausted: Bool

    /// A sentence for logs and errors.
    public var description: String {
        var text = "granted by \(grantedNodes) of \(nodes) nodes (a majority is \(nodes / 2 + 1))"
        if validityExhausted { text += ", but acquiring took longer than the TTL allows" }
        if let holder = holders.sorted(by: { $0.key < $1.key }).first { text += "; held by \(holder.value) on node \(holder.key)" }
        if !failures.isEmpty {
            text += "; failed: " + failures.sorted { $0.key < $1.key }.map { "node \($0.key): \($0.value)" }.joined(separator: ", ")
        }
        return text
    }
}
