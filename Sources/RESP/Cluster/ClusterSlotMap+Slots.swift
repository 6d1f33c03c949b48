extension ClusterSlotMap {
    /// Parses a `CLUSTER SLOTS` reply (the pre-7 form): `[start, end, primary, replica…]` per
    /// range, each node `[host, port, id, …]`. Ranges with the same primary form one shard.
    ///
    /// - Parameter currentHost: the host of the node that answered, used for nodes listed with
    ///   an empty or unknown (`?`, null) host.
    init(slotsReply reply: RESPToken, currentHost: String?) throws(RedisError) {
        var shards: [Shard] = []
        for entry in try Self.elements(of: reply, what: "a CLUSTER SLOTS reply") {
            var parts = try Self.elements(of: entry, what: "a CLUSTER SLOTS range").makeIterator()
            guard let startToken = parts.next(), let endToken = parts.next() else {
                throw entry.unexpected("a CLUSTER SLOTS range [start, end, nodes…]")
            }
            let range = try Self.slotRange(try Int(fromRESP: startToken), try Int(fromRESP: endToken), in: entry)
            var nodes: [Node] = []
            while let nodeToken = parts.next() {
                if let node = try Self.node(fromSlotsEntry: nodeToken, currentHost: currentHost) { nodes.append(node) }
            }
            guard let primary = nodes.first else { continue }
            if let index = shards.firstIndex(where: { $0.primary.endpoint == primary.endpoint }) {
                shards[index].slots.append(range)
            } else {
                shards.append(Shard(slots: [range], primary: primary, replicas: Array(nodes.dropFirst())))
            }
        }
        self.init(shards: shards)
    }

    private static func node(fromSlotsEntry token: RESPToken, currentHost: String?) throws(RedisError) -> Node? {
        var parts = try elements(of: token, what: "a CLUSTER SLOTS node [host, port, id]").makeIterator()
        guard let hostToken = parts.next(), let portToken = parts.next() else {
            throw token.unexpected("a CLUSTER SLOTS node [host, port, id]")
        }
        var host = ""
        if hostToken.value != .null { host = try String(fromRESP: hostToken) }
        if host.isEmpty || host == "?" { host = currentHost ?? "" }
        guard !host.isEmpty else { return nil }
        var id: String?
        if let idToken = parts.next() { id = try String(fromRESP: idToken) }
        return Node(endpoint: .tcp(host: host, port: try Int(fromRESP: portToken)), id: id)
    }
}
