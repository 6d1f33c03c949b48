import RESP
import RedisLock

// The README's Swift examples, verbatim (without their import lines), so the build proves they
// compile. `ReadmeExamplesTests` checks that README.md still shows exactly this code; when you
// change an example, change it in both places.

/// Stand-ins for the application types the README's examples mention.
struct Order: Sendable {}

/// A store that takes fenced writes, as the README's lock example uses it.
struct OrderStorage: Sendable {
    func write(_ order: Order, fence: Int64) async throws {}
}

/// The README's examples, compiled but not run (they talk to 127.0.0.1:6379).
enum ReadmeExamples {
    static func clientExample() async throws {
        // README: client
        let client = try RedisClient(url: "redis://127.0.0.1:6379")   // or RedisClient(configuration:)
        try await client.send("SET", "greeting", "hello", "PX", 30_000)
        let greeting = try await client.send("GET", "greeting").decode(as: String?.self)

        // Many tasks share one pipelined connection; a batch goes out in one write.
        let replies = try await client.send(batch: [RESPCommand("INCR", "a"), RESPCommand("INCR", "b")])

        // Thousands of small commands: encode them into one buffer, write now, await the replies later.
        var reads = RESPCommandBatch()
        for key in ["lock:a", "lock:b"] { reads.append("PTTL", key) }
        let pending = try await client.write(batch: reads)   // already on the socket
        let ttls = try await pending.get()                     // one Result per command, in order

        // Scripts run by SHA-1 and are loaded automatically on NOSCRIPT.
        let compareAndDelete = RedisScript("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0")
        let deleted = try await client.run(compareAndDelete, keys: ["lock:a"], arguments: ["token"]).decode(as: Int.self)

        // SCAN as an async sequence (never KEYS); keys are raw bytes.
        for try await key in client.scan(match: "lock:*", count: 1000) { print(String(buffer: key)) }

        // Pub/sub: one connection multiplexes every subscription; dropping it unsubscribes.
        let messages = try await client.subscribe(.channel, to: ["news"])
        for try await message in messages { print(message.channel, String(buffer: message.payload)) }
        // README: end
        _ = (greeting, replies, ttls, deleted)
    }

    static func lockExample(storage: OrderStorage, order: Order) async throws {
        // README: lock
        let locker = try Locker(client: try RedisClient(url: "redis://127.0.0.1:6379"))

        // Try once: a lease, or who holds the lock and for how long.
        switch try await locker.tryLock("orders:42", ttl: .seconds(30)) {
        case .acquired(let lease):
            try await storage.write(order, fence: lease.fence)
            try await locker.unlock(lease)
        case .held(let holder):
            print("held by \(holder.owner), \(holder.remaining ?? .zero) left")
        }

        // Wait up to 10 s; woken by the holder's release, not by polling.
        let lease = try await locker.lock("orders:42", ttl: .seconds(30), wait: .seconds(10))
        try await locker.extend(lease, ttl: .seconds(30))   // false: the lease was lost
        try await locker.unlock(lease)                      // false: it was no longer ours

        // Renewed in the background while the body runs, released afterwards. If the lease is lost,
        // the body is cancelled and withLock throws LockError.leaseLost.
        try await locker.withLock("orders:42", ttl: .seconds(30), wait: .seconds(10)) { lease in
            try await storage.write(order, fence: lease.fence)
        }
        // README: end
    }

    // README: fenced resource
    /// The protected side of fencing: it remembers the highest fence it accepted per resource
    /// and refuses writes that carry a lower one, so a holder that stalled past its TTL cannot
    /// overwrite the work of the holder after it.
    actor FencedStore {
        struct StaleFence: Error { let fence: Int64, highest: Int64 }

        private var highest: [String: Int64] = [:]
        private var values: [String: String] = [:]

        func write(_ value: String, to key: String, fence: Int64) throws {
            let seen = highest[key, default: .min]
            guard fence >= seen else { throw StaleFence(fence: fence, highest: seen) }
            highest[key] = fence
            values[key] = value
        }
    }
    // README: end
}

/// A stand-in for the data the README's read-write lock example protects.
struct Catalog: Sendable {
    func prices() async throws -> [Int] { [] }
    func replace(_ prices: [Int], fence: Int64) async throws {}
}

/// The README's read-write lock and semaphore examples.
extension ReadmeExamples {
    static func readWriteExample(catalog: Catalog) async throws {
        // README: read-write lock
        let rw = try ReadWriteLocker(backend: try RedisClient(url: "redis://127.0.0.1:6379"))

        // Many readers at once; each share is renewed while its body runs.
        let prices = try await rw.withReadLock("catalog", ttl: .seconds(30), wait: .seconds(10)) { lease in
            try await catalog.prices()   // lease.fence: the last writer's fence
        }

        // One writer, alone; while it waits, new readers wait behind it.
        try await rw.withWriteLock("catalog", ttl: .seconds(30), wait: .seconds(10)) { lease in
            try await catalog.replace(prices, fence: lease.fence)
        }

        // Each side is a DistributedLock (lock, extend, unlock, keepRenewed, generic code).
        let share = try await rw.reading.lock("catalog", ttl: .seconds(30), wait: .seconds(10))
        try await rw.reading.unlock(share)
        // README: end
    }

    static func semaphoreExample(storage: OrderStorage, order: Order) async throws {
        // README: semaphore
        let semaphore = try Semaphore(backend: try RedisClient(url: "redis://127.0.0.1:6379"))

        // At most 4 holders of "payments-api" across every process; each permit has its own fence.
        try await semaphore.withPermit(of: 4, "payments-api", ttl: .seconds(30), wait: .seconds(60)) { lease in
            try await storage.write(order, fence: lease.fence)
        }

        // At run time: current holders keep their permits.
        try await semaphore.setPermits("payments-api", to: 8)

        // One permit of 4 as a DistributedLock (lock, extend, unlock, keepRenewed, generic code).
        let permit = try await semaphore.permits(4).lock("payments-api", ttl: .seconds(30), wait: .seconds(60))
        try await semaphore.permits(4).unlock(permit)
        // README: end
    }
}

extension ReadmeExamples {
    static func fairLockExample(storage: OrderStorage, order: Order) async throws {
        // README: fair lock
        let fair = try FairLocker(client: try RedisClient(url: "redis://127.0.0.1:6379"), waiterDeadline: .seconds(2))

        // Waiters queue in arrival order; a release hands the lock straight to the oldest live
        // waiter, which owns it before it hears of it. A waiter that died drops out after 2 s.
        try await fair.withLock("orders:42", ttl: .seconds(30), wait: .seconds(10)) { lease in
            try await storage.write(order, fence: lease.fence)
        }

        // Giving up (a timeout or a cancelled Task) leaves the queue at once.
        let lease = try await fair.lock("orders:42", ttl: .seconds(30), wait: .milliseconds(500))
        try await fair.unlock(lease)   // hands over to the next waiter, if any
        // README: end
    }
}
