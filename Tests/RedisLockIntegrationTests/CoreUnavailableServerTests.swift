import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// A server that is briefly unavailable (issue 18 items 9, 12, 13; issue 14 item 6): waits
/// ride it out and then say what failed; held leases are verified as soon as it is back.
@Suite("Core unavailable server")
struct CoreUnavailableServerTests {
    /// Item 9: a send refused by a connection that was already closing was never written: it
    /// is not an unknown outcome, and `lock(wait:)` retries it within the wait.
    @Test func sendThatWasNeverWrittenIsRetriedWithinTheWait() async throws {
        try await withLockServer { pool, admin in
            let acquires = EventCounter()
            let cleanups = EventCounter()
            let backend = InterposedBackend(client: try pool.client()) { call, proceed throws(RedisError) -> RESPToken in
                if call.runs(LockScripts.releaseByToken) { cleanups.record() }
                if call.runs(LockScripts.acquire) {
                    acquires.record()
                    // The first try meets a connection that is closing: nothing is written.
                    if acquires.count == 1 { throw RedisError(.connectionClosed, "the connection is closed") }
                }
                return try await proceed()
            }
            let locker = try Locker(backend: backend, configuration: LockConfiguration(owner: "retrying", acceptedRisks: [.noPersistence]))
            let lease = try await locker.lock("closing", ttl: .seconds(30), wait: .seconds(5))
            #expect(acquires.count == 2)
            #expect(cleanups.count == 0, "an acquire that was never written needs no clean-up")
            #expect(try await admin.get(lease.keys.lock) == lease.value)
        }
    }

    /// Item 12: `LOADING` (a restarting server reading its data) is transient: retried within
    /// the wait, and, if it lasts until the wait ends, reported as the server being
    /// unavailable (`connectionFailed`), never as a refusal.
    @Test func loadingIsRetriedWithinTheWaitAndReportedAsUnavailable() async throws {
        try await withLockServer { pool, admin in
            let loadingTries = Locked(3)
            let backend = InterposedBackend(client: try pool.client()) { call, proceed throws(RedisError) -> RESPToken in
                if call.runs(LockScripts.acquire), loadingTries.withLock({ tries in
                    defer { tries -= 1 }
                    return tries > 0
                }) {
                    throw RedisError.fromServer(message: "LOADING Redis is loading the dataset in memory")
                }
                return try await proceed()
            }
            let locker = try Locker(backend: backend, configuration: LockConfiguration(owner: "patient", acceptedRisks: [.noPersistence]))
            let lease = try await locker.lock("loading", ttl: .seconds(30), wait: .seconds(5))
            #expect(try await admin.get(lease.keys.lock) == lease.value)
            #expect(try await locker.unlock(lease))

            loadingTries.withLock { $0 = .max }
            let once = await lockError { () throws(LockError) in try await locker.tryLock("loading", ttl: .seconds(30)) }
            #expect(once?.code == .connectionFailed, "\(String(describing: once))")
            let start = ContinuousClock.now
            let error = await lockError { () throws(LockError) in try await locker.lock("loading", ttl: .seconds(30), wait: .milliseconds(300)) }
            #expect(ContinuousClock.now - start >= .milliseconds(300))
            #expect(error?.code == .connectionFailed, "\(String(describing: error))")
            #expect(error?.message.contains("LOADING") == true, "\(String(describing: error))")
            #expect(error?.underlying?.code != .authenticationFailed && error?.underlying?.code != .permissionDenied)
        }
    }

    /// Item 13: while the server refuses connections, `lock(wait:)` keeps trying until the
    /// wait ends; once it accepts again the lock is taken.
    @Test func refusedConnectionsAreRetriedUntilTheServerIsBack() async throws {
        try await withLockServer { pool, admin in
            let proxy = try FaultProxy(forwardingTo: pool.server.port)
            defer { proxy.stop() }
            let client = try RedisClient(url: proxy.url)
            let failures = EventCounter()
            let backend = InterposedBackend(client: client) { call, proceed throws(RedisError) -> RESPToken in
                do throws(RedisError) {
                    return try await proceed()
                } catch {
                    if call.runs(LockScripts.acquire) { failures.record() }
                    throw error
                }
            }
            let locker = try Locker(backend: backend, configuration: LockConfiguration(owner: "restart-waiter", acceptedRisks: [.noPersistence]))
            proxy.stopAccepting()
            let waiting = Task { try await locker.lock("refused", ttl: .seconds(30), wait: .seconds(20)) }
            _ = try await within(.seconds(5), "a refused try") { await failures.wait() }
            try proxy.startAccepting()
            let lease = try #require(try await within(.seconds(10), "the lock after the server came back") { try await waiting.value })
            #expect(try await admin.get(lease.keys.lock) == lease.value)
            await client.shutdown()
        }
    }

