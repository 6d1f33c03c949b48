public import NIOCore
public import Logging
import NIOPosix

/// A client for a Redis Cluster: every command goes to the primary that serves its key's hash
/// slot, over one pipelined ``RedisClient`` per node.
///
/// ```swift
/// let cluster = try RedisClusterClient(url: "redis://127.0.0.1:7000,127.0.0.1:7001")
/// try await cluster.send(RESPCommand("SET", "user:{42}:name", "Ada"), routedBy: "user:{42}:name")
/// ```
///
/// The slot map comes from `CLUSTER SHARDS` (`CLUSTER SLOTS` before Redis 7) on first use.
/// `MOVED` updates it and resends; `ASK` resends once to the migration target after `ASKING`.
/// `TRYAGAIN`, `CLUSTERDOWN`, `LOADING` and unreachable nodes are retried with jittered
/// backoff (refreshing the map, so a failover is followed) for up to
/// ``RedisClusterConfiguration/retryBudget``. A command in flight when its connection fails
/// is not retried, as with ``RedisClient``: it may have run.
public final class RedisClusterClient: Sendable {
    /// The seeds, node settings and retry bounds.
    public let configuration: RedisClusterConfiguration
    /// Where the node connections live.
    public let eventLoopGroup: any EventLoopGroup
    /// Where topology changes and connection events are logged.
    public let logger: Logger
    let topology: ClusterTopology

    /// Makes a client; nothing connects until the first command.
    ///
    /// - Throws: ``RedisError/Code/invalidConfiguration`` without seeds, with a database other
    ///   than 0, or with a unix-socket seed.
    public init(
        configuration: RedisClusterConfiguration,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger = Logger(label: "RESP.RedisClusterClient")
    ) throws(RedisError) {
        try configuration.validate()
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.logger = logger
        self.topology = ClusterTopology(configuration: configuration, eventLoopGroup: self.eventLoopGroup, logger: logger)
    }

    /// Makes a client from a seed-list URL; see ``RedisClusterConfiguration/init(url:environment:)-(String,_)``.
    public convenience init(url: String, logger: Logger = Logger(label: "RESP.RedisClusterClient")) throws(RedisError) {
        try self.init(configuration: try RedisClusterConfiguration(url: url), logger: logger)
    }

    /// Calls `handler` whenever the command connection of any node drops or is reopened (a
    /// primary may have restarted or failed over); returns the id for
    /// ``stopObservingConnections(_:)``.
    package func observeConnections(_ handler: @escaping @Sendable () -> Void) -> UInt64 {
        topology.connectionObservers.add(handler)
    }

    /// Stops calling a handler added by ``observeConnections(_:)``.
    package func stopObservingConnections(_ id: UInt64) {
        topology.connectionObservers.remove(id)
    }

    /// Sends `command` to the primary serving `key`'s slot and returns its reply.
    ///
    /// `key` must be the key (or one of the keys, all in one slot) the command touches.
    public func send(_ command: RESPCommand, routedBy key: String, timeout: Duration? = nil) async throws(RedisError) -> RESPToken {
        try await perform(slot: HashSlot(key: key)) { client, asking throws(RedisError) in
            try await client.send(command, asking: asking, timeout: timeout)
        }
    }

    /// Sends the command made of `arguments` (the first is its name) to the primary serving
    /// `key`'s slot: `cluster.send(routedBy: "a", "SET", "a", "1")`.
    @discardableResult
    public func send<each Argument: RESPArgument>(routedBy key: String, _ arguments: repeat each Argument) async throws(RedisError) -> RESPToken {
        try await send(RESPCommand(repeat each arguments), routedBy: key)
    }

    /// Sends a command that touches no key (`PING`, `TIME`, `PUBLISH`, …) to any primary.
    public func send(_ command: RESPCommand, timeout: Duration? = nil) async throws(RedisError) -> RESPToken {
        try await perform(slot: nil) { client, asking throws(RedisError) in
            try await client.send(command, asking: asking, timeout: timeout)
        }
    }

    /// Clients for every primary, after refreshing the map: for commands that must reach each
    /// shard, such as `SCAN` (``RedisClient/scan(match:count:type:)`` on each).
    public func primaries() async throws(RedisError) -> [RedisClient] {
        try await topology.primaryClients()
    }

    /// The slot map as the client currently sees it (loaded if it has none yet).
    public func slotMap() async throws(RedisError) -> ClusterSlotMap {
        try await topology.currentMap()
    }

    /// Asks the cluster for its topology now and returns the new map.
    @discardableResult
    public func refreshTopology() async throws(RedisError) -> ClusterSlotMap {
        try await topology.refresh()
    }

    /// Closes every node connection; later commands fail with ``RedisError/Code/clientShutDown``.
    public func shutdown() async {
        await topology.shutdown()
    }

    /// The slot all `keys` hash to, `nil` for no keys; throws ``RedisError/Code/crossSlot``
    /// before anything is sent when they hash to different slots.
    static func slot(of keys: [String], what: String = "keys") throws(RedisError) -> HashSlot? {
        guard let first = keys.first else { return nil }
        let slot = HashSlot(key: first)
        if let other = keys.dropFirst().first(where: { HashSlot(key: $0) != slot }) {
            throw RedisError(
                .crossSlot,
                "\(what) '\(first)' (slot \(slot)) and '\(other)' (slot \(HashSlot(key: other))) are in different hash slots; give them a common {hash tag}, e.g. '{\(first)}:…'")
        }
        return slot
    }
}
