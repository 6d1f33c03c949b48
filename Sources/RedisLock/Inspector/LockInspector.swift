public import RESP
import NIOCore
import Synchronization

/// Finds the locks under a prefix or glob and decodes them, for the dashboard and `list`.
///
/// One refresh: `TIME`; `SCAN MATCH … COUNT …` (never `KEYS`); for every batch of keys found,
/// one `MGET` and a `PTTL` per lock key, pipelined (hashes, nil in the MGET, get `HGETALL` in
/// a second batch); one `PUBSUB NUMSUB` per batch of wake-up channels. No per-key round trips: a
/// refresh costs about (keys ÷ SCAN count) + 2 round trips (the reads ride along with the
/// SCANs), and it reports the exact command count. The next batch is sent as soon as a reply
/// arrives, before its values are decoded, so the server scans while this process decodes.
public final class LockInspector: Sendable {
    /// What to look at.
    public enum Selection: Sendable, Hashable, CustomStringConvertible {
        /// Keys starting with this prefix (SCAN MATCH `prefix*`, glob characters escaped).
        case prefix(String)
        /// Keys matching this glob.
        case glob(String)

        /// The SCAN MATCH pattern.
        public var pattern: String {
            switch self {
            case .prefix(let prefix): LockInspector.escapeGlob(prefix) + "*"
            case .glob(let glob): glob
            }
        }

        /// Whether `key` is one of the watched keys (as SCAN MATCH would decide).
        public func matches(_ key: [UInt8]) -> Bool {
            switch self {
            case .prefix(let prefix): key.starts(with: prefix.utf8)
            case .glob(let glob): KeyGlob.matches(Array(glob.utf8), key)
            }
        }

        /// The prefix or glob as given.
        public var description: String {
            switch self {
            case .prefix(let prefix): prefix
            case .glob(let glob): glob
            }
        }
    }

    /// The connection to inspect.
    public let client: RedisClient
    /// Which keys.
    public let selection: Selection
    /// The SCAN COUNT hint.
    public let scanCount: Int
    /// Keys read per pipelined batch.
    public let batchSize: Int
    private let history = Mutex(InspectorHistory())

    /// Makes an inspector.
    public init(client: RedisClient, selection: Selection, scanCount: Int = 1000, batchSize: Int = 512) {
        self.client = client
        self.selection = selection
        self.scanCount = max(scanCount, 10)
        self.batchSize = max(batchSize, 1)
    }

    /// Scans once and returns every lock with the events since the previous refresh.
    ///
    /// - Parameter tolerance: how late after its TTL a vanished lock still counts as expired
    ///   rather than released (use the refresh interval).
    public func refresh(tolerance: Duration = .seconds(1)) async throws(RedisError) -> InspectionSnapshot {
        let clock = ContinuousClock()
        let start = clock.now
        var cost = Cost()
        let serverTime = try await serverTimeMilliseconds(&cost)

        var locks: [InspectedLock] = []
        var fenceValues: [[UInt8]: Int64] = [:]
        var scan = ScanPipeline(pattern: selection.pattern, count: scanCount, batchSize: batchSize)
        var request: InFlight? = send(scan.first())
        while let current = request {
            request = nil
            let replies: [Result<RESPToken, RedisError>]
            do throws(RedisError) {
                replies = try await current.task.value.get()
                cost.add(commands: current.batch.commands.count)
                // Ask for the next SCAN and the next reads before decoding these, so the server
                // works while this process decodes (one batch in flight: bounded memory).
                let reads = try scan.take(replies, of: current.batch)
                if let next = scan.next() { request = send(next) }
                for chunk in reads {
                    try await decodeReads(chunk.keys, replies[chunk.replies], into: &locks, fences: &fenceValues, cost: &cost)
                }
            } catch {
                request?.task.cancel()
                throw error
            }
        }
        try await countWaiters(&locks, cost: &cost)

        let toleranceMilliseconds = tolerance.milliseconds
        let events = history.withLock { history in
            history.update(&locks, fenceValues: fenceValues, serverTime: serverTime, at: start, tolerance: toleranceMilliseconds)
        }
        return InspectionSnapshot(
            locks: locks, events: events, serverTimeMilliseconds: serverTime, scannedKeys: scan.scannedKeys,
            commandCount: cost.commands, roundTrips: cost.roundTrips, duration: clock.now - start)
    }

