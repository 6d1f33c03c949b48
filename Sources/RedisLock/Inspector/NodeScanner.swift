import Foundation
import NIOCore
import RESP

/// What one scan of one server found, before the inspector folds it into its history.
struct NodeScan: Sendable {
    var locks: [InspectedLock] = []
    /// Fence counters by their lock key's ``ByteKey/digest``.
    var fenceValues: [Int: Int64] = [:]
    /// The server's clock when the scan began (Unix ms).
    var serverTime: Int64 = 0
    var scannedKeys = 0
    var commands = 0
    var roundTrips = 0
    /// What the scan had to do without (optional commands the server refused).
    var notes: [String] = []
    /// Whether the server refused `MGET`, so values were read with a `GET` each.
    var getsEachKey = false
    /// Whether ``serverTime`` is this machine's clock (a proxy, which has no `TIME`, or a
    /// refused `TIME`): ages are local.
    var clockIsLocal = false
    /// Whether waiters could not be counted (a proxy, which has no usable `PUBSUB`, or a
    /// refused one): a lock of this library shows its waiters as unknown, not 0.
    var waitersUnknown = false
    /// The proxy the reads went through, `.none` for Redis itself.
    var proxy = RedisProxyKind.none

    mutating func add(commands count: Int) {
        commands += count
        roundTrips += 1
    }
}

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
        return result
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
    private struct InFlight {
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
    private func listingConnection(proxy: RedisProxyKind) async throws(RedisError) -> RedisConnection? {
        if let listingClient { return try await listingClient.connection() }
        if proxy == .twemproxy { throw LockInspector.scanNodesRequired }
        return nil
    }

    /// What lists the keys: `SCAN` on Redis itself (or a proxy's backend), Codis's `SLOTSSCAN`
    /// over every slot through a Codis proxy.
    private func keySource(proxy: RedisProxyKind) throws(RedisError) -> KeySource {
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

    /// Appends what reads `keys`: their values (one `MGET`, or a `GET` each on a cluster
    /// node), then per key that is not a helper a `PTTL` and, for a possible
    /// python-redis-lock lock, an `EXISTS` of its sibling.
    func appendReads(to commands: inout RESPCommandBatch, _ keys: [ByteBuffer]) {
        if readsWithMGET {
            commands.append("MGET", keys)
        } else {
            for key in keys { commands.append("GET", key) }
        }
        let roles = keys.map(KeyRole.init)
        var siblings = Self.signalSiblings(of: keys, roles: roles).makeIterator()
        for (key, role) in zip(keys, roles) {
            guard case .lock(let mayHaveSignalSibling) = role else { continue }
            commands.append("PTTL", key)
            if mayHaveSignalSibling, let sibling = siblings.next() {
                commands.append("EXISTS", sibling)
            }
        }
    }

    /// What a scanned key is to the inspector.
    private enum KeyRole {
        /// This library's fence counter (`…}:fence`): feeds its lock's rate.
        case fenceCounter
        /// Another key that belongs to a lock without being one: hidden.
        case helper
        /// A lock; whether it may be python-redis-lock's (`lock:NAME`, with a
        /// `lock-signal:NAME` sibling that tells).
        case lock(mayHaveSignalSibling: Bool)

        init(_ key: ByteBuffer) {
            let bytes = key.readableBytesView
            if LockFormatDetector.isFenceCounter(bytes: bytes) {
                self = .fenceCounter
            } else if LockFormatDetector.isHelperKey(bytes: bytes) {
                self = .helper
            } else {
                self = .lock(mayHaveSignalSibling: bytes.starts(with: "lock:".utf8) && !bytes.starts(with: "lock:{".utf8))
            }
        }

    }

    /// `lock-signal:NAME` for each key `lock:NAME` that may have one, in order.
    private static func signalSiblings(of keys: [ByteBuffer], roles: [KeyRole]) -> [ByteBuffer] {
        let candidates = zip(keys, roles).filter { _, role in
            if case .lock(mayHaveSignalSibling: true) = role { true } else { false }
        }
        return ByteBuffer.slices(candidates.map(\.0)) { names, key in
            names.writeString("lock-signal:")
            names.writeImmutableBuffer(key.getSlice(at: key.readerIndex + 5, length: key.readableBytes - 5)!)
        }
    }

    /// The values of `keys` from the first replies: one per key; `nil` for a missing key or
    /// one that is not a string; a key that moved to another cluster node is marked.
    private func values(of keys: [ByteBuffer], _ replies: ArraySlice<Result<RESPToken, RedisError>>) throws(RedisError) -> (values: [Value], consumed: Int) {
        if readsWithMGET {
            guard let first = replies.first, case .array(let array) = try first.get().value, array.count == keys.count else {
                throw RedisError(.unexpectedReply, "MGET did not answer one value per key")
            }
            return (array.map { token in
                if case .bulkString(let bytes) = token.value { .string(bytes) } else { .none }
            }, 1)
        }
        guard replies.count >= keys.count else { throw RedisError(.unexpectedReply, "a pipelined batch did not answer every GET") }
        var values: [Value] = []
        values.reserveCapacity(keys.count)
        for reply in replies.prefix(keys.count) {
            switch reply {
            case .success(let token):
                if case .bulkString(let bytes) = token.value { values.append(.string(bytes)) } else { values.append(.none) }
            case .failure(let error) where error.code == .permissionDenied:
                // A key this user may not read is left out; a refused GET is an error.
                guard InspectorRefusal.refusedCommand(error) == nil else { throw error }
                values.append(.unreadable)
            case .failure(let error):
                values.append(Self.isRedirection(error) ? .elsewhere : .none)  // WRONGTYPE: a hash
            }
        }
        return (values, keys.count)
    }

    /// Whether values are read with one `MGET` per batch rather than a `GET` each.
    private var readsWithMGET: Bool { mode == .standalone && !getsEachKey }

    /// A key's value as the read saw it.
    private enum Value {
        /// A string's bytes (a slice of the reply).
        case string(ByteBuffer)
        /// Missing, or not a string.
        case none
        /// On another cluster node now (`MOVED`/`ASK`).
        case elsewhere
        /// The ACL user may not read this key (`NOPERM` on the key, not the command).
        case unreadable
    }

    private static func isRedirection(_ error: RedisError) -> Bool {
        error.serverErrorPrefix == "MOVED" || error.serverErrorPrefix == "ASK"
    }

    /// Decodes the replies to ``appendReads(to:_:)`` for `keys` (and reads the hashes among them).
    private func decodeReads(_ keys: [ByteBuffer], _ replies: ArraySlice<Result<RESPToken, RedisError>>, into result: inout NodeScan) async throws(RedisError) {
        let (values, consumed) = try values(of: keys, replies)
        var hashKeys: [(key: ByteBuffer, ttl: Int64?)] = []
        var position = replies.startIndex + consumed
        let placement = label.map { LockPlacement.node($0) }
        for (index, key) in keys.enumerated() {
            var hasSignalSibling = false
            switch KeyRole(key) {
            case .fenceCounter:
                if case .string(let value) = values[index], let fence = Self.decimal(value) {
                    let lockKeyLength = key.readableBytes - LockKeys.fenceSuffix.utf8.count
                    let digest = key.withUnsafeReadableBytes { ByteKey.digest(of: UnsafeRawBufferPointer(rebasing: $0.prefix(lockKeyLength))) }
                    result.fenceValues[digest] = fence
                }
                continue
            case .helper:
                continue
            case .lock(let mayHaveSignalSibling):
                if mayHaveSignalSibling {
                    hasSignalSibling = (try? replies[position + 1].get().decode(as: Int.self)) == 1
                    if case .failure(let error) = replies[position + 1], InspectorRefusal.isRefusal(error) {
                        let note = InspectorRefusal.note("EXISTS", "python-redis-lock locks may show as unknown-string")
                        if !result.notes.contains(note) { result.notes.append(note) }
                    }
                }
                let ttlReply = replies[position]
                position += mayHaveSignalSibling ? 2 : 1
                if case .elsewhere = values[index] { continue }
                if case .unreadable = values[index] {
                    let note = InspectorRefusal.note("reading some keys", "this ACL user may not read them, so they are not listed")
                    if !result.notes.contains(note) { result.notes.append(note) }
                    continue
                }
                guard let ttl = try ttl(from: ttlReply) else { continue }  // vanished (or moved) since SCAN
                guard case .string(let bytes) = values[index] else {
                    hashKeys.append((key, ttl.milliseconds))  // a hash or another type (or just vanished)
                    continue
                }
                result.locks.append(decodeString(key: key, value: bytes, ttl: ttl, hasSignalSibling: hasSignalSibling, placement: placement))
            }
        }
        if !hashKeys.isEmpty {
            try await readHashes(hashKeys, into: &result)
        }
    }

    /// A string lock's row. This library's records in the acquire script's exact shape are
    /// read in place, without copying the value (the row rebuilds it on demand).
    private func decodeString(key: ByteBuffer, value: ByteBuffer, ttl: TimeToLive, hasSignalSibling: Bool, placement: LockPlacement?) -> InspectedLock {
        let keyBytes = Array(key.readableBytesView)
        if let record = value.withUnsafeReadableBytes({ RecordFastPath.parse($0) }) {
            return InspectedLock(keyBytes: keyBytes, record: record, ttlMilliseconds: ttl.milliseconds, placement: placement)
        }
        let bytes = Array(value.readableBytesView)
        let decoded = LockFormatDetector.classifyString(
            key: String(decoding: keyBytes, as: UTF8.self), value: bytes, hasSignalSibling: hasSignalSibling)
        return InspectedLock(
            keyBytes: keyBytes, format: decoded.format, type: "string", owner: decoded.owner,
            token: decoded.token, value: bytes, ttlMilliseconds: ttl.milliseconds,
            acquiredAtMilliseconds: decoded.acquiredAtMilliseconds, fence: decoded.fence,
            placement: placement)
    }

    /// A fence counter's decimal value, read without making a String.
    private static func decimal(_ bytes: ByteBuffer) -> Int64? {
        let digits = bytes.readableBytesView
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
    }

    private func readHashes(_ keys: [(key: ByteBuffer, ttl: Int64?)], into result: inout NodeScan) async throws(RedisError) {
        var commands: [RESPCommand] = []
        for (key, _) in keys {
            commands.append(RESPCommand("TYPE", key))
            commands.append(RESPCommand("HGETALL", key))
        }
        let replies = try await client.send(batch: commands)
        result.add(commands: commands.count)
        for (offset, entry) in keys.enumerated() {
            for reply in replies[(offset * 2) ... (offset * 2 + 1)] {
                if case .failure(let error) = reply, error.code == .permissionDenied { throw error }
            }
            guard let type = try? replies[offset * 2].get().decode(as: String.self), type == "hash",
                  case .success(let token) = replies[offset * 2 + 1] else { continue }
            let fields = try Self.hashFields(token)
            let keyBytes = Array(entry.key.readableBytesView)
            let decoded = LockFormatDetector.classifyHash(
                key: String(decoding: keyBytes, as: UTF8.self),
                fields: fields.map { (String(decoding: $0.field, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)) })
            result.locks.append(InspectedLock(
                keyBytes: keyBytes, format: decoded.format, type: "hash", owner: decoded.owner, token: decoded.token,
                ttlMilliseconds: entry.ttl,
                placement: label.map { .node($0) }, hashFields: fields))
        }
    }

    /// A hash's fields from an `HGETALL` reply (a flat array, or a map under RESP3), as exact
    /// bytes sorted by field.
    static func hashFields(_ reply: RESPToken) throws(RedisError) -> [HashField] {
        func bytes(_ token: RESPToken) throws(RedisError) -> [UInt8] {
            guard case .bulkString(let buffer) = token.value else { throw token.unexpected("a hash field or value") }
            return Array(buffer.readableBytesView)
        }
        var fields: [HashField] = []
        switch reply.value {
        case .array(let items):
            var iterator = items.makeIterator()
            while let field = iterator.next() {
                guard let value = iterator.next() else { throw reply.unexpected("field and value pairs") }
                fields.append(HashField(field: try bytes(field), value: try bytes(value)))
            }
        case .map(let pairs):
            for pair in pairs { fields.append(HashField(field: try bytes(pair.key), value: try bytes(pair.value))) }
        default:
            throw reply.unexpected("an HGETALL reply")
        }
        return fields.sorted { $0.field.lexicographicallyPrecedes($1.field) }
    }

    /// A `PUBSUB NUMSUB` (or `SHARDNUMSUB`) on its way, for some rows' wake-up channels.
    private struct WaiterCount {
        /// The rows (indices into the scan's locks), in the order of the channels asked about.
        var rows: [Int]
        var replies: PendingReplies
    }

    /// Asks, without waiting, how many subscribers the wake-up channels of this library's locks
    /// among `rows` have; `nil` when there are none. Sent while the scan goes on, the question
    /// queues behind the next batch and its answer is ready when the scan ends.
    /// Through a proxy nothing is asked (Codis sends `PUBSUB` to one backend, twemproxy closes
    /// the connection): the waiters stay unknown (``NodeScan/waitersUnknown``).
    private func countWaiters(of rows: Range<Int>, in result: inout NodeScan, on connection: RedisConnection) -> WaiterCount? {
        let own = rows.filter { result.locks[$0].format == .lockwatch }
        guard !own.isEmpty else { return nil }
        if result.proxy != .none {
            result.waitersUnknown = true
            return nil
        }
        let channels = ByteBuffer.slices(own) { names, row in
            names.writeBytes(result.locks[row].keyBytes)
            names.writeString(LockKeys.channelSuffix)
        }
        var command = RESPCommandBatch(capacity: channels.reduce(32) { $0 + $1.readableBytes + 8 })
        command.append("PUBSUB", mode == .clusterNode ? "SHARDNUMSUB" : "NUMSUB", channels)
        return WaiterCount(rows: own, replies: connection.write(batch: command))
    }

    /// Waits for the answers of ``countWaiters(of:in:on:)`` and fills them in. An answer lists
    /// `channel, count` pairs in the order asked (a map under RESP3), so counts are read by
    /// position.
    private func fillWaiters(_ counts: [WaiterCount], into result: inout NodeScan) async throws(RedisError) {
        for count in counts {
            let replies = try await count.replies.get()
            result.commands += 1  // rode along with the scan: no round trip of its own
            guard let answer = replies.first else { throw RedisError(.unexpectedReply, "PUBSUB NUMSUB did not answer") }
            if case .failure(let error) = answer, InspectorRefusal.isRefusal(error) {
                let note = InspectorRefusal.note("PUBSUB", "waiters unknown")
                if !result.notes.contains(note) { result.notes.append(note) }
                result.waitersUnknown = true
                continue
            }
            let reply = try answer.get()
            var subscribers: [Int] = []
            subscribers.reserveCapacity(count.rows.count)
            switch reply.value {
            case .array(let items):
                var iterator = items.makeIterator()
                while iterator.next() != nil, let number = iterator.next() { subscribers.append(try number.decode(as: Int.self)) }
            case .map(let pairs):
                for pair in pairs { subscribers.append(try pair.value.decode(as: Int.self)) }
            default:
                throw reply.unexpected("a PUBSUB NUMSUB reply")
            }
            guard subscribers.count == count.rows.count else {
                throw RedisError(.unexpectedReply, "PUBSUB NUMSUB answered \(subscribers.count) channels of \(count.rows.count)")
            }
            for (row, number) in zip(count.rows, subscribers) { result.locks[row].waiters = number }
        }
    }

    /// A key's time to live as `PTTL` reports it.
    private struct TimeToLive {
        /// Milliseconds left; `nil` when the key has no TTL.
        var milliseconds: Int64?
    }

    /// `nil` when the key no longer exists (or, on a cluster node, moved away).
    private func ttl(from reply: Result<RESPToken, RedisError>) throws(RedisError) -> TimeToLive? {
        if case .failure(let error) = reply, Self.isRedirection(error) { return nil }
        switch try reply.get().decode(as: Int64.self) {
        case -2: return nil
        case -1: return TimeToLive(milliseconds: nil)
        case let milliseconds: return TimeToLive(milliseconds: milliseconds)
        }
    }
}

extension ByteBuffer {
    /// Byte strings, one per item, written back to back into one buffer (one allocation for
    /// many small strings) and sliced only once all are written: a slice taken earlier would
    /// make every later write copy the buffer.
    static func slices<Items: Sequence>(_ items: Items, writing write: (inout ByteBuffer, Items.Element) -> Void) -> [ByteBuffer] {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        var ranges: [Range<Int>] = []
        for item in items {
            let start = buffer.writerIndex
            write(&buffer, item)
            ranges.append(start ..< buffer.writerIndex)
        }
        return ranges.map { buffer.getSlice(at: $0.lowerBound, length: $0.count)! }
    }
}
