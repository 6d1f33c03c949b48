import RESP
import NIOCore

/// Locks outside the watched keys, found by looking at a bounded part of the keyspace: so
/// that `list` and the dashboard can say "also seen: `DUSEPK_REDIS_LOCK_*` (go-legacy, 3 keys)"
/// instead of leaving those locks silently out.
///
/// It walks at most ``Limits/batches`` `SCAN … COUNT` ``Limits/scanCount`` replies on one server
/// (the first primary of a cluster, the first node of a Redlock set) and stops early after
/// ``Limits/time``; of the keys outside the selection, the Go lock's are known by their prefix,
/// and at most ``Limits/reads`` others are read (`TYPE`, the first 512 bytes of a string, the
/// fields of a small hash, in two pipelined round trips) and classified by
/// ``LockFormatDetector``. Values in no recognised format are left out. Never throws: a server
/// that refuses or fails simply yields no hint.
public enum AlsoSeenSampler {
    /// How much of the keyspace one sample may look at.
    public struct Limits: Sendable, Hashable {
        /// How many SCAN replies at most (default 5).
        public var batches = 5
        /// The SCAN COUNT hint (default 1000): with the default batches, about 5,000 keys.
        public var scanCount = 1000
        /// How many keys outside the selection are read at most (default 256).
        public var reads = 256
        /// How long the sample may take (default 2 s).
        public var time: Duration = .seconds(2)

        /// The defaults.
        public init() {}
    }

    /// Samples `servers` for lock keys that `selection` does not watch, grouped by prefix,
    /// most keys first (at most five groups). Through a proxy (Codis, twemproxy), which refuses
    /// `SCAN` (twemproxy closes the connection on it), nothing is sampled.
    public static func sample(_ servers: LockInspector.Deployment, outside selection: LockInspector.Selection, limits: Limits = Limits()) async -> [AlsoSeenPrefix] {
        let client: RedisClient?
        switch servers {
        case .single(let single): client = single
        case .cluster(let cluster): client = try? await cluster.primaries().first
        case .redlock(let clients): client = clients.first
        }
        guard let client, let connection = try? await client.connection(), (client.proxyKind ?? RedisProxyKind.none) == RedisProxyKind.none else { return [] }
        let deadline = ContinuousClock.now + limits.time
        var cursor = "0"
        var known: [[UInt8]: LockFormat] = [:]
        var unread: [[UInt8]] = []
        for _ in 0 ..< limits.batches where ContinuousClock.now < deadline {
            guard let reply = try? await connection.send("SCAN", cursor, "COUNT", limits.scanCount),
                  case .array(let parts) = reply.value, parts.count == 2 else { break }
            var iterator = parts.makeIterator()
            guard let next = try? String(fromRESP: iterator.next()!), let keys = try? [ByteBuffer](fromRESP: iterator.next()!) else { break }
            for buffer in keys {
                let key = Array(buffer.readableBytesView)
                guard !selection.matches(key), !LockFormatDetector.isHelperKey(bytes: key) else { continue }
                if key.starts(with: LockFormatDetector.goLegacyPrefix.utf8) {
                    known[key] = .goLegacy
                } else if unread.count < limits.reads {
                    unread.append(key)
                }
            }
            cursor = next
            if cursor == "0" { break }
        }
        if !unread.isEmpty, ContinuousClock.now < deadline {
            for (key, format) in await classify(unread, on: connection) { known[key] = format }
        }
        return group(known)
    }

    /// Reads and classifies `keys`: strings by their first 512 bytes, hashes of at most 16 fields.
    static func classify(_ keys: [[UInt8]], on connection: RedisConnection) async -> [[UInt8]: LockFormat] {
        let probes = keys.flatMap { key in
            let buffer = ByteBuffer(bytes: key)
            return [RESPCommand("TYPE", buffer), RESPCommand("GETRANGE", buffer, 0, 511), RESPCommand("HLEN", buffer)]
        }
        guard let replies = try? await connection.send(batch: probes), replies.count == probes.count else { return [:] }
        var formats: [[UInt8]: LockFormat] = [:]
        var hashes: [[UInt8]] = []
        for (index, key) in keys.enumerated() {
            guard let type = try? replies[3 * index].get().decode(as: String.self) else { continue }
            let text = String(decoding: key, as: UTF8.self)
            if type == "string", let value = try? replies[3 * index + 1].get().decode(as: ByteBuffer.self), value.readableBytes < 512 {
                formats[key] = LockFormatDetector.classifyString(key: text, value: Array(value.readableBytesView), hasSignalSibling: false).format
            } else if type == "hash", let count = try? replies[3 * index + 2].get().decode(as: Int.self), count <= 16 {
                hashes.append(key)
            }
        }
        if !hashes.isEmpty, let replies = try? await connection.send(batch: hashes.map { RESPCommand("HGETALL", ByteBuffer(bytes: $0)) }) {
            for (key, reply) in zip(hashes, replies) {
                guard let token = try? reply.get(), let fields = try? NodeScanner.hashFields(token) else { continue }
                let pairs = fields.map { (field: String(decoding: $0.field, as: UTF8.self), value: String(decoding: $0.value, as: UTF8.self)) }
                formats[key] = LockFormatDetector.classifyHash(key: String(decoding: key, as: UTF8.self), fields: pairs).format
            }
        }
        return formats
    }

    /// Groups recognised locks by prefix (the Go lock's, else up to the first `:`, else the
    /// whole key), most keys first, at most five groups.
    static func group(_ found: [[UInt8]: LockFormat]) -> [AlsoSeenPrefix] {
        let unrecognised: Set<LockFormat> = [.unknownString, .unknownHash, .other]
        var groups: [AlsoSeenPrefix] = []
        for (key, format) in found where !unrecognised.contains(format) {
            let prefix = prefix(of: key, format: format)
            if let index = groups.firstIndex(where: { $0.prefix == prefix && $0.format == format }) {
                groups[index].keys += 1
            } else {
                groups.append(AlsoSeenPrefix(prefix: prefix, format: format, keys: 1))
            }
        }
        groups.sort { ($0.keys, $1.prefix) > ($1.keys, $0.prefix) }
        return Array(groups.prefix(5))
    }

    /// The prefix `key` would be watched under.
    static func prefix(of key: [UInt8], format: LockFormat) -> String {
        if format == .goLegacy { return LockFormatDetector.goLegacyPrefix }
        let text = String(decoding: key, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return text }
        return String(text[...colon])
    }
}

/// Lock keys under one prefix that the watched selection leaves out.
public struct AlsoSeenPrefix: Sendable, Hashable {
    /// The prefix to add (`--prefix`), e.g. `DUSEPK_REDIS_LOCK_`.
    public var prefix: String
    /// The lock format its keys were recognised as.
    public var format: LockFormat
    /// How many such keys the sample found.
    public var keys: Int

    /// Makes one.
    public init(prefix: String, format: LockFormat, keys: Int) {
        self.prefix = prefix
        self.format = format
        self.keys = keys
    }

    /// `DUSEPK_REDIS_LOCK_* (go-legacy, 3 keys)`; raw from Redis: sanitize before printing.
    public var summary: String {
        "\(prefix)* (\(format.rawValue), \(keys) key\(keys == 1 ? "" : "s"))"
    }
}