    /// Item 13: a server that stays down until the wait ends: `connectionFailed`, saying what
    /// failed, after about the wait, not at once.
    @Test func serverDownForTheWholeWaitIsReportedAsUnavailable() async throws {
        try await withLockServer { pool, _ in
            let proxy = try FaultProxy(forwardingTo: pool.server.port)
            defer { proxy.stop() }
            proxy.stopAccepting()
            let client = try RedisClient(url: proxy.url)
            let locker = try Locker(client: client, configuration: LockConfiguration(owner: "given-up", acceptedRisks: [.noPersistence]))
            let start = ContinuousClock.now
            let error = await lockError { () throws(LockError) in try await locker.lock("down", ttl: .seconds(30), wait: .milliseconds(500)) }
            let elapsed = ContinuousClock.now - start
            #expect(error?.code == .connectionFailed, "\(String(describing: error))")
            #expect(error?.message.contains("unavailable") == true, "\(String(describing: error))")
            #expect(elapsed >= .milliseconds(500), "gave up after \(elapsed)")
            #expect(elapsed < .seconds(3), "overran the 500 ms wait: \(elapsed)")
            await client.shutdown()
        }
    }

    /// Issue 14 item 6: a restart without persistence loses the lock. With a 30 s TTL the next
    /// scheduled renewal is 10 s away; the dropped connection makes renewal verify the lease
    /// at once, so the loss is reported within a second of the server being back.
    @Test func restartWithoutPersistenceIsReportedWithinASecond() async throws {
        try await withLockServer { pool, _ in
            let locker = try pool.locker(owner: "long-ttl")
            let ttl = Duration.seconds(30)
            let lease = try #require(try await locker.tryLock("restarted", ttl: ttl).lease)
            let renewal = Task { await locker.keepRenewed(lease, ttl: ttl) }
            defer { renewal.cancel() }
            try await pool.server.restart()
            let back = ContinuousClock.now
            let loss = try await within(.seconds(5), "renewal noticing the restart") { await renewal.value }
            let after = ContinuousClock.now - back
            #expect(loss == .expired, "\(String(describing: loss))")
            #expect(after < .seconds(1), "the loss was reported \(after) after the server came back")
        }
    }

    /// Item 11: the safety check runs once per locker in a Task of its own: a first acquire
    /// that is cancelled (or, in a Redlock, cut off by the per-node timeout) must not mark it
    /// done without it having run.
    @Test func safetyCheckRunsEvenWhenTheFirstAcquireIsCancelled() async throws {
        try await withLockServer { pool, _ in
            let backend = InterposedBackend(client: try pool.client()) { _, proceed throws(RedisError) -> RESPToken in
                try await proceed()
            }
            let locker = try Locker(backend: backend, configuration: LockConfiguration(owner: "cancelled-first", acceptedRisks: [.noPersistence]))
            await withTaskGroup(of: Void.self) { group in
                group.cancelAll()
                group.addTask { _ = try? await locker.tryLock("first", ttl: .seconds(5)) }
            }
            let lease = try #require(try await locker.tryLock("second", ttl: .seconds(5)).lease)
            #expect(try await locker.unlock(lease))
            #expect(backend.answeredCommands.value.filter { $0 == "CONFIG" }.count == 1,
                    "CONFIG GET answered \(backend.answeredCommands.value.filter { $0 == "CONFIG" }.count) times")
        }
    }

    /// Item 11: renewal fractions that leave no room for renewals are refused.
    @Test(arguments: [0.0, 1.0, 20.0, -1.0])
    func renewalFractionIsValidated(_ fraction: Double) async throws {
        let client = try RedisClient(url: "redis://127.0.0.1:1")
        var configuration = LockConfiguration(owner: "x", acceptedRisks: [.noPersistence])
        configuration.renewalFraction = fraction
        do {
            _ = try Locker(client: client, configuration: configuration)
            Issue.record("renewalFraction \(fraction) was accepted")
        } catch {
            #expect(error.code == .invalidArgument)
        }
    }

    /// Item 6: the configurations under which fences can repeat are warned about.
    @Test func safetyCheckWarnsWhereFencesCanRepeat() {
        func warnings(_ settings: [String: String]) -> String {
            ServerSafetyCheck.warnings(for: ["maxmemory-policy": "noeviction"].merging(settings) { $1 }).joined(separator: "\n")
        }
        #expect(warnings(["appendonly": "yes", "appendfsync": "always", "save": ""]).isEmpty)
        #expect(warnings(["appendonly": "yes", "appendfsync": "everysec", "save": ""]).contains("appendfsync is 'everysec'"))
        #expect(warnings(["appendonly": "yes", "appendfsync": "no", "save": ""]).contains("appendfsync is 'no'"))
        #expect(warnings(["appendonly": "yes", "appendfsync": "always", "connected_slaves": "2"]).contains("2 replica(s)"))
        #expect(warnings(["appendonly": "yes", "appendfsync": "always", "replicaof": "10.0.0.1 6379"]).contains("is a replica"))
        #expect(warnings(["appendonly": "no", "save": ""]).contains("persistence is off"))
    }
}
