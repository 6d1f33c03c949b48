import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// The lock core under forced interleavings (issue 18): replies that arrive late, extends
/// that resume out of order, a clean-up racing a retry, a reconnect that hangs, a body that
/// ignores cancellation. Each interleaving is forced by an ``InterposedBackend`` or a
/// ``FaultProxy`` and waited for as an event, never by sleeping.
@Suite("Core timing")
struct CoreTimingTests {
    /// Item 1: the acquire ran on the server, but its reply arrives only after the lease
    /// expired there and someone else took the lock. `tryLock` must not return that lease,
    /// and must not touch the new holder's lock.
    @Test func leaseBornExpiredIsReleasedAndNotReturned() async throws {
        try await withLockServer { pool, admin in
            let thief = try pool.locker(owner: "thief")
            let key = thief.keys(for: "late").lock
            let stolen = Locked<LockLease?>(nil)
            let backend = InterposedBackend(client: try pool.client()) { call, proceed throws(RedisError) -> RESPToken in
                let reply = try await proceed()
                if call.runs(LockScripts.acquire) {
                    // The reply is late: the lock expires on the server and is taken meanwhile.
                    _ = try? await eventually { try await admin.pttl(key) == -2 }
                    let lease = try? await thief.tryLock("late", ttl: .seconds(30)).lease
                    stolen.withLock { $0 = lease }
                }
                return reply
            }
            let locker = try Locker(backend: backend, configuration: LockConfiguration(owner: "slow-reply", acceptedRisks: [.noPersistence]))
            let error = await lockError { () throws(LockError) in try await locker.tryLock("late", ttl: .milliseconds(200)) }
            #expect(error?.code == .notAcquired, "\(String(describing: error))")
            let thiefLease = try #require(stolen.value, "the thief could not take the expired lock")
            #expect(try await admin.get(key) == thiefLease.value, "the late acquire touched the new holder's lock")
        }
    }

    /// Item 1: after an acquire that took most of the TTL, the first renewal comes before the
    /// validity left runs out, not a whole renewal interval later.
    @Test func firstRenewalComesWithinTheValidityLeft() async throws {
        try await withLockServer { pool, admin in
            let key = "lock:{slow-start}"
            let backend = InterposedBackend(client: try pool.client()) { call, proceed throws(RedisError) -> RESPToken in
                let reply = try await proceed()
                if call.runs(LockScripts.acquire) {
                    // Deliver the reply only when less than a renewal interval (1 s) is left.
                    _ = try? await eventually(interval: .milliseconds(2)) { try await admin.pttl(key) < 900 }
                }
                return reply
            }
            let locker = try Locker(backend: backend, configuration: LockConfiguration(owner: "slow-start", acceptedRisks: [.noPersistence]))
            let ttl = Duration.seconds(3)
            let lease = try #require(try await locker.tryLock("slow-start", ttl: ttl).lease)
            let renewal = Task { await locker.keepRenewed(lease, ttl: ttl) }
            defer { renewal.cancel() }
            let renewed = try await eventually(timeout: .seconds(3)) { try await admin.pttl(key) > 2000 }
            #expect(renewed, "the first renewal came too late: the lock expired")
            #expect(!lease.isLost, "\(String(describing: lease.loss))")
        }
    }

    /// Item 2: the connection drops and every new one hangs in its handshake (the proxy
    /// accepts but the server's replies never come back). Loss must be reported when the
    /// validity ends, not after the reconnect gives up (the 5 s connect timeout).
    @Test func lossIsReportedWhenValidityEndsWhileTheReconnectHangs() async throws {
        try await withLockServer { pool, _ in
            let proxy = try FaultProxy(forwardingTo: pool.server.port)
            defer { proxy.stop() }
            let client = try RedisClient(url: proxy.url)
            let locker = try Locker(client: client, configuration: LockConfiguration(owner: "partitioned", acceptedRisks: [.noPersistence]))
            let ttl = Duration.milliseconds(900)
            let lease = try #require(try await locker.tryLock("hang", ttl: ttl).lease)
            let renewal = Task { await locker.keepRenewed(lease, ttl: ttl) }

            proxy.holdReplies()
            proxy.dropConnections()
            let loss = try await within(.seconds(4), "renewal reporting the loss") { await renewal.value }
            let late = ContinuousClock.now - lease.validUntil
            if case .renewalFailed? = loss ?? nil {} else { Issue.record("expected renewalFailed, got \(String(describing: loss))") }
            #expect(late < .milliseconds(500), "the loss was reported \(late) after the lease's validity ended")
            proxy.stop()
            await client.shutdown()
        }
    }

    /// Item 3: attempt 1 (caller's token) loses its reply while someone else holds the lock;
    /// that holder releases; the retry with the same token acquires. The clean-up of attempt
    /// 1, made to come as late as possible, must not delete the retry's lock.
    @Test func lateCleanupNeverDeletesTheRetrysLock() async throws {
        try await withLockServer { pool, admin in
            let other = try pool.locker(owner: "other")
            let key = other.keys(for: "retried").lock
            let gate = FirstOf<Void>()
            let cleanups = EventCounter()
            let acquires = EventCounter()
            let backend = InterposedBackend(client: try pool.client()) { call, proceed throws(RedisError) -> RESPToken in
                if call.runs(LockScripts.releaseByToken) {
                    await gate.value
                    defer { cleanups.record() }
                    return try await proceed()
                }
                guard call.runs(LockScripts.acquire) else { return try await proceed() }
                acquires.record()
                let reply = try await proceed()
                if acquires.count == 1 { throw RedisError(.timeout, "EVALSHA got no reply within its timeout") }
                gate.finish(())  // a clean-up still pending runs now, after this acquire
                await cleanups.wait()
                return reply
            }
            let locker = try Locker(backend: backend, configuration: LockConfiguration(owner: "retrier", acceptedRisks: [.noPersistence]))
            let held = try #require(try await other.tryLock("retried", ttl: .seconds(30)).lease)

            let first = await lockError { () throws(LockError) in try await locker.tryLock("retried", ttl: .seconds(30), token: "my-token") }
            #expect(first?.code == .outcomeUnknown, "\(String(describing: first))")
            #expect(try await other.unlock(held))
            let retry = Task { try await locker.tryLock("retried", ttl: .seconds(30), token: "my-token") }
            // Either the retry waits for the clean-up, or (the bug) it acquires at once.
            try #require(try await eventually { locker.pendingCleanups.waiting == 1 || acquires.count == 2 })
            gate.finish(())
            let lease = try #require(try await within(.seconds(5), "the retry") { try await retry.value }?.lease)
            _ = try await within(.seconds(5), "the clean-up") { await cleanups.wait() }
            #expect(try await admin.get(key) == lease.value, "the first attempt's clean-up deleted the retry's lock")
        }
    }

