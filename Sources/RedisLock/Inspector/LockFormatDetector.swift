/// Recognises which library wrote a lock, from its key, type and value. Pure: no Redis.
///
/// The heuristics (see the README's table): our JSON record; the Go lock's
/// `DUSEPK_REDIS_LOCK_` prefix; a Redisson hash whose fields are `<uuid>:<threadId>`;
/// pottery's `redlock:` + uuid4; python-redis-lock's `lock:` key with a 24-character id or a
/// `lock-signal:` sibling; redsync's 24 base64 characters ending `==`; redis-py's uuid1 hex
/// (`1` at index 12); other 32-hex values as node-redlock; anything else unknown.
public enum LockFormatDetector {
    /// What the value says about its holder.
    public struct Decoded: Sendable, Hashable {
        /// The library.
        public var format: LockFormat
        /// A holder label, when the value carries one.
        public var owner: String?
        /// The token that identifies the holder.
        public var token: String?
        /// Acquisition time (Unix ms) when the value encodes it.
        public var acquiredAtMilliseconds: Int64?
        /// The fence, for this library's records.
        public var fence: Int64?
    }

    /// The key prefix of the original Go lock.
    public static let goLegacyPrefix = "DUSEPK_REDIS_LOCK_"

    /// Classifies a string value.
    public static func classifyString(key: String, value: [UInt8], hasSignalSibling: Bool) -> Decoded {
        if let record = RecordFastPath.parse(value) {
            return Decoded(format: .lockwatch, owner: record.owner, token: record.token,
                           acquiredAtMilliseconds: record.acquiredAtMilliseconds, fence: record.fence)
        }
        let text = String(decoding: value, as: UTF8.self)
        if let record = LockRecord(parsing: text) {
            return Decoded(format: .lockwatch, owner: record.owner, token: record.token,
                           acquiredAtMilliseconds: record.acquiredAtMilliseconds, fence: record.fence)
        }
        if key.hasPrefix(goLegacyPrefix) {
            return Decoded(format: .goLegacy, owner: nil, token: text)
        }
        if key.hasPrefix("redlock:"), isUUID(text, version: 4) {
            return Decoded(format: .pottery, owner: nil, token: text)
        }
        if key.hasPrefix("lock:"), hasSignalSibling || (value.count == 24 && isBase64(value) && !text.hasSuffix("=")) {
            // python-redis-lock's id is 24 base64 characters of urandom, or a caller's id.
            return Decoded(format: .pythonRedisLock, owner: value.count == 24 ? nil : text, token: text)
        }
        if value.count == 24, text.hasSuffix("=="), isBase64(value) {
            return Decoded(format: .redsync, owner: nil, token: text)
        }
        if value.count == 32, value.allSatisfy(isLowerHex) {
            if value[12] == UInt8(ascii: "1") {
                let (time, node) = uuid1Fields(value)
                return Decoded(format: .redisPy, owner: node.map { "node \($0)" }, token: text, acquiredAtMilliseconds: time)
            }
            return Decoded(format: .nodeRedlock, owner: nil, token: text)
        }
        return Decoded(format: .unknownString, owner: nil, token: value.count <= 64 ? text : nil)
    }

    /// Classifies a hash given its fields and values.
    public static func classifyHash(key: String, fields: [(field: String, value: String)]) -> Decoded {
        if fields.contains(where: { $0.field == "kind" && ["rw", "semaphore"].contains($0.value) }) {
            // This library's read-write lock or semaphore: the holders come from its detail.
            return Decoded(format: .lockwatch, owner: nil, token: nil)
        }
        let holders = fields.filter { isRedissonHolderField($0.field) }
        if !holders.isEmpty, fields.allSatisfy({ isRedissonHolderField($0.field) || $0.field == "mode" }) {
            let owner = holders.map { "\($0.field) ×\($0.value)" }.joined(separator: ", ")
            return Decoded(format: .redisson, owner: owner, token: holders.first!.field)
        }
        return Decoded(format: .unknownHash, owner: nil, token: nil)
    }

    /// `<uuid>:<threadId>`, optionally followed by `:write`.
    static func isRedissonHolderField(_ field: String) -> Bool {
        var parts = field.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 3, parts[2] == "write" { parts.removeLast() }
        guard parts.count == 2, parts[0].count == 36, !parts[1].isEmpty,
              parts[0].utf8.allSatisfy({ isLowerHex($0) || $0 == UInt8(ascii: "-") }),
              parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return true
    }

    static func isUUID(_ text: String, version: UInt8) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if !isLowerHex(byte) {
                return false
            }
        }
        return bytes[14] == UInt8(ascii: "0") + version
    }

    static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }

    static func isBase64(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// The creation time (Unix ms) and node (MAC) of a uuid1 in 32-hex form.
    static func uuid1Fields(_ hex: [UInt8]) -> (Int64?, String?) {
        func value(_ range: Range<Int>) -> UInt64? { UInt64(String(decoding: hex[range], as: UTF8.self), radix: 16) }
        guard let low = value(0 ..< 8), let mid = value(8 ..< 12), let high = value(13 ..< 16) else { return (nil, nil) }
        let ticks = (high << 48) | (mid << 32) | low  // 100 ns since 1582-10-15
        let unixMilliseconds = Int64(ticks / 10_000) - 12_219_292_800_000
        let nodeHex = Array(hex[20 ..< 32])
        let node = stride(from: 0, to: 12, by: 2).map { String(decoding: nodeHex[$0 ..< $0 + 2], as: UTF8.self) }.joined(separator: ":")
        return (unixMilliseconds > 0 ? unixMilliseconds : nil, node)
    }

    /// Keys that belong to a lock without being one: hidden from the list.
    public static func isHelperKey(_ key: String) -> Bool {
        isHelperKey(bytes: key.utf8)
    }

    /// Whether the key with these bytes belongs to a lock without being one.
    package static func isHelperKey<Bytes: BidirectionalCollection<UInt8>>(bytes key: Bytes) -> Bool {
        isFenceCounter(bytes: key) || helperPrefixes.contains { key.starts(with: $0) }
            || kindAuxiliarySuffixesReversed.contains { key.reversed().starts(with: $0) }
            || RedissonKinds.isReadHoldKey(key)
    }

    /// The auxiliary keys of the lock kinds (`…}:queue`, `…}:expiries`, `…}:permits`, …; see
    /// ``LockKindDecoder``), reversed for a suffix test.
    /// Redisson's semaphore's `{name}:timeout` set belongs to the count's row.
    private static let kindAuxiliarySuffixesReversed = (LockKindDecoder.auxiliarySuffixes + [":timeout"]).map { Array(("}" + $0).utf8.reversed()) }

    /// Whether the key with these bytes is this library's fence counter (`…}:fence`).
    package static func isFenceCounter<Bytes: BidirectionalCollection<UInt8>>(bytes key: Bytes) -> Bool {
        key.reversed().starts(with: fenceSuffixReversed)
    }

    private static let fenceSuffixReversed = Array(("}" + LockKeys.fenceSuffix).utf8.reversed())
    private static let helperPrefixes = ["lock-signal:", "redisson_lock_queue:", "redisson_lock_timeout:", "redisson_lock_token:", "redisson_unlock_latch:"].map { Array($0.utf8) }
}
