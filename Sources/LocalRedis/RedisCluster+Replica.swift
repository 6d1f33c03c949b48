extension RedisCluster {
    /// Starts a new node, makes it a replica of `master` and waits until its replication link
    /// is up and every node lists it.
    @discardableResult
    public func addReplica(of master: RedisServer) async throws -> RedisServer {
        let replica = try await Self.startNode()
        register(replica)
        let masterID = try nodeID(of: master)
        _ = try replica.cli(["CLUSTER", "MEET", master.host, String(master.port)])
        try await poll("the new node learns of master \(master.port)", limit: .seconds(10)) {
            try replica.cli(["CLUSTER", "NODES"]).contains(masterID)
        }
        let reply = try replica.cli(["CLUSTER", "REPLICATE", masterID])
        guard reply == "OK" else { throw RedisServerError("CLUSTER REPLICATE \(masterID) answered: \(reply)") }
        try await poll("replica \(replica.port) syncs from \(master.port)", limit: .seconds(10)) {
            try replica.cli(["INFO", "replication"]).contains("master_link_status:up")
        }
        let replicaID = try nodeID(of: replica)
        try await poll("every node lists replica \(replica.port)", limit: .seconds(10)) {
            try masters.allSatisfy { try $0.cli(["CLUSTER", "NODES"]).contains(replicaID) }
        }
        return replica
    }
}
