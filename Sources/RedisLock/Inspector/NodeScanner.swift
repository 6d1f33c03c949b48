import Foundation
import NIOCore
import RESP

/// Scans one server for locks: `TIME`; `SCAN MATCH … COUNT …` (never `KEYS`); for every batch
/// of keys found, their values and a `PTTL` per lock key, pipelined behind the next SCAN
/// (hashes get `TYPE` + `HGETALL` in a second batch); one `PUBSUB NUMSUB` (or `SHARDNUMSUB`)
/// per batch of wake-up channels.
///
/// Through a proxy (``RESP/RedisClient/proxyKind``) there is no `TIME`, `PUBSUB` or `SCAN`:
/// the clock is this machine's (``NodeScan/clockIsLocal``), waiters are unknown, and the keys
/// are listed by Codis's `SLOTSSCAN` over its 1024 slots through the proxy, or by `SCAN` on
/// ``listingClient`` (a backend given with `--scan-node`; twemproxy has no way to list keys),
/// while the values are still read through the proxy.
///
/// On one server the values come from one `MGET` per batch. A cluster node refuses an `MGET`
/// whose keys hash to different slots, so there each key gets a `GET`, and a key that moved
/// to another node since the SCAN (`MOVED`/`ASK`) is left to that node's scan.
struct NodeScanner: Sendable {
    /// How the values are read and waiters counted.
    enum Mode: Sendable {
        /// One server: `MGET` per batch, waiters on plain channels (`PUBSUB NUMSUB`).
        case standalone
        /// A cluster primary: `GET` per key, waiters on shard channels (`PUBSUB SHARDNUMSUB`).
        case clusterNode
    }

    let client: RedisClient
    /// The node's address, stamped on its locks when the inspector watches several servers.
    let label: String?
    let mode: Mode
    let selection: LockInspector.Selection
    /// Where the keys are listed with `SCAN` when not on ``client``: a proxy's backend.
    var listingClient: RedisClient?
    let scanCount: Int
    let batchSize: Int
    /// How many locks the previous scan found here: sizes the rows up front, so they are not
    /// copied while they grow.
    var expectedLocks = 0
    /// Read values with a `GET` each instead of one `MGET` per batch (a cluster node, or a
    /// user the server refuses `MGET`).
    var getsEachKey = false
    /// Read only the locks: helper keys, fence counters included, are listed but not read
    /// (live mode's first scan, which makes no rates: about 2 lookups in 5 fewer at 100k locks
    /// of this library, each with its fence counter).
    var readsOnlyLocks = false
    /// When set, every batch's rows (waiters filled in) go here with the server's clock as
    /// soon as they are decoded, and the scan keeps none of them (`list` at any size).
    var rowSink: (@Sendable ([InspectedLock], Int64) -> Void)?

    /// Scans the whole selection once; when the server refuses `MGET` (an ACL user allowed
    /// `GET` only, or one whose key patterns exclude some of the keys SCAN returns), scans
    /// again reading each value with `GET`, with a note, and leaves out unreadable keys.
    func scan() async throws(RedisError) -> NodeScan {
        try await withGetFallback { scanner throws(RedisError) in try await scanner.scanOnce() }
    }

    /// Reads and decodes specific keys (no SCAN), falling back to `GET` like ``scan()``.
    func read(_ keys: [[UInt8]]) async throws(RedisError) -> NodeScan {
        try await withGetFallback { scanner throws(RedisError) in try await scanner.readOnce(keys) }
    }

    private func withGetFallback(_ body: (NodeScanner) async throws(RedisError) -> NodeScan) async throws(RedisError) -> NodeScan {
        var result: NodeScan
        do {
            result = try await body(self)
        } catch where !getsEachKey && error.code == .permissionDenied && [nil, "MGET"].contains(InspectorRefusal.refusedCommand(error)) {
            // MGET refused, or refused for one key among many: read each key with GET.
            var fallback = self
            fallback.getsEachKey = true
            result = try await body(fallback)
        }
        if result.getsEachKey && mode == .standalone {
            result.notes.append(InspectorRefusal.note("MGET", "values read with a GET each"))
        }
        return result
    }

    private func scanOnce() async throws(RedisError) -> NodeScan {
        var result = NodeScan()
        result.getsEachKey = getsEachKey
        result.locks.reserveCapacity(expectedLocks + expectedLocks / 16)
        // One connection for the whole scan: a SCAN cursor means nothing on another one.
        let connection = try await client.connection()
        result.proxy = client.proxyKind ?? .none
        result.serverTime = try await serverTimeMilliseconds(into: &result)
        let listing = try await listingConnection(proxy: result.proxy) ?? connection
        var scan = ScanPipeline(source: try keySource(proxy: result.proxy), batchSize: batchSize, reads: appendReads)
        try await pump(&scan, listing: listing, reads: connection, into: &result)
        return result
    }

