/// Where a lock lives when the inspector watches several servers. Indirect, so a row holds
/// one pointer (shared by every lock of a node) rather than the payload.
public indirect enum LockPlacement: Sendable, Hashable {
    /// On this primary of a Redis Cluster (its address).
    case node(String)
    /// On some nodes of a Redlock set: each node's copy.
    case copies(RedlockCopies)

    /// The node's address, or for a Redlock lock "held on / of" nodes (`2/3`, with `≠` when
    /// different nodes have different holders).
    public var summary: String {
        switch self {
        case .node(let address): address
        case .copies(let copies): copies.summary
        }
    }
}

/// A Redlock lock as each node of the set holds it.
public struct RedlockCopies: Sendable, Hashable {
    /// One node's copy of the lock.
    public struct Copy: Sendable, Hashable {
        /// The node's position in the set (as given).
        public var node: Int
        /// The node's address.
        public var address: String
        /// The raw value on that node.
        public var value: [UInt8]
        /// The holder's token there (the value itself for formats without one).
        public var token: String?
        /// Its time to live there; `nil` when it has none.
        public var ttlMilliseconds: Int64?
        /// The node's fencing token for it, when the value carries one (per node: fences of
        /// different nodes are not one sequence).
        public var fence: Int64?
        /// A hash's exact fields there; `nil` for other types.
        public var hashFields: [HashField]?

        /// Who holds this copy: its token, else its value (as ``InspectedLock/holder``).
        public var holder: [UInt8] { token.map { Array($0.utf8) } ?? value }

        /// Makes a copy.
        public init(
            node: Int, address: String, value: [UInt8], token: String?, ttlMilliseconds: Int64?, fence: Int64?,
            hashFields: [HashField]? = nil
        ) {
            self.node = node
            self.address = address
            self.value = value
            self.token = token
            self.ttlMilliseconds = ttlMilliseconds
            self.fence = fence
            self.hashFields = hashFields
        }
    }

    /// How many nodes the set has.
    public var nodeCount: Int
    /// The nodes holding the key, by node position.
    public var copies: [Copy]

    /// Makes the copies of one key.
    public init(nodeCount: Int, copies: [Copy]) {
        self.nodeCount = nodeCount
        self.copies = copies.sorted { $0.node < $1.node }
    }

    /// The majority a Redlock needs: N/2 + 1.
    public var quorum: Int { nodeCount / 2 + 1 }

    /// Whether every copy has the same holder (same token, or same value where there is none).
    public var holdersAgree: Bool { copies.allSatisfy { $0.holder == copies.first?.holder } }

    /// How many nodes the most common holder has: its share of the set.
    public var majorityCount: Int {
        Dictionary(grouping: copies, by: \.holder).values.map(\.count).max() ?? 0
    }

    /// Whether one holder has a quorum of nodes, i.e. the lock is really held.
    public var hasQuorum: Bool { majorityCount >= quorum }

    /// "2/3", with "≠" when the copies have different holders.
    public var summary: String { "\(copies.count)/\(nodeCount)" + (holdersAgree ? "" : "≠") }
}
