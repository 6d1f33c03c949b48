import NIOCore
import Logging
import Synchronization

/// The cluster client's shared state: the slot map, one ``RedisClient`` per node, and the
/// single topology refresh that may be in flight.
final class ClusterTopology: Sendable {
    private struct State {
        var map: ClusterSlotMap?
        var clients: [RedisConfiguration.Endpoint: RedisClient] = [:]
        var refresh: Task<Result<ClusterSlotMap, RedisError>, Never>?
        var lastRefreshStart: ContinuousClock.Instant?
        var isShutDown = false
    }

    /// Refreshes closer together than this share the previous result.
    static let minimumRefreshInterval: Duration = .milliseconds(100)

    let configuration: RedisClusterConfiguration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    /// Told when any node's command connection drops or is reopened.
    let connectionObservers = ObserverList<@Sendable () -> Void>()
    private let state = Mutex(State())

    init(configuration: RedisClusterConfiguration, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// The client of the node at `endpoint`, made on first use.
    func client(for endpoint: RedisConfiguration.Endpoint) throws(RedisError) -> RedisClient {
        try state.withLock { state throws(RedisError) in
            guard !state.isShutDown else { throw RedisError(.clientShutDown, "the cluster client was shut down") }
            if let client = state.clients[endpoint] { return client }
            let client = RedisClient(
                configuration: configuration.configuration(for: endpoint), eventLoopGroup: eventLoopGroup, logger: logger)
            let observers = connectionObservers
            _ = client.observeConnection { _ in
                for observer in observers.all { observer() }
            }
            state.clients[endpoint] = client
            return client
        }
    }

    /// The primary that serves `slot` (any primary for `nil`), loading the map if there is
    /// none yet; `nil` when the map has no node for the slot.
    func primary(for slot: HashSlot?) async throws(RedisError) -> RedisConfiguration.Endpoint? {
        let map: ClusterSlotMap
        if let current = state.withLock({ $0.map }) {
            map = current
        } else {
            map = try await refresh()
        }
        guard let slot else { return map.primaries.randomElement()?.endpoint }
        return map.primary(for: slot)?.endpoint
    }

    /// The current map, loading it if there is none yet.
    func currentMap() async throws(RedisError) -> ClusterSlotMap {
        if let map = state.withLock({ $0.map }) { return map }
        return try await refresh()
    }

    /// Applies a `MOVED` to the map at once, then refreshes in the background: a moved slot
    /// usually means more have moved.
    func recordMoved(_ redirection: ClusterRedirection) {
        state.withLock { $0.map?.assign(redirection.slot, to: redirection.endpoint) }
        Task { _ = try? await self.refresh() }
    }

    /// Asks the cluster for its topology and installs the new map. Concurrent callers share one
    /// request, and within ``minimumRefreshInterval`` of the last one the current map is reused.
    @discardableResult
    func refresh() async throws(RedisError) -> ClusterSlotMap {
        let next = try state.withLock { state throws(RedisError) -> RefreshStep in
            guard !state.isShutDown else { throw RedisError(.clientShutDown, "the cluster client was shut down") }
            if let running = state.refresh { return .wait(running) }
            if let map = state.map, let started = state.lastRefreshStart,
               ContinuousClock.now - started < Self.minimumRefreshInterval {
                return .ready(map)
            }
            let candidates = Self.candidates(map: state.map, seeds: configuration.seeds)
            let task = Task { await self.fetch(from: candidates) }
            state.refresh = task
            state.lastRefreshStart = .now
            return .wait(task)
        }
        switch next {
        case .ready(let map):
            return map
        case .wait(let task):
            let result = await task.value
            finish(task, with: result)
            return try result.get()
        }
    }

    private enum RefreshStep {
        /// A recent map to use as it is.
        case ready(ClusterSlotMap)
        /// The refresh in flight.
        case wait(Task<Result<ClusterSlotMap, RedisError>, Never>)
    }

    /// Healthy known nodes first (primaries before replicas, shuffled so a hung node does not
    /// always go first), then the seeds.
    static func candidates(map: ClusterSlotMap?, seeds: [RedisConfiguration.Endpoint]) -> [RedisConfiguration.Endpoint] {
        var result: [RedisConfiguration.Endpoint] = []
        if let map {
            let healthy = map.nodes.filter(\.isHealthy)
            result += healthy.filter { node in map.primaries.contains(node) }.map(\.endpoint).shuffled()
            result += healthy.filter { node in !map.primaries.contains(node) }.map(\.endpoint).shuffled()
        }
        for seed in seeds where !result.contains(seed) { result.append(seed) }
        return result
    }

    /// Asks each candidate in turn until one answers with a map that covers some slots.
    private func fetch(from candidates: [RedisConfiguration.Endpoint]) async -> Result<ClusterSlotMap, RedisError> {
        var lastError = RedisError(.connectionFailed, "no cluster node to ask for the topology")
        for endpoint in candidates {
            do throws(RedisError) {
                let map = try await ClusterTopologyLoader.load(
                    from: try client(for: endpoint), endpoint: endpoint, tls: configuration.node.tls != nil)
                if !map.shards.isEmpty { return .success(map) }
                lastError = RedisError(.clusterDown, "\(endpoint) knows no node that serves a slot; is the cluster created (redis-cli --cluster create)?")
            } catch where error.code == .clientShutDown {
                return .failure(error)
            } catch where error.code == .serverError && error.message.contains("cluster support disabled") {
                return .failure(RedisError(
                    .invalidConfiguration,
                    "\(endpoint) is not a cluster node (cluster support disabled); use RedisClient for a standalone server",
                    underlying: error))
            } catch {
                logger.debug("topology refresh failed", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
                lastError = error
            }
        }
        return .failure(lastError)
    }

    /// Ends refresh `task` (once, whoever waited for it first): installs its map and retires
    /// the clients of nodes that are no longer primaries, after a grace period so that commands
    /// in flight on them finish.
    private func finish(_ task: Task<Result<ClusterSlotMap, RedisError>, Never>, with result: Result<ClusterSlotMap, RedisError>) {
        let retired: [RedisClient] = state.withLock { state in
            guard state.refresh == task else { return [] }
            state.refresh = nil
            guard case .success(let map) = result, !state.isShutDown else { return [] }
            let changed = state.map != map
            state.map = map
            guard changed else { return [] }
            let keep = Set(map.primaries.map(\.endpoint))
            let gone = state.clients.keys.filter { !keep.contains($0) && !configuration.seeds.contains($0) }
            return gone.compactMap { state.clients.removeValue(forKey: $0) }
        }
        guard !retired.isEmpty else { return }
        let grace = configuration.node.commandTimeout + .seconds(1)
        Task {
            try? await Task.sleep(for: grace)
            for client in retired { await client.shutdown() }
        }
    }

    /// The clients of every primary, refreshing the map first.
    func primaryClients() async throws(RedisError) -> [RedisClient] {
        let map = try await refresh()
        var clients: [RedisClient] = []
        for node in map.primaries { clients.append(try client(for: node.endpoint)) }
        return clients
    }

    /// Stops refreshing and closes every node connection.
    func shutdown() async {
        let (clients, refresh) = state.withLock { state in
            state.isShutDown = true
            defer { state.clients = [:] }
            return (Array(state.clients.values), state.refresh)
        }
        _ = await refresh?.value
        for client in clients { await client.shutdown() }
    }
}
