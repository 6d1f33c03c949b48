public import RESP
import NIOCore
import Synchronization

/// Finds the locks under a prefix or glob and decodes them, for the dashboard and `list`: on
/// one server, on every primary of a Redis Cluster, or on every node of a Redlock set.
///
/// One refresh of one server: `TIME`; `SCAN MATCH … COUNT …` (never `KEYS`); for every batch
/// of keys found, one `MGET` and a `PTTL` per lock key, pipelined (hashes, nil in the MGET, get
/// `HGETALL` in a second batch); one `PUBSUB NUMSUB` per batch of wake-up channels. No per-key
/// round trips: a refresh costs about (keys ÷ SCAN count) + 2 round trips (the reads ride
/// along with the SCANs), and it reports the exact command count. The next batch is sent as
/// soon as a reply arrives, before its values are decoded, so the server scans while this
/// process decodes.
///
/// A cluster's primaries are scanned side by side (SCAN sees only the node it runs on; each key
/// gets its own `GET` there, as an `MGET` across slots is refused), and each lock says which
/// node holds it. A Redlock set's nodes are scanned side by side too, and each key becomes one
/// row that says on how many nodes it is held and whether they have one holder
/// (``LockPlacement/copies(_:)``). When some nodes do not answer, the refresh shows the others
/// and names the missing ones in ``InspectionSnapshot/unreachableNodes``.
///
/// Through a proxy (Codis, twemproxy) the keys are listed without `SCAN`: Codis's `SLOTSSCAN`
/// over its 1024 slots, or `SCAN` on the backends in ``scanNodes`` (required for twemproxy);
/// the values are read through the proxy, ages use this machine's clock and waiters are unknown
/// (``InspectionSnapshot/conditions``).
public final class LockInspector: Sendable {
    /// How the servers holding the locks are deployed: one server, a cluster, or a Redlock
    /// set of independent nodes.
    public enum Deployment: Sendable {
        /// One server (or the master a Sentinel URL names).
        case single(RedisClient)
        /// Every primary of a Redis Cluster.
        case cluster(RedisClusterClient)
        /// The independent nodes of a Redlock set, in order.
        case redlock([RedisClient])
    }

    /// Where the locks are.
    public let servers: Deployment
    /// Which keys.
    public let selection: Selection
    /// The SCAN COUNT hint.
    public let scanCount: Int
    /// Keys read per pipelined batch.
    public let batchSize: Int
    /// The servers behind a proxy whose keys are listed with `SCAN` directly (each listed
    /// once, side by side), while the values are read through the proxy: twemproxy's
    /// backends, or Codis's codis-servers instead of `SLOTSSCAN` through the proxy. Only
    /// with ``Deployment/single(_:)``; empty: list through the server itself.
    public let scanNodes: [RedisClient]
    private let history = Mutex(InspectorHistory())
    /// How many locks each node's previous scan found, to size the next one's rows.
    private let previousLockCounts = Mutex<[Int]>([])
    /// Whether a server refused `MGET`: later scans read each value with `GET` from the start.
    private let mgetRefused = Mutex(false)

    /// Makes an inspector of the locks on `servers`.
    public init(servers: Deployment, selection: Selection, scanCount: Int = 1000, batchSize: Int = 512, scanNodes: [RedisClient] = []) {
        self.servers = servers
        self.selection = selection
        self.scanCount = max(scanCount, 10)
        self.batchSize = max(batchSize, 1)
        self.scanNodes = scanNodes
    }

    /// The proxy in front of the server (``Deployment/single(_:)``), `.none` for Redis itself
    /// and for a cluster or Redlock set, `nil` before the first connection.
    public var proxyKind: RedisProxyKind? {
        if case .single(let client) = servers { return client.proxyKind }
        return RedisProxyKind.none
    }

    /// The error of a scan through twemproxy without ``scanNodes``: it has no way to list keys.
    public static let scanNodesRequired = RedisError(
        .invalidConfiguration,
        "twemproxy cannot list keys (it has no SCAN): give each backend redis-server of its pool with --scan-node URL "
            + "(repeatable); the values are still read through the proxy")

    /// What a scan will have to do without, known before it starts (the server is connected
    /// to first, which detects a proxy): through a proxy ages are local and waiters unknown.
    /// `list` marks its rows with it as they stream out.
    public func expectedConditions() async -> ScanConditions {
        if case .single(let client) = servers { _ = try? await client.connection() }
        let proxy = proxyKind
        let throughProxy = proxy.map { $0 != .none } ?? false
        return ScanConditions(proxy: proxy, clockIsLocal: throughProxy, waitersUnknown: throughProxy)
    }

