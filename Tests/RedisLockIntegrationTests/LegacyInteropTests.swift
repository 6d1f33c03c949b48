import Foundation
import Glibc
import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// The original Go lock, as the seed sends it, on a raw connection of its own: `SET key token
/// EX n NX` to lock; `GET`, compare, `DEL` to unlock (three separate commands: racy).
actor GoStyleLockClient {
    let connection: RedisConnection
    let prefix: String

    init(url: String, prefix: String = LockLayout.legacyPrefix) async throws {
        connection = try await RedisConnection.connect(RedisConfiguration(url: url, environment: [:]))
        self.prefix = prefix
    }

    /// `SET DUSEPK_REDIS_LOCK_<key> <token> EX <seconds> NX`: whether it was set.
    func lock(_ key: String, token: String, seconds: Int) async throws -> Bool {
        try await connection.send("SET", prefix + key, token, "EX", String(seconds), "NX").decode(as: String?.self) == "OK"
    }

    /// Go's unlock, step 1: `GET`; whether the stored value is our token.
    func ownsLock(_ key: String, token: String) async throws -> Bool {
        try await connection.send("GET", prefix + key).decode(as: String?.self) == token
    }

    /// Go's unlock, step 2 (after a matching `GET`): `DEL`; how many keys it deleted.
    func delete(_ key: String) async throws -> Int {
        try await connection.send("DEL", prefix + key).decode(as: Int.self)
    }

    /// Go's whole unlock: `GET`, compare, `DEL`.
    func unlock(_ key: String, token: String) async throws -> Bool {
        guard try await ownsLock(key, token: token) else { return false }
        return try await delete(key) == 1
    }

    func close() async {
        await connection.close()
    }
}

/// Sharing locks with the Go services through Codis: the legacy layout (key
/// `DUSEPK_REDIS_LOCK_<name>`, value the plain token), the Go-shaped `LegacyLock`, Go-style
/// clients and Swift holders excluding each other, Go's unlock race and the Swift side
/// noticing it, and `lockwatch hold --legacy`.
@Suite("LegacyInteropTests", .serialized)
struct LegacyInteropTests {
    /// A legacy-layout `Locker` and `LegacyLock` write exactly what Go writes and read what Go
    /// wrote: each excludes the other, release and extend compare the token, and a foreign
    /// token is never deleted.
    @Test func layoutMatchesTheGoLock() async throws {
        try await ProxyLockTesting.with(.codis) { target in
            let admin = try target.client()
            let go = try await GoStyleLockClient(url: target.url)
            let locker = try target.locker(.legacy(owner: "swift-legacy"))
            let legacy = LegacyLock(backend: try target.client())

            let lease = try #require(try await locker.tryLock("orders:7", ttl: .seconds(30), token: "swift-token-1").lease)
            #expect(lease.keys.lock == "DUSEPK_REDIS_LOCK_orders:7")
            #expect(lease.value == "swift-token-1")
            #expect(lease.fence == 0)
            #expect(try await admin.get("DUSEPK_REDIS_LOCK_orders:7") == "swift-token-1")
            let seconds = try await admin.send("TTL", "DUSEPK_REDIS_LOCK_orders:7").decode(as: Int.self)
            #expect((29 ... 30).contains(seconds))
            #expect(try await go.lock("orders:7", token: "go-token", seconds: 30) == false, "Go took a lock Swift holds")
            #expect(try await legacy.lock(key: "orders:7", token: "go-token", expireSeconds: 30) == false)
            #expect(try await legacy.unlock(key: "orders:7", token: "go-token") == false)
            #expect(try await legacy.extend(key: "orders:7", token: "go-token", expireSeconds: 60) == false)
            #expect(try await admin.get("DUSEPK_REDIS_LOCK_orders:7") == "swift-token-1", "a foreign token deleted or changed the lock")
            #expect(try await locker.extend(lease, ttl: .seconds(60)))
            #expect(try await admin.pttl("DUSEPK_REDIS_LOCK_orders:7") > 30_000)
            #expect(try await locker.unlock(lease))

            #expect(try await go.lock("orders:7", token: "go token/with spaces", seconds: 30))
            guard case .held(let holder) = try await locker.tryLock("orders:7", ttl: .seconds(30)) else {
                Issue.record("Swift took a lock Go holds")
                return
            }
            #expect(holder.value == "go token/with spaces")
            #expect((holder.remaining ?? .zero) > .seconds(20))
            #expect(try await legacy.extend(key: "orders:7", token: "go token/with spaces", expireSeconds: 90))
            #expect(try await admin.pttl("DUSEPK_REDIS_LOCK_orders:7") > 60_000)
            #expect(try await legacy.unlock(key: "orders:7", token: "go token/with spaces"))
            #expect(try await legacy.lock(key: "orders:7", token: "ported", expireSeconds: 5))
            #expect(try await go.unlock("orders:7", token: "ported"))

            // The prefix is configurable; tokens must be printable.
            let custom = LegacyLock(backend: try target.client(), prefix: "MY_LOCK_")
            #expect(try await custom.lock(key: "a", token: "t", expireSeconds: 5))
            #expect(try await admin.get("MY_LOCK_a") == "t")
            let invalid = await #expect(throws: LockError.self) { try await custom.lock(key: "a", token: "bad\u{1B}[31m", expireSeconds: 5) }
            #expect(invalid?.code == .invalidArgument)
            #expect(invalid?.message.contains("\u{1B}") == false, "the token must be escaped in the message")
            await go.close()
        }
    }

