import Foundation
import Synchronization

/// A Redis Cluster of real redis-server processes for tests: `masters` primaries that split
/// the 16384 slots (made with `redis-cli --cluster create`), plus replicas added on request.
///
/// Every node is a ``RedisServer`` (private directory, no persistence, 127.0.0.1, free
/// port) with `cluster-enabled yes` and a 2 s `cluster-node-timeout`, so failures are
/// detected in about 3 s. Prefer ``withRedisCluster(masters:isolation:_:)``, which always stops
/// every node.
public final class RedisCluster: Sendable {
    /// The primaries the cluster was created with, in creation order (slot ranges ascending).
    public let masters: [RedisServer]
    private let added: LockedServers

    /// How long a node may be unreachable before the others mark it as failed.
    public static let nodeTimeoutMilliseconds = 2_000

    /// Every node: the masters, then replicas in the order they were added.
    public var nodes: [RedisServer] { masters + added.servers }

    /// `redis://127.0.0.1:P1,127.0.0.1:P2,…` naming every master, for a cluster client.
    public var url: String {
        "redis://" + masters.map { "\($0.host):\($0.port)" }.joined(separator: ",")
    }

    private init(masters: [RedisServer]) {
        self.masters = masters
        self.added = LockedServers()
    }

    /// Starts `masters` cluster-enabled servers, creates the cluster and waits (up to 20 s)
    /// until every node reports `cluster_state:ok`.
    public static func start(masters count: Int = 3) async throws -> RedisCluster {
        var servers: [RedisServer] = []
        do {
            for _ in 0 ..< count { servers.append(try await startNode()) }
            let cluster = RedisCluster(masters: servers)
            let create = try ProcessRunner.run(
                try Executables.redisCLI(),
                ["--cluster", "create"] + servers.map { "\($0.host):\($0.port)" } + ["--cluster-replicas", "0", "--cluster-yes"],
                timeout: .seconds(30))
            guard create.status == 0, !create.timedOut else {
                throw RedisServerError("redis-cli --cluster create failed (exit \(create.status)):\n\(create.combinedOutput)")
            }
            try await cluster.waitUntilHealthy()
            return cluster
        } catch {
            for server in servers { await server.stop() }
            throw error
        }
    }

    /// Starts one cluster-enabled server. Its cluster bus listens on port + 10000, so
    /// redis-server refuses ports above 55535; the free port is drawn again until one fits.
    static func startNode() async throws -> RedisServer {
        var attempts = 0
        while true {
            do {
                return try await RedisServer.start(nodeOptions)
            } catch let error as RedisServerError where error.message.contains("port number too high") && attempts < 20 {
                attempts += 1
            }
        }
    }

    static let nodeOptions = RedisServer.Options(extraConfiguration: [
        "cluster-enabled yes",
        "cluster-config-file nodes.conf",
        "cluster-node-timeout \(nodeTimeoutMilliseconds)",
    ])

    /// Stops every node (SIGTERM, then SIGKILL) and deletes their directories.
    public func stop() async {
        for server in nodes { await server.stop() }
    }

    /// Polls until every running, unpaused node reports `cluster_state:ok` and knows an owner
    /// for all 16384 slots; throws after `limit`.
    public func waitUntilHealthy(limit: Duration = .seconds(20)) async throws {
        try await poll("every node reports cluster_state:ok", limit: limit) {
            try nodes.filter(\.isRunning).allSatisfy { node in
                let info = try node.cli(["CLUSTER", "INFO"])
                return info.contains("cluster_state:ok") && info.contains("cluster_slots_assigned:16384")
            }
        }
    }

    /// Polls until `node` reports `cluster_state:` `state` (`ok` or `fail`); throws after `limit`.
    public func waitForState(_ state: String, on node: RedisServer, limit: Duration = .seconds(20)) async throws {
        try await poll("\(node.port) reports cluster_state:\(state)", limit: limit) {
            try node.cli(["CLUSTER", "INFO"]).split(whereSeparator: \.isNewline).contains { $0 == "cluster_state:\(state)" }
        }
    }

    /// The node ID (`CLUSTER MYID`) of `node`.
    public func nodeID(of node: RedisServer) throws -> String {
        try node.cli(["CLUSTER", "MYID"])
    }

    /// The node that `observer` believes serves `slot` as primary, from its `CLUSTER NODES`.
    public func owner(ofSlot slot: Int, accordingTo observer: RedisServer) throws -> RedisServer? {
        let lines = try observer.cli(["CLUSTER", "NODES"]).split(separator: "\n")
        for line in lines {
            let fields = line.split(separator: " ")
            guard fields.count >= 9, fields[2].contains("master"), !fields[2].contains("fail") else { continue }
            let servesSlot = fields[8...].contains { range in
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                return bounds.count == 1 ? bounds[0] == slot : bounds.count == 2 && (bounds[0] ... bounds[1]).contains(slot)
            }
            guard servesSlot, let port = fields[1].split(separator: "@").first?.split(separator: ":").last.flatMap({ Int($0) })
            else { continue }
            return nodes.first { $0.port == port }
        }
        return nil
    }

    /// Polls `condition` every 50 ms until it holds; throws after `limit`.
    func poll(_ what: String, limit: Duration, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while try !condition() {
            if ContinuousClock.now >= deadline { throw RedisServerError("timed out after \(limit): \(what)") }
            await Polling.sleep(milliseconds: 50)
        }
    }

    func register(_ replica: RedisServer) {
        added.append(replica)
    }
}

/// The nodes added after creation, behind a lock.
private final class LockedServers: Sendable {
    private let storage = Mutex<[RedisServer]>([])
    var servers: [RedisServer] { storage.withLock { $0 } }
    func append(_ server: RedisServer) { storage.withLock { $0.append(server) } }
}