    /// Item 4: a body that ignores cancellation keeps running after the caller is cancelled;
    /// its lease must stay renewed until it returns, and then be released.
    @Test func renewalGoesOnWhileACancelledBodyStillRuns() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "stubborn")
            let key = locker.keys(for: "stubborn").lock
            let started = FirstOf<LockLease>()
            let finish = FirstOf<Void>()
            let ttl = Duration.milliseconds(1500)
            let task = Task {
                try await locker.withLock("stubborn", ttl: ttl) { lease in
                    started.finish(lease)
                    await finish.value  // ignores cancellation
                }
            }
            let lease = await started.value
            task.cancel()
            let cancelledValidity = lease.validUntil
            // Past the validity the lease had when the caller was cancelled: only renewal keeps it.
            try #require(try await eventually(timeout: .seconds(3)) { ContinuousClock.now > cancelledValidity + .milliseconds(300) })
            #expect(try await admin.get(key) == lease.value, "renewal stopped with the caller while the body still ran")
            #expect(!lease.isLost, "\(String(describing: lease.loss))")
            finish.finish(())
            _ = try await within(.seconds(3), "withLock after the body") { await task.result }
            #expect(try await eventually { try await admin.exists(key) == false }, "the lock was not released")
        }
    }

    /// Item 5: two extends with different TTLs; the one sent first (60 s) resumes after the
    /// one sent second (1 s), whose TTL the server kept. The lease's validity must not
    /// outlast the server's TTL.
    @Test func extendsResumingOutOfOrderKeepTheEarlierValidity() async throws {
        try await withLockServer { pool, admin in
            let firstRan = EventCounter()
            let secondDone = EventCounter()
            let backend = InterposedBackend(client: try pool.client()) { call, proceed throws(RedisError) -> RESPToken in
                let reply = try await proceed()
                if call.runs(LockScripts.extend), call.arguments[1] == "60000" {
                    firstRan.record()
                    await secondDone.wait()
                }
                return reply
            }
            let locker = try Locker(backend: backend, configuration: LockConfiguration(owner: "extender", acceptedRisks: [.noPersistence]))
            let lease = try #require(try await locker.tryLock("twice", ttl: .seconds(30)).lease)
            let first = Task { try await locker.extend(lease, ttl: .seconds(60)) }
            await firstRan.wait()
            #expect(try await locker.extend(lease, ttl: .seconds(1)))
            secondDone.record()
            #expect(try await first.value)
            #expect(try await admin.pttl(lease.keys.lock) <= 1000)
            let left = lease.validUntil - ContinuousClock.now
            #expect(left <= .seconds(1), "the lease claims \(left) of validity, the server's TTL is 1 s")
        }
    }

    /// Item 7: a body that throws `leaseLost` of its own (a nested lock it lost) must not keep
    /// the outer lock held until its TTL.
    @Test func bodyThrowingLeaseLostStillReleasesTheOuterLock() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "outer")
            let key = locker.keys(for: "outer").lock
            do {
                try await locker.withLock("outer", ttl: .seconds(30)) { _ in
                    throw LockError(.leaseLost, "the inner lock was lost")
                }
                Issue.record("withLock returned normally")
            } catch let error as LockError {
                #expect(error.code == .leaseLost)
            }
            #expect(try await admin.exists(key) == false, "the outer lock stayed held after the body threw leaseLost")
        }
    }

    /// Item 8: the acquire ran, then the connection broke for a reason other than a close or
    /// a timeout (a protocol violation, a limit). The outcome is unknown: it is reported so
    /// and the lock is cleaned up, not left orphaned until its TTL.
    @Test(arguments: [RedisError.Code.protocolViolation, .limitExceeded, .tlsFailure])
    func anyFailureAfterTheWriteIsAnUnknownOutcome(_ code: RedisError.Code) async throws {
        try await withLockServer { pool, admin in
            let backend = InterposedBackend(client: try pool.client()) { call, proceed throws(RedisError) -> RESPToken in
                let reply = try await proceed()
                if call.runs(LockScripts.acquire) { throw RedisError(code, "the reply could not be read") }
                return reply
            }
            let locker = try Locker(backend: backend, configuration: LockConfiguration(owner: "broken-reply", acceptedRisks: [.noPersistence]))
            let key = locker.keys(for: "orphan").lock
            let error = await lockError { () throws(LockError) in try await locker.tryLock("orphan", ttl: .seconds(30)) }
            #expect(error?.code == .outcomeUnknown, "\(String(describing: error))")
            #expect(try await eventually { try await admin.exists(key) == false }, "the lock was left orphaned until its TTL")
        }
    }
}
