import Foundation
import RESP

/// Locks in other libraries' formats, written with the raw commands those libraries use, so
/// the dashboard's FORMAT column has something to show.
struct ForeignLocks: Sendable {
    let client: RedisClient

    /// Writes them and refreshes their TTLs until the Task is cancelled.
    func keepAlive() async {
        // A stuck legacy lock: no TTL at all, so it never expires by itself.
        _ = try? await client.send("SET", "lock:legacy-migration", "migrator-2019", "NX")
        while !Task.isCancelled {
            let commands = [
                // The original Go lock: SET prefix+key token EX ttl NX.
                RESPCommand("SET", "DUSEPK_REDIS_LOCK_order_sync", "tok-8f3a9c", "EX", 30),
                // Redisson RLock: a hash {"<client uuid>:<thread id>": hold count} with a TTL.
                RESPCommand("HSET", "invoice:{9}", "b1f5c3c2-1a2b-4c3d-8e9f-0123456789ab:57", "1"),
                RESPCommand("PEXPIRE", "invoice:{9}", 30_000),
                // redis-py Lock: uuid1().hex with a TTL.
                RESPCommand("SET", "report:monthly", Self.uuid1Hex(), "PX", 30_000),
            ]
            _ = try? await client.send(batch: commands)
            try? await Task.sleep(for: .seconds(20))
        }
    }

    /// A uuid1-shaped hex token: 60-bit timestamp (100 ns since 1582), version 1, fixed node.
    static func uuid1Hex() -> String {
        let ticks = UInt64((Date().timeIntervalSince1970 + 12_219_292_800) * 10_000_000)
        func hex(_ value: UInt64, _ width: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let low = ticks & 0xFFFF_FFFF
        let mid = (ticks >> 32) & 0xFFFF
        let high = (ticks >> 48) & 0x0FFF
        return hex(low, 8) + hex(mid, 4) + "1" + hex(high, 3) + "8a3f" + "0242ac120002"
    }
}
