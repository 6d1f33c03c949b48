import RESP

/// Fills the private server fast (pipelined MSETs and SETs): lock keys in a realistic mix,
/// the fence counters this library keeps next to its locks, and unrelated filler keys up to
/// the total.
enum Population {
    /// How many keys of each kind were written.
    struct Mix: CustomStringConvertible {
        var own = 0
        var stuck = 0
        var foreignStrings = 0
        var redissonHashes = 0
        var fenceCounters = 0
        var filler = 0

        var locks: Int { own + stuck + foreignStrings + redissonHashes }
        var total: Int { locks + fenceCounters + filler }

        var description: String {
            "\(total) keys: \(locks) locks (\(own) lockwatch records with a TTL, \(stuck) without; "
                + "\(foreignStrings) other libraries' strings, \(redissonHashes) Redisson hashes), "
                + "\(fenceCounters) fence counters, \(filler) filler keys"
        }
    }

    /// Writes `locks` locks under `lock:` and filler keys until the server holds `total` keys.
    static func fill(_ client: RedisClient, locks: Int, total: Int) async throws -> Mix {
        var mix = Mix()
        var batch: [RESPCommand] = []
        func flush() async throws {
            guard !batch.isEmpty else { return }
            for reply in try await client.send(batch: batch) { _ = try reply.get() }
            batch.removeAll(keepingCapacity: true)
        }
        let now = Int64(1_764_081_234_567)
        for index in 0..<locks {
            // Long enough to outlive the run, so every measurement sees all the locks.
            let ttl = 1_800_000 + (index % 90) * 10_000
            switch index % 100 {
            case 0..<77:
                let key = "lock:{job:\(index)}"
                batch.append(RESPCommand("SET", key, ownRecord(index, now: now), "PX", ttl))
                batch.append(RESPCommand("SET", key + ":fence", index))
                mix.own += 1
                mix.fenceCounters += 1
            case 77..<80:
                batch.append(RESPCommand("SET", "lock:{stuck:\(index)}", ownRecord(index, now: now)))
                mix.stuck += 1
            case 80..<88:
                batch.append(RESPCommand("SET", "lock:report:\(index)", hex(index, digits: 32), "PX", ttl))
                mix.foreignStrings += 1
            case 88..<93:
                batch.append(RESPCommand("SET", "lock:payments:\(index)", "3q2+7w==3q2+\(index)==", "PX", ttl))
                mix.foreignStrings += 1
            case 93..<98:
                batch.append(RESPCommand("SET", "lock:legacy:\(index)", "migrator-\(index % 40)", "EX", ttl / 1000))
                mix.foreignStrings += 1
            default:
                let key = "lock:invoice:{\(index)}"
                batch.append(RESPCommand("HSET", key, "b1f5c3c2-1a2b-4c3d-8e9f-\(hex(index, digits: 12)):57", "1"))
                batch.append(RESPCommand("PEXPIRE", key, ttl))
                mix.redissonHashes += 1
            }
            if batch.count >= 4096 { try await flush() }
        }
        try await flush()
        let fillerCount = max(0, total - mix.locks - mix.fenceCounters)
        var pairs: [String] = []
        for index in 0..<fillerCount {
            pairs.append("cache:page:\(index)")
            pairs.append("payload-\(index % 977)")
            if pairs.count == 2000 {
                batch.append(RESPCommand("MSET", pairs))
                pairs.removeAll(keepingCapacity: true)
                if batch.count >= 32 { try await flush() }
            }
        }
        if !pairs.isEmpty { batch.append(RESPCommand("MSET", pairs)) }
        try await flush()
        mix.filler = fillerCount
        return mix
    }

    /// A ``LockRecord`` as this library writes it.
    static func ownRecord(_ index: Int, now: Int64) -> String {
        let acquired = now - Int64(index % 50_000)
        return #"{"v":1,"token":"\#(hex(index, digits: 32))","owner":"worker-\#(index % 50):\#(4000 + index % 300)","acquired_ms":\#(acquired),"fence":\#(index)}"#
    }

    /// `value` as lower-case hex, left-padded with zeros to `digits`.
    static func hex(_ value: Int, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