    /// Reads and decodes specific keys (no SCAN), e.g. the one an operator is about to
    /// release. Keys that do not exist, helper keys and other types are left out.
    public func inspect(keys: [[UInt8]]) async throws(RedisError) -> [InspectedLock] {
        var locks: [InspectedLock] = []
        var fences: [[UInt8]: Int64] = [:]
        var cost = Cost()
        try await read(keys.map { ByteBuffer(bytes: $0) }, into: &locks, fences: &fences, cost: &cost)
        try await countWaiters(&locks, cost: &cost)
        return locks
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

    private struct Cost {
        var commands = 0
        var roundTrips = 0
        mutating func add(commands count: Int) {
            commands += count
            roundTrips += 1
        }
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

    private func serverTimeMilliseconds(_ cost: inout Cost) async throws(RedisError) -> Int64 {
        let time = try await client.send("TIME").decode(as: [Int64].self)
        cost.add(commands: 1)
        guard time.count == 2 else { throw RedisError(.unexpectedReply, "TIME did not answer [seconds, microseconds]") }
        return time[0] * 1000 + time[1] / 1000
    }

    /// Reads TTL and value of `keys` in one pipelined batch (plus one for hashes): one `MGET`
    /// for every value, one `PTTL` per lock key (helper keys need none), and an `EXISTS` per
    /// possible python-redis-lock sibling. `MGET` answers nil for hashes and other types, which
    /// then get `TYPE` + `HGETALL`. One MGET instead of a GET per key cuts the server's work
    /// roughly in half at 100k locks.
    private func read(_ keys: [ByteBuffer], into locks: inout [InspectedLock], fences: inout [[UInt8]: Int64], cost: inout Cost) async throws(RedisError) {
        let commands = Self.readCommands(keys)
        let replies = try await client.send(batch: commands)
        cost.add(commands: commands.count)
        try await decodeReads(keys, replies[...], into: &locks, fences: &fences, cost: &cost)
    }

    /// What ``read(_:into:fences:cost:)`` sends for `keys`: the `MGET`, then per key that is not
    /// a helper a `PTTL` and, for a possible python-redis-lock lock, an `EXISTS` of its sibling.
    static func readCommands(_ keys: [ByteBuffer]) -> [RESPCommand] {
        var commands: [RESPCommand] = [RESPCommand("MGET", keys)]
        commands.reserveCapacity(keys.count + 2)
        for key in keys {
            guard !LockFormatDetector.isHelperKey(String(buffer: key)) else { continue }
            commands.append(RESPCommand("PTTL", key))
            if key.readableBytesView.starts(with: "lock:".utf8), !key.readableBytesView.starts(with: "lock:{".utf8) {
                var sibling = ByteBuffer(string: "lock-signal:")
                sibling.writeImmutableBuffer(key.getSlice(at: key.readerIndex + 5, length: key.readableBytes - 5)!)
                commands.append(RESPCommand("EXISTS", sibling))
            }
        }
        return commands
    }

    /// Decodes the replies to ``readCommands(_:)`` for `keys` (and reads the hashes among them).
    private func decodeReads(
        _ keys: [ByteBuffer], _ replies: ArraySlice<Result<RESPToken, RedisError>>,
        into locks: inout [InspectedLock], fences: inout [[UInt8]: Int64], cost: inout Cost
    ) async throws(RedisError) {
        guard let first = replies.first, case .array(let valueArray) = try first.get().value, valueArray.count == keys.count else {
            throw RedisError(.unexpectedReply, "MGET did not answer one value per key")
        }
        let values = Array(valueArray)

        var hashKeys: [(key: ByteBuffer, ttl: Int64?)] = []
        var position = replies.startIndex + 1
        for (index, key) in keys.enumerated() {
            let keyText = String(buffer: key)
            var value: [UInt8]?
            if case .bulkString(let bytes) = values[index].value { value = Array(bytes.readableBytesView) }
            if LockFormatDetector.isHelperKey(keyText) {
                if keyText.hasSuffix(LockKeys.fenceSuffix), let value, let fence = Int64(String(decoding: value, as: UTF8.self)) {
                    fences[Array(key.readableBytesView.dropLast(LockKeys.fenceSuffix.utf8.count))] = fence
                }
                continue
            }
            let ttlReply = replies[position]
            position += 1
            var hasSignalSibling = false
            if key.readableBytesView.starts(with: "lock:".utf8), !key.readableBytesView.starts(with: "lock:{".utf8) {
                hasSignalSibling = (try? replies[position].get().decode(as: Int.self)) == 1
                position += 1
            }
            guard let ttl = try Self.ttl(from: ttlReply) else { continue }  // vanished since SCAN
            guard let value else {
                hashKeys.append((key, ttl.milliseconds))  // a hash or another type (or just vanished)
                continue
            }
            let keyBytes = Array(key.readableBytesView)
            let decoded = LockFormatDetector.classifyString(key: keyText, value: value, hasSignalSibling: hasSignalSibling)
            locks.append(InspectedLock(
                keyBytes: keyBytes, format: decoded.format, type: "string", owner: decoded.owner, token: decoded.token,
                value: value, ttlMilliseconds: ttl.milliseconds, acquiredAtMilliseconds: decoded.acquiredAtMilliseconds,
                fence: decoded.fence))
        }
        if !hashKeys.isEmpty {
            try await readHashes(hashKeys, into: &locks, cost: &cost)
        }
    }

    private func readHashes(_ keys: [(key: ByteBuffer, ttl: Int64?)], into locks: inout [InspectedLock], cost: inout Cost) async throws(RedisError) {
        var commands: [RESPCommand] = []
        for (key, _) in keys {
            commands.append(RESPCommand("TYPE", key))
            commands.append(RESPCommand("HGETALL", key))
        }
        let replies = try await client.send(batch: commands)
        cost.add(commands: commands.count)
        for (offset, entry) in keys.enumerated() {
            guard let type = try? replies[offset * 2].get().decode(as: String.self), type == "hash",
                  case .success(let token) = replies[offset * 2 + 1] else { continue }
            let map = try [String: String](fromRESP: token)
            let fields = map.map { (field: $0.key, value: $0.value) }
            let keyBytes = Array(entry.key.readableBytesView)
            let decoded = LockFormatDetector.classifyHash(key: String(decoding: keyBytes, as: UTF8.self), fields: fields)
            locks.append(InspectedLock(
                keyBytes: keyBytes, format: decoded.format, type: "hash", owner: decoded.owner, token: decoded.token,
                value: Self.canonicalHashValue(fields), ttlMilliseconds: entry.ttl))
        }
    }

    /// A hash's value as compared by force-release: `field=value` lines, sorted by bytes.
    public static func canonicalHashValue(_ fields: [(field: String, value: String)]) -> [UInt8] {
        let lines = fields.map { Array("\($0.field)=\($0.value)".utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        return Array(lines.joined(separator: [0x0A]))
    }

    /// Fills in waiters: subscribers of each own-format lock's wake-up channel.
    private func countWaiters(_ locks: inout [InspectedLock], cost: inout Cost) async throws(RedisError) {
        let own = locks.indices.filter { locks[$0].format == .lockwatch }
        for chunk in stride(from: 0, to: own.count, by: batchSize) {
            let indices = Array(own[chunk ..< min(chunk + batchSize, own.count)])
            var channels: [ByteBuffer] = []
            for index in indices {
                var channel = ByteBuffer(bytes: locks[index].keyBytes)
                channel.writeString(LockKeys.channelSuffix)
                channels.append(channel)
            }
            let reply = try await client.send(RESPCommand("PUBSUB", "NUMSUB", channels))
            cost.add(commands: 1)
            let counts = try [String: Int](fromRESP: reply)  // channel → subscribers
            for (offset, index) in indices.enumerated() {
                locks[index].waiters = counts[String(buffer: channels[offset])] ?? 0
            }
        }
    }

    /// A key's time to live as `PTTL` reports it.
    private struct TimeToLive {
        /// Milliseconds left; `nil` when the key has no TTL.
        var milliseconds: Int64?
    }

    /// `nil` when the key no longer exists.
    private static func ttl(from reply: Result<RESPToken, RedisError>) throws(RedisError) -> TimeToLive? {
        switch try reply.get().decode(as: Int64.self) {
        case -2: nil
        case -1: TimeToLive(milliseconds: nil)
        case let milliseconds: TimeToLive(milliseconds: milliseconds)
        }
    }

    /// Escapes SCAN glob characters in a literal prefix.
    static func escapeGlob(_ text: String) -> String {
        var result = ""
        for character in text {
            if "*?[]\\".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
