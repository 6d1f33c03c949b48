/// The per-reader leases of Redisson's read-write lock: each read acquisition of reader
/// `<uuid>:<tid>` (hold count N in the lock's hash) has its own key
/// `{name}:<uuid>:<tid>:rwlock_timeout:<n>`, n = 1…N, holding `1` with that acquisition's PTTL
/// (`RedissonReadLock`); the reader's lease ends with the longest of them. The writer's lease
/// is the hash's PTTL. Pure: keys out, TTLs in.
///
/// Caveat (Redisson's `renewExpirationAsync`): any live reader's watchdog renews every
/// reader's keys, so a dead reader's TTL stays up while another reader renews.
enum RedissonReadHolds {
    /// How many of a reader's latest holds are read (the highest-numbered ones).
    static let holdLimit = 8
    /// How many readers of one lock get their TTL read.
    static let readerLimit = 64

    /// What to read for `detail` of the lock at `lockKey`: for each reader (its position among
    /// the holders) the keys of its latest holds, to be asked `PTTL` each.
    static func plan(lockKey: [UInt8], detail: LockKindDetail) -> [(holder: Int, keys: [[UInt8]])] {
        var plan: [(holder: Int, keys: [[UInt8]])] = []
        for (index, holder) in detail.holders.enumerated() where holder.role == .reader && plan.count < readerLimit {
            guard let count = Int(String(decoding: holder.value, as: UTF8.self)), count > 0 else { continue }
            let keys = (max(1, count - holdLimit + 1) ... count).map { hold in
                RedissonKinds.suffixed(lockKey, String(decoding: holder.field, as: UTF8.self) + ":rwlock_timeout:\(hold)")
            }
            plan.append((index, keys))
        }
        return plan
    }

    /// `detail` with each planned reader's TTL the longest of its holds' PTTLs (`ttls`, in the
    /// plan's order; `nil` or ≤ 0 for a key gone or without expiry), and the writer's the
    /// lock's `lockTTL`.
    static func applying(_ ttls: [Int64?], plan: [(holder: Int, keys: [[UInt8]])], lockTTL: Int64?, to detail: LockKindDetail) -> LockKindDetail {
        var detail = detail
        var position = 0
        for entry in plan {
            let own = ttls[position ..< min(ttls.count, position + entry.keys.count)].compactMap { $0 }.filter { $0 > 0 }
            position += entry.keys.count
            detail.holders[entry.holder].ttlMilliseconds = own.max()
        }
        for index in detail.holders.indices where detail.holders[index].role == .writer {
            detail.holders[index].ttlMilliseconds = lockTTL
        }
        return detail
    }
}