    /// Three Go-style clients and three Swift holders in the legacy layout contend for two
    /// names (one in each Codis group); intervals taken from the holders' own timestamps
    /// (after the acquire's reply, before the release is sent) never overlap per name.
    @Test func goAndSwiftHoldersExcludeEachOther() async throws {
        try await ProxyLockTesting.with(.codis) { target in
            let names = try await ProxyLockTesting.namesOnBothBackends(target, prefix: LockLayout.legacyPrefix)
            let intervals = Locked<[String: [(start: ContinuousClock.Instant, end: ContinuousClock.Instant, who: String)]]>([:])
            let rounds = 12
            var goClients: [GoStyleLockClient] = []
            for _ in 0 ..< 3 { goClients.append(try await GoStyleLockClient(url: target.url)) }
            let lockers = try (0 ..< 3).map { try target.locker(.legacy(owner: "swift-\($0)")) }
            let record: @Sendable (String, ContinuousClock.Instant, String) async throws -> Void = { name, start, who in
                try await Task.sleep(for: .milliseconds(Int.random(in: 1 ... 4)))  // the holder's work
                let end = ContinuousClock.now
                intervals.withLock { $0[name, default: []].append((start, end, who)) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in names {
                    for (index, go) in goClients.enumerated() {
                        group.addTask {
                            for round in 0 ..< rounds {
                                let token = "go-\(index)-\(round)"
                                // The seed's loop: try, sleep a little, try again.
                                while try await !go.lock(name, token: token, seconds: 10) {
                                    try await Task.sleep(for: .milliseconds(Int.random(in: 1 ... 5)))
                                }
                                try await record(name, ContinuousClock.now, token)
                                #expect(try await go.unlock(name, token: token))
                            }
                        }
                    }
                    for (index, locker) in lockers.enumerated() {
                        group.addTask {
                            for _ in 0 ..< rounds {
                                let lease = try await locker.lock(name, ttl: .seconds(10), wait: .seconds(60))
                                try await record(name, ContinuousClock.now, "swift-\(index)")
                                #expect(try await locker.unlock(lease))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            for client in goClients { await client.close() }
            for name in names {
                let sorted = (intervals.value[name] ?? []).sorted { $0.start < $1.start }
                #expect(sorted.count == rounds * 6)
                #expect(Set(sorted.map { $0.who.hasPrefix("go") }).count == 2, "both sides should have held '\(name)'")
                for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                    #expect(earlier.end <= later.start, "\(earlier.who) and \(later.who) held '\(name)' at once")
                }
            }
        }
    }

    /// Go's unlock race, and the Swift side noticing it: Go's `GET` sees its token, its lock
    /// expires, `lockwatch hold --legacy` takes the lock, then Go's `DEL` deletes the Swift
    /// holder's lock. The holder finds it gone at its next renewal and exits 76 after
    /// stopping its command. The Swift `LegacyLock.unlock` in Go's place deletes nothing.
    @Test func goUnlockRaceIsDetectedByHoldLegacy() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ProxyLockTesting.with(.codis) { target in
            let admin = try target.client()
            let go = try await GoStyleLockClient(url: target.url)
            let key = LockLayout.legacyPrefix + "race"
            #expect(try await go.lock("race", token: "go-token", seconds: 1))
            #expect(try await go.ownsLock("race", token: "go-token"), "Go's GET sees its own token")
            try #require(try await eventually(timeout: .seconds(5)) { try await admin.pttl(key) == -2 }, "Go's lock never expired")

            let tokenFile = scratch.file("token")
            let holder = try SpawnedProcess(
                lockwatch,
                ["hold", "--legacy", "race", "--url", target.url, "--ttl", "3s", "--wait", "10s", "--grace", "2s", "--",
                 "sh", "-c", "printf '%s %s' \"$LOCK_TOKEN\" \"${LOCK_FENCE-unset}\" > \"$0.tmp\" && mv \"$0.tmp\" \"$0\"; exec sleep 30", tokenFile],
                directory: scratch.path)
            defer { holder.killIfRunning() }
            try #require(try await eventually(timeout: .seconds(15)) { FileManager.default.fileExists(atPath: tokenFile) },
                         "hold --legacy never ran its command; stderr: \(holder.standardError)")
            let written = try String(contentsOfFile: tokenFile, encoding: .utf8).split(separator: " ").map(String.init)
            #expect(written.count == 2 && written[1] == "unset", "a legacy hold has no fence: \(written)")
            let swiftToken = try #require(written.first)
            #expect(try await admin.get(key) == swiftToken, "the Swift holder's lock is the plain token under Go's key")

            // Go's unlock, step 2: the DEL after its stale GET deletes the Swift lock.
            #expect(try await go.delete("race") == 1)
            let deleted = ContinuousClock.now
            let status = await holder.waitForExit(timeout: .seconds(15))
            #expect(status == 76, "stderr: \(holder.standardError)")
            #expect(holder.standardError.contains("lost the lease"), "stderr: \(holder.standardError)")
            #expect(ContinuousClock.now - deleted < .seconds(10), "the loss should be found at the next renewal (every 1 s)")

            // The same sequence with the Swift LegacyLock in Go's place deletes nothing.
            let ported = LegacyLock(backend: try target.client())
            #expect(try await ported.lock(key: "race", token: "ported-token", expireSeconds: 1))
            try #require(try await eventually(timeout: .seconds(5)) { try await admin.pttl(key) == -2 })
            let other = try target.locker(.legacy(owner: "new-holder"))
            let lease = try #require(try await other.tryLock("race", ttl: .seconds(30)).lease)
            #expect(try await ported.unlock(key: "race", token: "ported-token") == false)
            #expect(try await admin.get(key) == lease.value, "the atomic unlock deleted the new holder's lock")
            #expect(try await other.unlock(lease))
            await go.close()
        }
    }

    /// `hold --legacy --token T --prefix P` holds `P` + name with value `T` while the command
    /// runs (LOCK_TOKEN is T) and releases it after; a Go-style client is shut out meanwhile.
    @Test func holdLegacyWithTokenAndPrefix() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ProxyLockTesting.with(.codis) { target in
            let go = try await GoStyleLockClient(url: target.url, prefix: "APP_LOCK_")
            let script = "[ \"$LOCK_TOKEN\" = host-7:job ] && [ \"$LOCK_KEY\" = APP_LOCK_nightly ] || exit 9; sh -c \"$0\"; exit 4"
            let probe = scratch.file("probe.sh")
            // The command asks Redis, through the proxy, who holds the key while it runs.
            try "redis-cli -p \(URL(string: target.url)!.port!) GET APP_LOCK_nightly > \(scratch.file("seen"))\n".write(toFile: probe, atomically: true, encoding: .utf8)
            let result = try await runLockwatch(
                ["hold", "--legacy", "--prefix", "APP_LOCK_", "--token", "host-7:job", "nightly", "--url", target.url, "--ttl", "5s", "--",
                 "sh", "-c", script, "sh \(probe)"],
                in: scratch.path)
            #expect(result.status == 4, "stderr: \(result.stderr)")
            #expect(try String(contentsOfFile: scratch.file("seen"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "host-7:job")
            #expect(try await go.lock("nightly", token: "go", seconds: 5), "hold should have released the lock")
            #expect(try await go.unlock("nightly", token: "go"))
            await go.close()
        }
    }

    /// A legacy-layout `Locker` keeps what a `Locker` offers: it waits (by polling, through
    /// Codis) for a Go holder's release, `withLock` renews the plain-token key past its TTL,
    /// and a Go-style `DEL` behind its back is reported as a lost lease.
    @Test func legacyLockerWaitsRenewsAndReportsLoss() async throws {
        try await ProxyLockTesting.with(.codis) { target in
            let admin = try target.client()
            let go = try await GoStyleLockClient(url: target.url)
            let locker = try target.locker(.legacy(owner: "swift-legacy"))
            #expect(try await go.lock("job", token: "go-holder", seconds: 30))
            let waiting = Task { try await locker.lock("job", ttl: .seconds(30), wait: .seconds(20), token: "swift-waiter") }
            try #require(try await eventually(timeout: .seconds(10)) { try target.scriptCalls() >= 2 }, "the Swift waiter never tried")
            #expect(try await go.unlock("job", token: "go-holder"))
            let lease = try await waiting.value
            #expect(try await admin.get("DUSEPK_REDIS_LOCK_job") == "swift-waiter")
            #expect(try await locker.unlock(lease))

            let ttl = Duration.milliseconds(600)
            try await locker.withLock("job", ttl: ttl) { lease in
                let start = ContinuousClock.now
                while ContinuousClock.now - start < ttl * 3 {
                    #expect(try await admin.get("DUSEPK_REDIS_LOCK_job") == lease.token, "the legacy lease lapsed while the body ran")
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(try await admin.get("DUSEPK_REDIS_LOCK_job") == nil)

            let error = await #expect(throws: LockError.self) {
                try await locker.withLock("job", ttl: .seconds(1)) { lease in
                    #expect(try await go.delete("job") == 1)
                    try await Task.sleep(for: .seconds(30))  // cancelled by the loss
                }
            }
            #expect(error?.code == .leaseLost)
            await go.close()
        }
    }

    /// The legacy layout's wake-up channel carries the key's hash tag, so a release script may
    /// publish on it in the key's cluster slot: the whole key in braces when it has no tag,
    /// the key itself when it has one.
    @Test func legacyChannelSharesTheKeysHashTag() {
        let plain = LockKeys(legacyName: "orders:42", prefix: LockLayout.legacyPrefix)
        #expect(plain.lock == "DUSEPK_REDIS_LOCK_orders:42")
        #expect(plain.channel == "{DUSEPK_REDIS_LOCK_orders:42}:released")
        let tagged = LockKeys(legacyName: "{orders}:42", prefix: LockLayout.legacyPrefix)
        #expect(tagged.channel == "DUSEPK_REDIS_LOCK_{orders}:42:released")
        let emptyTag = LockKeys(legacyName: "{}x", prefix: "P_")
        #expect(emptyTag.channel == "{P_{}x}:released")
        #expect(HashSlot(key: plain.channel) == HashSlot(key: plain.lock))
        #expect(HashSlot(key: tagged.channel) == HashSlot(key: tagged.lock))
    }
}
