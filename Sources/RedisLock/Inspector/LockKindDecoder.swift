/// Decodes the lock kinds of issue 16 from what the inspector read (see the storage contract
/// in the README's "More lock kinds"). Pure: no Redis.
///
/// - fair lock: a STRING record starting `{"v":1,"kind":"fair",`; its queue is the ZSET
///   `KEY:queue` (arrival order), the head's record prefix is in the HASH `KEY:waiters` as
///   `TTL_MS|prefix`;
/// - read-write lock: a HASH with `kind` = `rw`, `mode`, the writer in `w`, readers in
///   `r:<token>`; semaphore: a HASH with `kind` = `semaphore`, holders in `h:<token>`, the
///   count in the STRING `KEY:permits`; both with their holders' expiries (server ms) in the
///   ZSET `KEY:expiries`. A holder whose expiry passed is gone (the next script drops it).
package enum LockKindDecoder {
    /// What a fair lock's record starts with.
    static let fairRecordPrefix = Array(#"{"v":1,"kind":"fair","#.utf8)

    /// The suffixes of a kind's auxiliary keys (after the lock key, which ends in `}`).
    static let auxiliarySuffixes = [":queue", ":queue:seq", ":deadlines", ":waiters", ":expiries", ":writer-waiting", ":permits"]

    /// Whether `value` is a fair lock's record.
    package static func isFairRecord(_ value: [UInt8]) -> Bool {
        value.starts(with: fairRecordPrefix)
    }

    /// The kind a hash names in its `kind` field (`rw`, `semaphore`), if any.
    package static func hashKind(_ fields: [HashField]) -> LockKindDetail.Kind? {
        guard let kind = fields.first(where: { $0.field == Array("kind".utf8) }) else { return nil }
        switch String(decoding: kind.value, as: UTF8.self) {
        case "rw": return .readWrite
        case "semaphore": return .semaphore
        default: return nil
        }
    }

    /// A read-write lock or semaphore from its hash's fields, its expiries (member → server
    /// ms) and, for a semaphore, its permit count; `now` is the server's clock.
    package static func holderHash(
        _ kind: LockKindDetail.Kind, fields: [HashField], expiries: [[UInt8]: Int64], permits: Int?, now: Int64
    ) -> LockKindDetail {
        var holders: [KindHolder] = []
        var mode: LockKindDetail.Mode?
        for field in fields {
            let name = field.field
            let role: KindHolder.Role
            if name == Array("mode".utf8) {
                mode = LockKindDetail.Mode(rawValue: String(decoding: field.value, as: UTF8.self))
                continue
            } else if kind == .readWrite && name == [UInt8(ascii: "w")] {
                role = .writer
            } else if kind == .readWrite && name.starts(with: "r:".utf8) {
                role = .reader
            } else if kind == .semaphore && name.starts(with: "h:".utf8) {
                role = .permit
            } else {
                continue
            }
            guard let expiry = expiries[name], expiry > now else { continue }  // expired: no longer holds
            holders.append(KindHolder(role: role, field: name, record: field.value, ttlMilliseconds: expiry - now))
        }
        return LockKindDetail(kind: kind, mode: kind == .readWrite ? mode : nil, holders: holders,
                              permitsTotal: kind == .semaphore ? permits : nil)
    }

    /// A fair lock from its holder's record and TTL, its queue's length, and the head's token
    /// and `TTL_MS|TAG|record prefix` from `KEY:waiters` (when someone waits).
    package static func fair(
        record: [UInt8], ttlMilliseconds: Int64?, queueLength: Int?, head: (token: [UInt8], waiter: [UInt8]?)?
    ) -> LockKindDetail {
        let holder = KindHolder(role: .holder, record: record, ttlMilliseconds: ttlMilliseconds)
        var headHolder: KindHolder?
        if let head {
            headHolder = waiter(token: head.token, value: head.waiter ?? [])
        }
        return LockKindDetail(kind: .fair, holders: [holder], queueLength: queueLength, queueHead: headHolder)
    }

    /// A fair lock's waiter from its token and its `TTL_MS|TAG|record prefix` (the owner is
    /// read from the prefix, which starts at the first `{`; the value is kept as it is).
    static func waiter(token: [UInt8], value: [UInt8]) -> KindHolder {
        var owner: String?
        if let bar = value.firstIndex(of: UInt8(ascii: "|")), let brace = value[bar...].firstIndex(of: UInt8(ascii: "{")) {
            let prefix = String(decoding: value[brace...], as: UTF8.self)
            owner = LockRecord(parsing: prefix + "0,\"fence\":0}")?.owner
        }
        return KindHolder(role: .waiter, field: token, value: value, token: String(decoding: token, as: UTF8.self), owner: owner)
    }

    /// What a row shows for a kind in its own columns: the owners (each once, joined), the
    /// token and fence when one holder holds it (a read-write lock's readers all carry the
    /// last writer's fence), the earliest acquisition.
    package static func apply(_ detail: LockKindDetail, to lock: inout InspectedLock) {
        lock.kind = detail
        guard detail.kind != .fair else { return }  // the row already is the holder's record
        let holders = detail.holders
        var owners: [String] = []  // each owner once, in order
        for owner in holders.compactMap(\.owner) where !owners.contains(owner) { owners.append(owner) }
        lock.owner = owners.isEmpty ? nil : owners.prefix(3).joined(separator: ", ") + (owners.count > 3 ? ", …" : "")
        lock.token = holders.count == 1 ? holders[0].token : nil
        let fences = Set(holders.compactMap(\.fence))
        lock.fence = detail.kind == .readWrite && fences.count == 1 ? fences.first : holders.count == 1 ? holders[0].fence : nil
        lock.acquiredAtMilliseconds = holders.compactMap(\.acquiredAtMilliseconds).min()
    }
}
