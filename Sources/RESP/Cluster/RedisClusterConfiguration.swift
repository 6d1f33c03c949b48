/// Everything a ``RedisClusterClient`` needs: where to learn the topology from, how to talk to
/// every node, and how long to keep retrying while the cluster reshapes itself.
///
/// ```swift
/// let configuration = try RedisClusterConfiguration(url: "redis://127.0.0.1:7000,127.0.0.1:7001")
/// let cluster = RedisClusterClient(configuration: configuration)
/// ```
public struct RedisClusterConfiguration: Sendable, Hashable {
    /// Nodes to ask for the topology when the client starts (any one reachable node suffices).
    public var seeds: [RedisConfiguration.Endpoint]
    /// The settings of every node connection (TLS, credentials, timeouts, limits); its
    /// ``RedisConfiguration/endpoint`` is replaced by each node's address and its database
    /// must be 0 (a cluster has no other).
    public var node: RedisConfiguration
    /// How many `MOVED`/`ASK` hops one command may take before it fails with
    /// ``RedisError/Code/clusterDown`` (a guard against redirection loops during resharding).
    public var maxRedirects: Int
    /// How long one command keeps being retried while the cluster answers `CLUSTERDOWN`,
    /// `TRYAGAIN` or `LOADING`, or its node cannot be reached (a failover takes about the
    /// cluster's `cluster-node-timeout` plus a second).
    public var retryBudget: Duration
    /// The shortest and longest pause between those retries (exponential with full jitter).
    public var retryBackoff: ClosedRange<Duration>

    /// Makes a configuration.
    ///
    /// - Parameters:
    ///   - seeds: at least one node of the cluster.
    ///   - node: connection settings for every node; its endpoint is ignored.
    ///   - maxRedirects: how many `MOVED`/`ASK` redirections one command may follow.
    ///   - retryBudget: how long a command may keep retrying while the cluster is unavailable.
    ///   - retryBackoff: the shortest and longest pause between those retries.
    public init(
        seeds: [RedisConfiguration.Endpoint],
        node: RedisConfiguration? = nil,
        maxRedirects: Int = 5,
        retryBudget: Duration = .seconds(5),
        retryBackoff: ClosedRange<Duration> = .milliseconds(10) ... .milliseconds(500)
    ) {
        self.seeds = seeds
        self.node = node ?? RedisConfiguration(endpoint: seeds.first ?? .tcp(host: "127.0.0.1", port: 6379))
        self.maxRedirects = maxRedirects
        self.retryBudget = retryBudget
        self.retryBackoff = retryBackoff
    }

    /// The connection settings for the node at `endpoint`.
    func configuration(for endpoint: RedisConfiguration.Endpoint) -> RedisConfiguration {
        var configuration = node
        configuration.endpoint = endpoint
        return configuration
    }

    /// Throws ``RedisError/Code/invalidConfiguration`` for settings a cluster cannot use.
    func validate() throws(RedisError) {
        guard !seeds.isEmpty else {
            throw RedisError(.invalidConfiguration, "a cluster configuration needs at least one seed node")
        }
        guard node.database == 0 else {
            throw RedisError(.invalidConfiguration, "Redis Cluster has only database 0; remove the database (/\(node.database)) from the configuration")
        }
        for seed in seeds {
            if case .unixSocket = seed {
                throw RedisError(.invalidConfiguration, "cluster nodes are reached over TCP; seed \(seed) is a unix socket")
            }
        }
        guard maxRedirects >= 0, retryBudget >= .zero, retryBackoff.lowerBound >= .zero else {
            throw RedisError(.invalidConfiguration, "maxRedirects, retryBudget and retryBackoff must not be negative")
        }
    }
}
