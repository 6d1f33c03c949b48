/// Redisson's read-write lock, fair lock and permit-expirable semaphore, decoded from what the
/// inspector read (the layouts as Redisson's scripts write them: `RedissonReadLock`,
/// `RedissonWriteLock`, `RedissonFairLock`, `RedissonPermitExpirableSemaphore`). Pure: no Redis.
///
/// - read-write lock: the lock's HASH has `mode` = `read`|`write`, readers as `<uuid>:<tid>` =
///   hold count, the writer as `<uuid>:<tid>:write`; per-read-hold keys
///   `{name}:<uuid>:<tid>:rwlock_timeout:<n>` hold `1` with that hold's PTTL;
/// - fair lock: the plain RLock HASH plus the LIST `redisson_lock_queue:{name}` (waiter ids in
///   arrival order) and the ZSET `redisson_lock_timeout:{name}` (their deadlines);
/// - permit-expirable semaphore: the name holds the count of *available* permits (a decimal
///   STRING), `{name}:timeout` is a ZSET of permit ids (16 raw bytes since 3.17, 32 lowercase
///   hex before) scored by their lease deadline in ms, `922337203685477` for no lease.
///
/// `{name}` follows Redisson's `prefixName`/`suffixName`: a name that contains `{` is used as
/// it is, any other is wrapped in braces.
package enum RedissonKinds {
    /// A permit id's score that means "no lease" (`nonExpirableTimeout`).
    static let noLeaseScore: Int64 = 922_337_203_685_477

    /// `prefixName(prefix, name)`: `prefix:{name}`, or `prefix:name` when the name has a `{`.
    package static func prefixed(_ prefix: String, _ name: [UInt8]) -> [UInt8] {
        name.contains(UInt8(ascii: "{")) ? Array((prefix + ":").utf8) + name : Array((prefix + ":{").utf8) + name + [UInt8(ascii: "}")]
    }

    /// `suffixName(name, suffix)`: `{name}:suffix`, or `name:suffix` when the name has a `{`.
    package static func suffixed(_ name: [UInt8], _ suffix: String) -> [UInt8] {
        name.contains(UInt8(ascii: "{")) ? name + Array((":" + suffix).utf8) : [UInt8(ascii: "{")] + name + Array(("}:" + suffix).utf8)
    }

    /// The fair lock's queue of waiter ids.
    package static func queueKey(_ name: [UInt8]) -> [UInt8] { prefixed("redisson_lock_queue", name) }

    /// The semaphore's ZSET of permit ids.
    package static func permitsKey(_ name: [UInt8]) -> [UInt8] { suffixed(name, "timeout") }

    /// A read-write lock from the fields of a Redisson hash that has `mode`; `nil` without one.
    /// The writer's own read holds (the same `<uuid>:<tid>` without `:write`) count as readers.
    package static func readWrite(_ fields: [HashField]) -> LockKindDetail? {
        guard let modeField = fields.first(where: { $0.field == Array("mode".utf8) }) else { return nil }
        let mode = LockKindDetail.Mode(rawValue: String(decoding: modeField.value, as: UTF8.self))
        let holders = fields.compactMap { field -> KindHolder? in
            let name = String(decoding: field.field, as: UTF8.self)
            guard LockFormatDetector.isRedissonHolderField(name) else { return nil }
            return holder(field, role: name.hasSuffix(":write") ? .writer : .reader)
        }
        return LockKindDetail(kind: .readWrite, mode: mode, holders: holders)
    }

    /// A fair lock: the plain RLock hash's holder, with `queueLength` waiters and `head` first.
    package static func fair(_ fields: [HashField], queueLength: Int, head: [UInt8]?) -> LockKindDetail {
        let holders = fields.filter { LockFormatDetector.isRedissonHolderField(String(decoding: $0.field, as: UTF8.self)) }
            .map { holder($0, role: .holder) }
        let waiter = head.map { KindHolder(role: .waiter, field: $0, value: $0, token: String(decoding: $0, as: UTF8.self)) }
        return LockKindDetail(kind: .fair, holders: holders, queueLength: queueLength, queueHead: waiter)
    }

    /// A permit-expirable semaphore from its available count and its permit ids with their
    /// deadlines, or `nil` when the members are not permit ids (another object's `:timeout`).
    /// Held permits are those whose deadline is after `now` (or without a lease); the total is
    /// the available count plus every id in the set (`getPermits`). `members` may be the
    /// first of `memberCount`.
    package static func semaphore(
        available: Int, members: [(member: [UInt8], score: Int64?)], memberCount: Int, now: Int64
    ) -> LockKindDetail? {
        guard !members.isEmpty, members.allSatisfy({ isPermitID($0.member) }) else { return nil }
        let holders = members.compactMap { entry -> KindHolder? in
            guard let score = entry.score, score > now else { return nil }
            let id = hex(entry.member)
            return KindHolder(role: .permit, field: entry.member, value: entry.member, token: id,
                              ttlMilliseconds: score == noLeaseScore ? nil : score - now)
        }
        return LockKindDetail(kind: .semaphore, holders: holders, permitsTotal: available + memberCount)
    }

    /// A permit id: 16 raw bytes (3.17 and later) or 32 lowercase hex characters (before).
    static func isPermitID(_ bytes: [UInt8]) -> Bool {
        bytes.count == 16 || (bytes.count == 32 && bytes.allSatisfy(LockFormatDetector.isLowerHex))
    }

    /// How an id is shown: hex for raw bytes, as it is for hex text.
    static func hex(_ bytes: [UInt8]) -> String {
        if bytes.count == 32, bytes.allSatisfy(LockFormatDetector.isLowerHex) { return String(decoding: bytes, as: UTF8.self) }
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }

    /// A decimal count as Redisson's semaphore stores it (non-negative, at most 18 digits).
    package static func count(_ value: [UInt8]) -> Int? {
        guard !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: value, as: UTF8.self))
    }

    /// Whether `key` is a read-write lock's per-read-hold key (`…:<uuid>:<tid>:rwlock_timeout:<n>`),
    /// which belongs to the lock's row.
    static func isReadHoldKey<Bytes: BidirectionalCollection<UInt8>>(_ key: Bytes) -> Bool {
        // Cheap test first: this runs for every key a scan lists.
        let reversed = key.reversed()
        let digits = reversed.prefix { $0 >= 0x30 && $0 <= 0x39 }.count
        guard digits > 0, reversed.dropFirst(digits).starts(with: readHoldMarkReversed) else { return false }
        let text = String(decoding: key, as: UTF8.self)
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 5, parts[parts.count - 2] == "rwlock_timeout", let last = parts.last, !last.isEmpty,
              last.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return LockFormatDetector.isRedissonHolderField(parts[parts.count - 4] + ":" + parts[parts.count - 3])
    }

    private static let readHoldMarkReversed = Array(":rwlock_timeout:".utf8.reversed())

    private static func holder(_ field: HashField, role: KindHolder.Role) -> KindHolder {
        let id = String(decoding: field.field, as: UTF8.self)
        return KindHolder(role: role, field: field.field, value: field.value, token: id)
    }
}