    /// Makes an inspector of the locks on one server.
    public convenience init(client: RedisClient, selection: Selection, scanCount: Int = 1000, batchSize: Int = 512) {
        self.init(servers: .single(client), selection: selection, scanCount: scanCount, batchSize: batchSize)
    }

    /// The clients whose keyspace notifications cover the watched locks: the server, or every
    /// primary of a cluster. None for a Redlock set, whose expiries come from the scans (one
    /// node's copy expiring does not end a lock held on a majority).
    public func notificationClients() async throws(RedisError) -> [RedisClient] {
        switch servers {
        case .single(let client): [client]
        case .cluster(let cluster): try await cluster.primaries()
        case .redlock: []
        }
    }

    /// Scans once and returns every lock with the events since the previous refresh.
    ///
    /// - Parameter tolerance: how late after its TTL a vanished lock still counts as expired
    ///   rather than released (use the refresh interval).
    /// - Throws: the first node's error when no node answered.
    public func refresh(tolerance: Duration = .seconds(1)) async throws(RedisError) -> InspectionSnapshot {
        let clock = ContinuousClock()
        let start = clock.now
        var (scanners, topologyCommands) = try await scanners()
        previousLockCounts.withLock { counts in
            guard counts.count == scanners.count else { return }
            for index in scanners.indices { scanners[index].expectedLocks = counts[index] }
        }
        let results = await Self.everyNode(scanners) { scanner throws(RedisError) in try await scanner.scan() }
        let counts = results.map { (try? $0.get())?.locks.count ?? 0 }
        previousLockCounts.withLock { $0 = counts }
        if results.contains(where: { (try? $0.get())?.getsEachKey == true }) { mgetRefused.withLock { $0 = true } }
        var merged = try merge(results, scanners: scanners)
        let toleranceMilliseconds = tolerance.milliseconds
        let complete = merged.unreachable.isEmpty
        let events = history.withLock { history in
            history.update(
                &merged.scan.locks, fenceValues: merged.scan.fenceValues, serverTime: merged.scan.serverTime, at: start,
                tolerance: toleranceMilliseconds, complete: complete)
        }
        var snapshot = InspectionSnapshot(
            locks: merged.scan.locks, events: events, serverTimeMilliseconds: merged.scan.serverTime,
            scannedKeys: merged.scan.scannedKeys, commandCount: merged.scan.commands + topologyCommands,
            roundTrips: merged.scan.roundTrips, duration: clock.now - start, unreachableNodes: merged.unreachable,
            notes: merged.scan.notes)
        snapshot.conditions = merged.conditions
        return snapshot
    }

    /// Reads and decodes specific keys (no SCAN), e.g. the one an operator is about to
    /// release. Keys that do not exist, helper keys and other types are left out.
    public func inspect(keys: [[UInt8]]) async throws(RedisError) -> [InspectedLock] {
        var (scanners, _) = try await scanners()
        if !scanNodes.isEmpty { scanners = Array(scanners.prefix(1)) }  // all read through the same proxy
        let results = await Self.everyNode(scanners) { scanner throws(RedisError) in try await scanner.read(keys) }
        return try merge(results, scanners: scanners).scan.locks
    }

    /// Remembers that this process force-released `key`, so the next refresh reports it so.
    public func noteForceRelease(_ key: [UInt8]) {
        history.withLock { $0.noteForceRelease(key) }
    }

    /// Remembers that `key` expired, from a keyspace notification that arrived at `instant`,
    /// and returns the event to show for it now (dated on the server's clock, with the holder
    /// the last scan saw). Later refreshes do not report that expiry again. `nil` for keys
    /// outside the selection, helper keys, and before the first refresh.
    public func noteExpired(_ key: [UInt8], at instant: ContinuousClock.Instant = .now) -> LockEvent? {
        guard selection.matches(key) else { return nil }
        return history.withLock { $0.noteExpired(key, at: instant) }
    }

