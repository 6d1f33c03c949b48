extension ClusterSlotMap {
    /// Parses a `CLUSTER SHARDS` reply (Redis 7+): RESP3 maps or RESP2 flat key-value arrays.
    ///
    /// Each shard's `master` node is its primary; shards without slots or without a primary are
    /// left out. A node's address is its `endpoint` unless that is empty or `?`, then its `ip`;
    /// its port is `tls-port` when `tls` is set, otherwise `port`.
    init(shardsReply reply: RESPToken, tls: Bool) throws(RedisError) {
        var shards: [Shard] = []
        for shardToken in try Self.elements(of: reply, what: "a CLUSTER SHARDS reply") {
            let fields = try Self.fields(of: shardToken, what: "a CLUSTER SHARDS entry")
            guard let slotsToken = fields["slots"], let nodesToken = fields["nodes"] else {
                throw shardToken.unexpected("a CLUSTER SHARDS entry with slots and nodes")
            }
            let bounds = try [Int](fromRESP: slotsToken)
            guard bounds.count.isMultiple(of: 2) else { throw slotsToken.unexpected("pairs of slot numbers") }
            var ranges: [ClosedRange<UInt16>] = []
            for pair in stride(from: 0, to: bounds.count, by: 2) {
                ranges.append(try Self.slotRange(bounds[pair], bounds[pair + 1], in: slotsToken))
            }
            var primary: Node?
            var replicas: [Node] = []
            for nodeToken in try Self.elements(of: nodesToken, what: "a list of shard nodes") {
                let node = try Self.fields(of: nodeToken, what: "a CLUSTER SHARDS node")
                guard let parsed = try Self.node(from: node, tls: tls) else { continue }
                if let role = node["role"], try String(fromRESP: role) == "master" {
                    primary = parsed
                } else {
                    replicas.append(parsed)
                }
            }
            guard let primary, !ranges.isEmpty else { continue }
            shards.append(Shard(slots: ranges, primary: primary, replicas: replicas))
        }
        self.init(shards: shards)
    }

    private static func node(from fields: [String: RESPToken], tls: Bool) throws(RedisError) -> Node? {
        func text(_ key: String) throws(RedisError) -> String? {
            guard let token = fields[key], token.value != .null else { return nil }
            return try String(fromRESP: token)
        }
        var host = try text("endpoint")
        if host == nil || host == "" || host == "?" { host = try text("ip") }
        guard let host, !host.isEmpty, host != "?",
              let portToken = fields[tls ? "tls-port" : "port"] else { return nil }
        let port = try Int(fromRESP: portToken)
        return Node(endpoint: .tcp(host: host, port: port), id: try text("id"), isHealthy: try text("health") ?? "online" == "online")
    }

    /// The elements of an array or set.
    static func elements(of token: RESPToken, what: String) throws(RedisError) -> RESPToken.Array {
        switch token.value {
        case .array(let elements), .set(let elements): return elements
        default: throw token.unexpected(what)
        }
    }

    /// A RESP3 map or a RESP2 array of alternating names and values, keyed by name.
    static func fields(of token: RESPToken, what: String) throws(RedisError) -> [String: RESPToken] {
        var fields: [String: RESPToken] = [:]
        switch token.value {
        case .map(let pairs):
            for (key, value) in pairs {
                let name = try String(fromRESP: key)
                fields[name] = value
            }
        case .array(let items) where items.count.isMultiple(of: 2):
            var iterator = items.makeIterator()
            while let key = iterator.next(), let value = iterator.next() {
                let name = try String(fromRESP: key)
                fields[name] = value
            }
        default:
            throw token.unexpected(what)
        }
        return fields
    }

    /// `start ... end`, checked to lie within the 16384 slots.
    static func slotRange(_ start: Int, _ end: Int, in token: RESPToken) throws(RedisError) -> ClosedRange<UInt16> {
        guard 0 <= start, start <= end, end < HashSlot.count else {
            throw token.unexpected("a slot range within 0...16383")
        }
        return UInt16(start) ... UInt16(end)
    }
}
