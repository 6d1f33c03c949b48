import Logging
import RESP
import RedisLock

/// What a command points at: one server (a Sentinel URL included), a Redis Cluster, or the
/// independent servers of a Redlock set.
enum RedisTarget {
    case single(RedisConfiguration)
    case cluster(RedisClusterConfiguration)
    case redlock([RedisConfiguration])

    /// Whether `url` lists several hosts (`redis://h1:p1,h2:p2`): a cluster's seeds. A Sentinel
    /// URL lists sentinels, not servers, and is not one; nor is a URL that does not parse.
    static func isSeedList(_ url: String) -> Bool {
        (try? RedisURL(parsing: url))?.isSeedList ?? false
    }

    /// Connects and returns the servers. With `probeUntil`, the server (a cluster: one of its
    /// seeds) must first answer a probe (see ``ConnectionProbe``), tried again until then; a
    /// failure is printed as one line and thrown as its exit code. Without it (the dashboard,
    /// which reconnects by itself) clients connect on first use.
    ///
    /// A single server that says it is a cluster node (`cluster_enabled:1`) is taken as the
    /// cluster's seed, so no command sees only a third of the locks; when it cannot be asked,
    /// it stays one server and the first real command reports why.
    func connect(logger: Logger = LogSetup.connectionLogger, probeUntil deadline: ContinuousClock.Instant? = .now) async throws -> Connected {
        switch self {
        case .single(let configuration):
            let client = RedisClient(configuration: configuration, logger: logger)
            let isClusterNode: Bool
            if let deadline {
                do {
                    isClusterNode = try await Self.probe([configuration], until: deadline, logger: logger).isClusterNode
                } catch {
                    await client.shutdown()
                    throw error
                }
            } else {
                isClusterNode = await Self.isClusterNode(client)
            }
            if isClusterNode, case .tcp = configuration.endpoint {
                var cluster = RedisClusterConfiguration(seeds: [configuration.endpoint], node: configuration)
                cluster.node.database = 0
                if let clusterClient = try? RedisClusterClient(configuration: cluster, logger: logger) {
                    await client.shutdown()
                    return Connected(servers: .cluster(clusterClient), description: "cluster via \(configuration.redactedURL)")
                }
            }
            return Connected(servers: .single(client), description: configuration.redactedURL)
        case .cluster(let configuration):
            if let deadline {
                let seeds = configuration.seeds.map { seed in
                    var node = configuration.node
                    node.endpoint = seed
                    node.database = 0
                    return node
                }
                _ = try await Self.probe(seeds, until: deadline, logger: logger)
            }
            // Validated when the options were parsed.
            let client = try! RedisClusterClient(configuration: configuration, logger: logger)
            let seeds = configuration.seeds.map(\.description).joined(separator: ",")
            return Connected(servers: .cluster(client), description: "cluster \(seeds)")
        case .redlock(let configurations):
            // No probe: a Redlock set works with a majority, and each command says which nodes
            // did not answer.
            let clients = configurations.map { RedisClient(configuration: $0, logger: logger) }
            return Connected(servers: .redlock(clients), description: "Redlock set of \(clients.count): " + configurations.map(\.endpoint.description).joined(separator: ","))
        }
    }

    /// Probes; on failure prints the one line and throws the exit code.
    private static func probe(_ configurations: [RedisConfiguration], until deadline: ContinuousClock.Instant, logger: Logger) async throws -> ConnectionProbe.Reached {
        switch await ConnectionProbe.reach(configurations, until: deadline, logger: logger) {
        case .success(let reached): return reached
        case .failure(let failure): throw failure.report()
        }
    }

    /// Asks a client that has not connected yet (without a probe).
    private static func isClusterNode(_ client: RedisClient) async -> Bool {
        guard let info = try? await client.send("INFO", "cluster").decode(as: String.self) else { return false }
        return info.contains("cluster_enabled:1")
    }
}

/// The servers a command talks to, and how to name them.
struct Connected: Sendable {
    let servers: LockInspector.Deployment
    /// For headers and messages (no password).
    let description: String

    /// The first server's configuration (user name for the header).
    var firstConfiguration: RedisConfiguration {
        switch servers {
        case .single(let client): client.configuration
        case .cluster(let cluster): cluster.configuration.node
        case .redlock(let clients): clients[0].configuration
        }
    }

    /// The server for messages about a connection: `host:port` of a single server, else
    /// ``description``.
    var endpointDescription: String {
        if case .single(let client) = servers { return client.configuration.endpoint.description }
        return description
    }

    /// Closes every connection.
    func shutdown() async {
        switch servers {
        case .single(let client): await client.shutdown()
        case .cluster(let cluster): await cluster.shutdown()
        case .redlock(let clients): for client in clients { await client.shutdown() }
        }
    }
}
