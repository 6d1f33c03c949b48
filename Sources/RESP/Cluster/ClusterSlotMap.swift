/// Which node serves which hash slot: the client's picture of a cluster's topology, built from
/// `CLUSTER SHARDS` (or `CLUSTER SLOTS`) and patched by `MOVED` replies.
public struct ClusterSlotMap: Sendable, Hashable {
    /// A node as the topology reply describes it.
    public struct Node: Sendable, Hashable {
        /// Where to connect.
        public var endpoint: RedisConfiguration.Endpoint
        /// The 40-character node ID, when the reply names it.
        public var id: String?
        /// `false` when the cluster reports the node as failed (it is skipped when asking for
        /// the topology).
        public var isHealthy: Bool

        /// Makes a node description.
        public init(endpoint: RedisConfiguration.Endpoint, id: String? = nil, isHealthy: Bool = true) {
            self.endpoint = endpoint
            self.id = id
            self.isHealthy = isHealthy
        }
    }

    /// A primary, its replicas and the slots they serve.
    public struct Shard: Sendable, Hashable {
        /// The slot ranges, inclusive at both ends.
        public var slots: [ClosedRange<UInt16>]
        /// The node that takes writes for these slots.
        public var primary: Node
        /// Its replicas.
        public var replicas: [Node]

        /// Makes a shard.
        public init(slots: [ClosedRange<UInt16>], primary: Node, replicas: [Node] = []) {
            self.slots = slots
            self.primary = primary
            self.replicas = replicas
        }
    }

    /// The shards that serve at least one slot.
    public private(set) var shards: [Shard]
    /// For every slot, the index of its shard in ``shards``, or `unassigned`.
    private var owners: [UInt16]
    private static let unassigned = UInt16.max

    /// Builds the lookup table; a slot listed by two shards goes to the later one.
    public init(shards: [Shard]) {
        self.shards = shards
        owners = Array(repeating: Self.unassigned, count: HashSlot.count)
        for (index, shard) in shards.enumerated() {
            for range in shard.slots where Int(range.upperBound) < HashSlot.count {
                for slot in range { owners[Int(slot)] = UInt16(index) }
            }
        }
    }

    /// The primary serving `slot`, or `nil` when no node serves it.
    public func primary(for slot: HashSlot) -> Node? {
        let index = owners[Int(slot.rawValue)]
        return index == Self.unassigned ? nil : shards[Int(index)].primary
    }

    /// The primaries of all shards.
    public var primaries: [Node] { shards.map(\.primary) }

    /// Every node the map knows, primaries first, healthy ones before failed ones.
    public var nodes: [Node] {
        let all = shards.map(\.primary) + shards.flatMap(\.replicas)
        return all.filter(\.isHealthy) + all.filter { !$0.isHealthy }
    }

    /// How many slots some node serves (16384 when the cluster is fully covered).
    public var coveredSlotCount: Int { owners.lazy.filter { $0 != Self.unassigned }.count }

    /// Records a `MOVED`: `slot` is now served by the primary at `endpoint` (a node the map
    /// may not know yet, which then becomes a shard of its own until the next refresh).
    public mutating func assign(_ slot: HashSlot, to endpoint: RedisConfiguration.Endpoint) {
        let index: Int
        if let existing = shards.firstIndex(where: { $0.primary.endpoint == endpoint }) {
            index = existing
        } else {
            shards.append(Shard(slots: [], primary: Node(endpoint: endpoint)))
            index = shards.count - 1
        }
        shards[index].slots.append(slot.rawValue ... slot.rawValue)
        owners[Int(slot.rawValue)] = UInt16(index)
    }
}
