import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Issue 15 item 2 against a real server: several prefixes scanned and streamed, and the
/// bounded "also seen" sample of what they leave out.
@Suite("Several prefixes and also seen")
struct SeveralPrefixesTests {
    /// Locks in four formats under four prefixes, plus keys that are not locks.
    static let writes = [
        RESPCommand("SET", "DUSEPK_REDIS_LOCK_order_sync", "tok-8f3a9c", "EX", 60),
        RESPCommand("SET", "DUSEPK_REDIS_LOCK_invoice_run", "tok-77", "EX", 60),
        RESPCommand("HSET", "invoice:{9}", "b1f5c3c2-1a2b-4c3d-8e9f-0123456789ab:57", "1"),
        RESPCommand("SET", "report:monthly", "6f1c9a2e8b3d11ef9a3f0242ac120002", "PX", 60_000),
        RESPCommand("SET", "cache:page", "<html>not a lock</html>"),
        RESPCommand("HSET", "user:1", "name", "Ada"),
    ]

    @Test func eachPrefixIsScannedOnceAndOthersAreLeftOut() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "e2e")
            _ = try #require(try await locker.tryLock("orders:1", ttl: .seconds(60)).lease)
            for result in try await admin.send(batch: Self.writes) { _ = try result.get() }

            // `lock:{` is covered by `lock:`: scanned once, so no row twice.
            let selection = LockInspector.Selection.watching(prefixes: ["lock:", "DUSEPK_REDIS_LOCK_", "lock:{"])
            let inspector = LockInspector(client: admin, selection: selection)
            let keys = try await inspector.refresh().locks.map(\.key).sorted()
            #expect(keys == ["DUSEPK_REDIS_LOCK_invoice_run", "DUSEPK_REDIS_LOCK_order_sync", "lock:{orders:1}"])

            // The change stream tracks both prefixes: a write under the second one is news.
            let live = LiveInspector(inspector: inspector)
            _ = try await live.refresh()
            #expect(live.mode == .live)
            let changes = live.changes()
            _ = try await admin.send("SET", "DUSEPK_REDIS_LOCK_new", "tok-1", "EX", 60)
            var iterator = changes.makeAsyncIterator()
            let news: Void? = await iterator.next()
            #expect(news != nil)
            let after = try await live.refresh().locks.map(\.key)
            #expect(after.contains("DUSEPK_REDIS_LOCK_new"))
            await live.stop()
        }
    }

    @Test func alsoSeenNamesTheLockPrefixesOutsideTheSelection() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "e2e")
            _ = try #require(try await locker.tryLock("orders:1", ttl: .seconds(60)).lease)
            for result in try await admin.send(batch: Self.writes) { _ = try result.get() }

            let found = await AlsoSeenSampler.sample(.single(admin), outside: .prefix("lock:"))
            #expect(found == [
                AlsoSeenPrefix(prefix: "DUSEPK_REDIS_LOCK_", format: .goLegacy, keys: 2),
                AlsoSeenPrefix(prefix: "invoice:", format: .redisson, keys: 1),
                AlsoSeenPrefix(prefix: "report:", format: .redisPy, keys: 1),
            ])
            #expect(found.first?.summary == "DUSEPK_REDIS_LOCK_* (go-legacy, 2 keys)")

            let watchingAll = await AlsoSeenSampler.sample(.single(admin), outside: .watching(prefixes: ["lock:", "DUSEPK_REDIS_LOCK_", "invoice:", "report:"]))
            #expect(watchingAll.isEmpty)
        }
    }

    @Test func theSampleIsBoundedOnALargeKeyspace() async throws {
        try await withLockServer { _, admin in
            for start in stride(from: 0, to: 20_000, by: 2000) {
                _ = try await admin.send(batch: (start ..< start + 2000).map { RESPCommand("SET", "data:\($0)", "v") })
            }
            _ = try await admin.send("CONFIG", "RESETSTAT")
            var limits = AlsoSeenSampler.Limits()
            limits.batches = 2
            limits.scanCount = 100
            limits.reads = 50
            _ = await AlsoSeenSampler.sample(.single(admin), outside: .prefix("lock:"), limits: limits)
            let stats = try await admin.send("INFO", "commandstats").decode(as: String.self)
            func calls(_ command: String) -> Int {
                guard let line = stats.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_\(command):") }),
                      let field = line.split(separator: ",").first?.split(separator: "=").last else { return 0 }
                return Int(field) ?? 0
            }
            #expect(calls("scan") == 2)
            #expect(calls("type") <= 50)
            #expect(calls("getrange") <= 50)
        }
    }

    @Test func aContextWithSeveralPrefixesIsWatchedWhole() async throws {
        try await withLockServer { pool, admin in
            let scratch = try ScratchDirectory()
            defer { scratch.remove() }
            let path = try contextConfigFile("""
                [contexts.mixed]
                url = "\(pool.server.url)"
                prefixes = ["job:", "DUSEPK_REDIS_LOCK_"]
                """, in: scratch)
            let jobs = try Locker(client: try pool.client(), configuration: LockConfiguration(prefix: "job:", owner: "job-owner"))
            _ = try #require(try await jobs.tryLock("nightly", ttl: .seconds(60)).lease)
            _ = try await admin.send("SET", "DUSEPK_REDIS_LOCK_order_sync", "tok-8f3a9c", "EX", 60)
            _ = try #require(try await pool.locker(owner: "lock-owner").tryLock("other", ttl: .seconds(60)).lease)
            let result = try await runLockwatch(["--context", "mixed", "--config", path, "list"], in: scratch.path)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("job:{nightly}") && result.stdout.contains("DUSEPK_REDIS_LOCK_order_sync"), "\(result.stdout)")
            #expect(!result.stdout.contains("lock:{other}"))
            #expect(result.stdout.contains("2 locks under job: DUSEPK_REDIS_LOCK_"), "\(result.stdout)")
            #expect(result.stdout.hasSuffix("also seen: lock:* (lockwatch, 1 key) — add --prefix lock:\n"), "\(result.stdout)")
        }
    }
}
