import NIOCore
import RESP

/// What one scan of one server found, before the inspector folds it into its history.
struct NodeScan: Sendable {
    var locks: [InspectedLock] = []
    /// Fence counters by lock key.
    var fenceValues: [ByteKey: Int64] = [:]
    /// The server's clock when the scan began (Unix ms).
    var serverTime: Int64 = 0
    var scannedKeys = 0
    var commands = 0
    var roundTrips = 0

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
    let pattern: String
    let scanCount: Int
    let batchSize: Int

    /// Scans the whole selection once.
    func scan() async throws(RedisError) -> NodeScan {
        var result = NodeScan()
        result.serverTime = try await serverTimeMilliseconds()
        result.add(commands: 1)
        var scan = ScanPipeline(pattern: pattern, count: scanCount, batchSize: batchSize, reads: readCommands)
        var request: InFlight? = send(scan.first())
        while let current = request {
            request = nil
            do throws(RedisError) {
                let replies = try await current.task.value.get()
                result.add(commands: current.batch.commands.count)
                // Ask for the next SCAN and the next reads before decoding these, so the server
                // works while this process decodes (one batch in flight: bounded memory).
                let reads = try scan.take(replies, of: current.batch)
                if let next = scan.next() { request = send(next) }
                for chunk in reads {
                    try await decodeReads(chunk.keys, replies[chunk.replies], into: &result)
                }
            } catch {
                request?.task.cancel()
                throw error
            }
        }
        result.scannedKeys = scan.scannedKeys
        try await countWaiters(&result)
        return result
    }

    /// Reads and decodes specific keys (no SCAN).
    func read(_ keys: [[UInt8]]) async throws(RedisError) -> NodeScan {
        var result = NodeScan()
        let buffers = keys.map { ByteBuffer(bytes: $0) }
        let commands = readCommands(buffers)
        let replies = try await client.send(batch: commands)
        result.add(commands: commands.count)
        try await decodeReads(buffers, replies[...], into: &result)
        try await countWaiters(&result)
        return result
    }

    /// A pipelined batch on its way.
    private struct InFlight {
        var batch: ScanPipeline.Batch
        var task: Task<Result<[Result<RESPToken, RedisError>], RedisError>, Never>
    }

    /// Sends `batch` without waiting for its replies.
    private func send(_ batch: ScanPipeline.Batch) -> InFlight {
        let client = self.client
        let commands = batch.commands
        return InFlight(batch: batch, task: Task {
            do throws(RedisError) {
                return .success(try await client.send(batch: commands))
            } catch {
                return .failure(error)
            }
        })
    }

    private func serverTimeMilliseconds() async throws(RedisError) -> Int64 {
        let time = try await client.send("TIME").decode(as: [Int64].self)
        guard time.count == 2 else { throw RedisError(.unexpectedReply, "TIME did not answer [seconds, microseconds]") }
        return time[0] * 1000 + time[1] / 1000
    }

    /// What is sent to read `keys`: their values (one `MGET`, or a `GET` each on a cluster
    /// node), then per key that is not a helper a `PTTL` and, for a possible
    /// python-redis-lock lock, an `EXISTS` of its sibling.
    func readCommands(_ keys: [ByteBuffer]) -> [RESPCommand] {
        var commands: [RESPCommand] = []
        switch mode {
        case .standalone:
            commands.reserveCapacity(keys.count * 2 + 1)
            commands.append(RESPCommand("MGET", keys))
        case .clusterNode:
            commands.reserveCapacity(keys.count * 3)
            for key in keys { commands.append(RESPCommand("GET", key)) }
        }
        for key in keys {
            guard !LockFormatDetector.isHelperKey(String(buffer: key)) else { continue }
            commands.append(RESPCommand("PTTL", key))
            if Self.mayHaveSignalSibling(key) {
                var sibling = ByteBuffer(string: "lock-signal:")
                sibling.writeImmutableBuffer(key.getSlice(at: key.readerIndex + 5, length: key.readableBytes - 5)!)
                commands.append(RESPCommand("EXISTS", sibling))
            }
        }
        return commands
    }

    /// Whether `key` may be python-redis-lock's (`lock:NAME` with a `lock-signal:NAME`).
    private static func mayHaveSignalSibling(_ key: ByteBuffer) -> Bool {
        key.readableBytesView.starts(with: "lock:".utf8) && !key.readableBytesView.starts(with: "lock:{".utf8)
    }

