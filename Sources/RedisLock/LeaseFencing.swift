/// The fencing tokens of a lease: what the protected resource compares.
public enum LeaseFencing: Sendable, Hashable {
    /// No fence: the Go lock's layout keeps no counter.
    case none
    /// One fence, strictly greater than every earlier acquisition's.
    case single(Int64)
    /// One fence per node that granted the lock (a ``Redlock``), by the node's address;
    /// compare them per node.
    case perNode([NodeFence])

    /// The fence one node returned.
    public struct NodeFence: Sendable, Hashable {
        /// The node's address (`host:port`), or `nodeN` when unknown.
        public var node: String
        /// Its fence.
        public var fence: Int64

        /// Makes a node's fence.
        public init(node: String, fence: Int64) {
            self.node = node
            self.fence = fence
        }
    }
}
