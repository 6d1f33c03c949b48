/// Reads a node's view of the cluster: `CLUSTER SHARDS`, or `CLUSTER SLOTS` from servers
/// older than Redis 7 that do not know it.
enum ClusterTopologyLoader {
    static func load(from client: RedisClient, endpoint: RedisConfiguration.Endpoint, tls: Bool) async throws(RedisError) -> ClusterSlotMap {
        do {
            return try ClusterSlotMap(shardsReply: try await client.send(RESPCommand("CLUSTER", "SHARDS")), tls: tls)
        } catch where error.code == .serverError && !error.message.contains("cluster support disabled") {
            let reply = try await client.send(RESPCommand("CLUSTER", "SLOTS"))
            return try ClusterSlotMap(slotsReply: reply, currentHost: endpoint.host)
        }
    }
}