    /// One scanner per server, and the commands spent finding them (a cluster's `CLUSTER SHARDS`).
    func scanners() async throws(RedisError) -> ([NodeScanner], Int) {
        let getsEachKey = mgetRefused.withLock { $0 }
        func scanner(_ client: RedisClient, labelled: Bool, _ mode: NodeScanner.Mode) -> NodeScanner {
            NodeScanner(
                client: client, label: labelled ? client.configuration.endpoint.description : nil, mode: mode,
                selection: selection, scanCount: scanCount, batchSize: batchSize, getsEachKey: getsEachKey)
        }
        switch servers {
        case .single(let client) where !scanNodes.isEmpty:
            // One scanner per backend: it lists there and reads through the proxy.
            return (scanNodes.map { node in
                var nodeScanner = scanner(client, labelled: false, .standalone)
                nodeScanner.listingClient = node
                return nodeScanner
            }, 0)
        case .single(let client):
            return ([scanner(client, labelled: false, .standalone)], 0)
        case .cluster(let cluster):
            let primaries = try await cluster.primaries()
            return (primaries.map { scanner($0, labelled: true, .clusterNode) }, 1)
        case .redlock(let clients):
            return (clients.map { scanner($0, labelled: true, .standalone) }, 0)
        }
    }

    /// Runs `body` on every scanner side by side; results in the scanners' order.
    static func everyNode(
        _ scanners: [NodeScanner], _ body: @escaping @Sendable (NodeScanner) async throws(RedisError) -> NodeScan
    ) async -> [Result<NodeScan, RedisError>] {
        if scanners.count == 1 {
            return [await outcome(of: body, scanners[0])]
        }
        return await withTaskGroup(of: (Int, Result<NodeScan, RedisError>).self) { group in
            for (index, scanner) in scanners.enumerated() {
                // The typed `do`/`catch` lives in a function of its own: inside the child
                // task's closure, a release build returned a corrupt index (an out-of-range
                // trap here when the backends behind a proxy were scanned side by side).
                group.addTask { (index, await outcome(of: body, scanner)) }
            }
            var results = [Result<NodeScan, RedisError>](repeating: .failure(RedisError(.connectionFailed, "not scanned")), count: scanners.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
    }

    /// `body`'s scan of `scanner`, or its error.
    private static func outcome(
        of body: @Sendable (NodeScanner) async throws(RedisError) -> NodeScan, _ scanner: NodeScanner
    ) async -> Result<NodeScan, RedisError> {
        do throws(RedisError) { return .success(try await body(scanner)) } catch { return .failure(error) }
    }

    /// The nodes' scans as one, and the nodes that did not answer.
    struct Merged {
        var scan = NodeScan()
        var unreachable: [String] = []
        var conditions = ScanConditions()
    }

    func merge(_ results: [Result<NodeScan, RedisError>], scanners: [NodeScanner]) throws(RedisError) -> Merged {
        var merged = Merged()
        var scans: [(node: Int, scan: NodeScan)] = []
        var firstError: RedisError?
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let scan): scans.append((index, scan))
            case .failure(let failure):
                let error = InspectorRefusal.explained(failure)
                firstError = firstError ?? error
                merged.unreachable.append("\(scanners[index].listingClient.map { "scan node \($0.configuration.endpoint)" } ?? scanners[index].label ?? "the server"): \(error.message)")
            }
        }
        guard let first = scans.first else {
            throw firstError ?? RedisError(.connectionFailed, "no server to inspect")
        }
        merged.scan.serverTime = first.scan.serverTime
        merged.conditions.proxy = first.scan.proxy
        for (_, scan) in scans {
            merged.conditions.clockIsLocal = merged.conditions.clockIsLocal || scan.clockIsLocal
            merged.conditions.waitersUnknown = merged.conditions.waitersUnknown || scan.waitersUnknown
            merged.scan.scannedKeys += scan.scannedKeys
            merged.scan.commands += scan.commands
            merged.scan.roundTrips = max(merged.scan.roundTrips, scan.roundTrips)  // side by side
            for note in scan.notes where !merged.scan.notes.contains(note) { merged.scan.notes.append(note) }
        }
        if scans.count == 1 {
            merged.scan.fenceValues = first.scan.fenceValues  // shared, not copied entry by entry
        } else {
            for (_, scan) in scans { merged.scan.fenceValues.merge(scan.fenceValues) { max($0, $1) } }
        }
        switch servers {
        case .single where scans.count == 1:
            merged.scan.locks = first.scan.locks
        case .single, .cluster:
            // A key migrating between two SCANs can show up on both nodes (a cluster's, or the
            // backends behind a proxy): keep one row.
            var seen = Set<ByteKey>()
            for (_, scan) in scans {
                for lock in scan.locks where seen.insert(ByteKey(lock.keyBytes)).inserted { merged.scan.locks.append(lock) }
            }
        case .redlock(let clients):
            merged.scan.locks = RedlockMerge.rows(from: scans.map { ($0.node, $0.scan.locks) }, nodeCount: clients.count)
        }
        return merged
    }
}