    /// The values of `keys` from the first replies: one per key; `nil` for a missing key or
    /// one that is not a string; a key that moved to another cluster node is marked.
    private func values(of keys: [ByteBuffer], _ replies: ArraySlice<Result<RESPToken, RedisError>>) throws(RedisError) -> (values: [Value], consumed: Int) {
        switch mode {
        case .standalone:
            guard let first = replies.first, case .array(let array) = try first.get().value, array.count == keys.count else {
                throw RedisError(.unexpectedReply, "MGET did not answer one value per key")
            }
            return (array.map { token in
                if case .bulkString(let bytes) = token.value { .string(Array(bytes.readableBytesView)) } else { .none }
            }, 1)
        case .clusterNode:
            guard replies.count >= keys.count else { throw RedisError(.unexpectedReply, "a pipelined batch did not answer every GET") }
            let values = replies.prefix(keys.count).map { reply -> Value in
                switch reply {
                case .success(let token):
                    if case .bulkString(let bytes) = token.value { return .string(Array(bytes.readableBytesView)) }
                    return .none
                case .failure(let error):
                    return Self.isRedirection(error) ? .elsewhere : .none  // WRONGTYPE: a hash
                }
            }
            return (values, keys.count)
        }
    }

    /// A key's value as the read saw it.
    private enum Value {
        case string([UInt8])
        /// Missing, or not a string.
        case none
        /// On another cluster node now (`MOVED`/`ASK`).
        case elsewhere
    }

    private static func isRedirection(_ error: RedisError) -> Bool {
        error.serverErrorPrefix == "MOVED" || error.serverErrorPrefix == "ASK"
    }

    /// Decodes the replies to ``readCommands(_:)`` for `keys` (and reads the hashes among them).
    private func decodeReads(_ keys: [ByteBuffer], _ replies: ArraySlice<Result<RESPToken, RedisError>>, into result: inout NodeScan) async throws(RedisError) {
        let (values, consumed) = try values(of: keys, replies)
        var hashKeys: [(key: ByteBuffer, ttl: Int64?)] = []
        var position = replies.startIndex + consumed
        for (index, key) in keys.enumerated() {
            let keyText = String(buffer: key)
            if LockFormatDetector.isHelperKey(keyText) {
                if keyText.hasSuffix(LockKeys.fenceSuffix), case .string(let value) = values[index],
                   let fence = Int64(String(decoding: value, as: UTF8.self)) {
                    result.fenceValues[ByteKey(Array(key.readableBytesView.dropLast(LockKeys.fenceSuffix.utf8.count)))] = fence
                }
                continue
            }
            let ttlReply = replies[position]
            position += 1
            var hasSignalSibling = false
            if Self.mayHaveSignalSibling(key) {
                hasSignalSibling = (try? replies[position].get().decode(as: Int.self)) == 1
                position += 1
            }
            if case .elsewhere = values[index] { continue }
            guard let ttl = try ttl(from: ttlReply) else { continue }  // vanished (or moved) since SCAN
            guard case .string(let value) = values[index] else {
                hashKeys.append((key, ttl.milliseconds))  // a hash or another type (or just vanished)
                continue
            }
            let decoded = LockFormatDetector.classifyString(key: keyText, value: value, hasSignalSibling: hasSignalSibling)
            result.locks.append(InspectedLock(
                keyBytes: Array(key.readableBytesView), format: decoded.format, type: "string", owner: decoded.owner,
                token: decoded.token, value: value, ttlMilliseconds: ttl.milliseconds,
                acquiredAtMilliseconds: decoded.acquiredAtMilliseconds, fence: decoded.fence,
                placement: label.map { .node($0) }))
        }
        if !hashKeys.isEmpty {
            try await readHashes(hashKeys, into: &result)
        }
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
            guard let type = try? replies[offset * 2].get().decode(as: String.self), type == "hash",
                  case .success(let token) = replies[offset * 2 + 1] else { continue }
            let map = try [String: String](fromRESP: token)
            let fields = map.map { (field: $0.key, value: $0.value) }
            let keyBytes = Array(entry.key.readableBytesView)
            let decoded = LockFormatDetector.classifyHash(key: String(decoding: keyBytes, as: UTF8.self), fields: fields)
            result.locks.append(InspectedLock(
                keyBytes: keyBytes, format: decoded.format, type: "hash", owner: decoded.owner, token: decoded.token,
                value: LockInspector.canonicalHashValue(fields), ttlMilliseconds: entry.ttl,
                placement: label.map { .node($0) }))
        }
    }

    /// Fills in waiters: subscribers of each own-format lock's wake-up channel.
    private func countWaiters(_ result: inout NodeScan) async throws(RedisError) {
        let own = result.locks.indices.filter { result.locks[$0].format == .lockwatch }
        let subcommand = mode == .clusterNode ? "SHARDNUMSUB" : "NUMSUB"
        for chunk in stride(from: 0, to: own.count, by: batchSize) {
            let indices = Array(own[chunk ..< min(chunk + batchSize, own.count)])
            var channels: [ByteBuffer] = []
            for index in indices {
                var channel = ByteBuffer(bytes: result.locks[index].keyBytes)
                channel.writeString(LockKeys.channelSuffix)
                channels.append(channel)
            }
            let reply = try await client.send(RESPCommand("PUBSUB", subcommand, channels))
            result.add(commands: 1)
            let counts = try [String: Int](fromRESP: reply)  // channel → subscribers
            for (offset, index) in indices.enumerated() {
                result.locks[index].waiters = counts[String(buffer: channels[offset])] ?? 0
            }
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