    /// Runs `scan` until its listing stops (the walk is over, or its ``ScanPipeline/listingLimit``
    /// was reached) and every key it listed was read: the rows go into `result` (or to
    /// ``rowSink``), with their waiters.
    func pump(_ scan: inout ScanPipeline, listing: RedisConnection, reads connection: RedisConnection, into result: inout NodeScan) async throws(RedisError) {
        if readsOnlyLocks { scan.skipping = { LockFormatDetector.isHelperKey(bytes: $0.readableBytesView) } }
        var request: InFlight? = InFlight(scan.first(), listing: listing, reads: connection)
        var waiters: [WaiterCount] = []
        while let current = request {
            let (listed, replies) = try await current.replies()
            result.add(commands: current.batch.listing.count + current.batch.reads.count)
            // Write the next listing and the next reads before decoding these, so the server
            // works while this process decodes (one batch in flight: bounded memory).
            let reads = try scan.take(listing: listed, reads: replies, of: current.batch)
            request = scan.next().map { InFlight($0, listing: listing, reads: connection) }
            for chunk in reads {
                let firstNew = result.locks.count
                try await decodeReads(chunk.keys, replies[chunk.replies], into: &result)
                if let count = countWaiters(of: firstNew ..< result.locks.count, in: &result, on: connection) { waiters.append(count) }
                if let rowSink {
                    try await fillWaiters(waiters, into: &result)
                    waiters = []
                    if !result.locks.isEmpty { rowSink(result.locks, result.serverTime) }
                    result.locks.removeAll(keepingCapacity: true)
                }
            }
        }
        result.scannedKeys = scan.scannedKeys
        try await fillWaiters(waiters, into: &result)
    }

    private func readOnce(_ keys: [[UInt8]]) async throws(RedisError) -> NodeScan {
        var result = NodeScan()
        result.getsEachKey = getsEachKey
        let buffers = keys.map { ByteBuffer(bytes: $0) }
        var commands = RESPCommandBatch()
        appendReads(to: &commands, buffers)
        let connection = try await client.connection()
        result.proxy = client.proxyKind ?? .none
        let replies = try await connection.write(batch: commands).get()
        result.add(commands: commands.count)
        try await decodeReads(buffers, replies[...], into: &result)
        let waiters = countWaiters(of: result.locks.indices, in: &result, on: connection).map { [$0] } ?? []
        try await fillWaiters(waiters, into: &result)
        return result
    }

    /// A pipelined batch on its way: its listing to the server that lists the keys, its reads
    /// to the one that reads them (the same connection unless a proxy's backend lists).
    struct InFlight {
        var batch: ScanPipeline.Batch
        private var listed: PendingReplies?
        private var read: PendingReplies?

        /// Writes `batch` now, without waiting for its replies.
        init(_ batch: ScanPipeline.Batch, listing: RedisConnection, reads: RedisConnection) {
            self.batch = batch
            self.listed = batch.listing.isEmpty ? nil : listing.write(batch: batch.listing)
            self.read = batch.reads.isEmpty ? nil : reads.write(batch: batch.reads)
        }

        /// The replies to the listing and to the reads.
        func replies() async throws(RedisError) -> (listing: [Result<RESPToken, RedisError>], reads: [Result<RESPToken, RedisError>]) {
            (try await listed?.get() ?? [], try await read?.get() ?? [])
        }
    }

    /// Where the keys are listed: ``listingClient``'s connection (`nil`: the reads' one).
    /// Through twemproxy, which cannot list keys, a listing client is required.
    func listingConnection(proxy: RedisProxyKind) async throws(RedisError) -> RedisConnection? {
        if let listingClient { return try await listingClient.connection() }
        if proxy == .twemproxy { throw LockInspector.scanNodesRequired }
        return nil
    }

    /// What lists the keys: `SCAN` on Redis itself (or a proxy's backend), Codis's `SLOTSSCAN`
    /// over every slot through a Codis proxy.
    func keySource(proxy: RedisProxyKind) throws(RedisError) -> KeySource {
        if listingClient == nil && proxy == .codis {
            return .slotsScan(selection: selection, count: scanCount)
        }
        return .scan(patterns: selection.patterns, count: scanCount)
    }

    /// The server's clock; this machine's through a proxy (no `TIME` there) or when the server
    /// refuses `TIME` (with a note), marked in ``NodeScan/clockIsLocal``.
    private func serverTimeMilliseconds(into result: inout NodeScan) async throws(RedisError) -> Int64 {
        let local = Int64(Date().timeIntervalSince1970 * 1000)
        if result.proxy != .none {
            result.clockIsLocal = true
            return local
        }
        let reply: RESPToken
        do {
            reply = try await client.send("TIME")
            result.add(commands: 1)
        } catch where InspectorRefusal.isRefusal(error) {
            result.add(commands: 1)
            result.notes.append(InspectorRefusal.note("TIME", "ages use this machine's clock"))
            result.clockIsLocal = true
            return local
        }
        let time = try reply.decode(as: [Int64].self)
        guard time.count == 2 else { throw RedisError(.unexpectedReply, "TIME did not answer [seconds, microseconds]") }
        return time[0] * 1000 + time[1] / 1000
    }
}
