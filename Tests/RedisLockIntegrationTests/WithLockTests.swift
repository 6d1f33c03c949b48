import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// `withLock`: release afterwards, background renewal, loss during the body, errors, cancellation.
@Suite("withLock")
struct WithLockTests {
    struct BodyFailure: Error, Equatable {
        let id: Int
    }

    @Test func bodyRunsWithAValidLeaseAndTheLockIsReleased() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "with-lock")
            let key = locker.keys(for: "scoped").lock
            let result = try await locker.withLock("scoped", ttl: .seconds(10)) { lease in
                #expect(lease.isValid)
                #expect(lease.name == "scoped")
                let stored = try await admin.get(key)
                #expect(stored == lease.value)
                return lease.fence
            }
            #expect(result >= 1)
            #expect(try await admin.exists(key) == false, "withLock did not release the lock")
        }
    }

    /// A 1 s lease renewed every 333 ms survives a 4 s body. Renewal must get its reply
    /// within about 650 ms of starting (the suite runs in parallel on two cores); when the machine is so loaded (other builds on two
    /// cores) that it cannot, the lease is correctly reported lost with `renewalFailed`. Only
    /// that outcome is retried, at most twice, with a fresh lock.
    @Test func renewalKeepsAShortLeaseAliveThroughALongBody() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "renewer")
            let ttl = Duration.milliseconds(1000)
            let bodyTime = Duration.milliseconds(4000)
            for attempt in 1...3 {
                let name = "renewed-\(attempt)"
                let key = locker.keys(for: name).lock
                do {
                    try await locker.withLock(name, ttl: ttl) { lease in
                        let firstValidity = lease.validUntil
                        // The body's own duration is what this test is about: four TTLs.
                        try await Task.sleep(for: bodyTime)
                        let remaining = try await admin.pttl(key)
                        #expect(remaining > 0 && remaining <= 1000, "the lock expired (or has a wrong TTL: \(remaining)) after a 4 s body")
                        #expect(try await admin.get(key) == lease.value)
                        #expect(lease.validUntil > firstValidity + .seconds(2), "no renewal moved the lease's validity on")
                        #expect(!lease.isLost)
                        #expect(lease.isValid)
                    }
                    #expect(try await admin.exists(key) == false)
                    return
                } catch let error as LockError where error.code == .leaseLost && error.message.contains("renewal failed") && attempt < 3 {
                    continue  // no reply within the lease's validity: too loaded, not wrong
                }
            }
        }
    }

    @Test func leaseLossDuringTheBodyCancelsItAndThrowsLeaseLost() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "victim")
            let thief = try pool.locker(owner: "thief")
            let key = locker.keys(for: "stolen").lock
            let bodyStarted = Locked(false)
            let bodyCancelled = Locked(false)
            let run = Task {
                try await locker.withLock("stolen", ttl: .seconds(2)) { _ in
                    bodyStarted.withLock { $0 = true }
                    do {
                        try await Task.sleep(for: .seconds(30))
                    } catch {
                        bodyCancelled.withLock { $0 = true }
                        throw error
                    }
                }
            }
            defer { run.cancel() }
            try #require(try await eventually { bodyStarted.value }, "the body never ran")
            // Mid-body, another client deletes the lock and takes it.
            #expect(try await admin.send("DEL", key).decode(as: Int.self) == 1)
            let newLease = try #require(try await thief.tryLock("stolen", ttl: .seconds(30)).lease)
            let deleted = ContinuousClock.now

            let result = try await within(.seconds(5), "withLock after losing its lease") { await run.result }
            let elapsed = ContinuousClock.now - deleted
            switch result {
            case .failure(let error)?:
                #expect((error as? LockError)?.code == .leaseLost, "\(error)")
            case .success?:
                Issue.record("withLock returned although its lease was lost")
            case nil:
                break
            }
            let wasCancelled = bodyCancelled.value
            #expect(wasCancelled, "the body was not cancelled")
            #expect(elapsed < .seconds(3), "the loss took \(elapsed) to surface")
            #expect(try await admin.get(key) == newLease.value, "withLock touched the new holder's lock")
        }
    }

    @Test func bodyErrorPropagatesAndTheLockIsReleased() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "thrower")
            let key = locker.keys(for: "throwing").lock
            await #expect(throws: BodyFailure(id: 7)) {
                try await locker.withLock("throwing", ttl: .seconds(10)) { lease -> Int in
                    #expect(try await admin.exists(lease.keys.lock))
                    throw BodyFailure(id: 7)
                }
            }
            #expect(try await admin.exists(key) == false, "the lock was kept after the body threw")
        }
    }

    @Test func waitsForTheLockWhenAsked() async throws {
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "first")
            let locker = try pool.locker(owner: "second")
            let lease = try #require(try await holder.tryLock("queued", ttl: .seconds(30)).lease)
            await #expect(throws: LockError.self) {
                try await locker.withLock("queued", ttl: .seconds(5)) { _ in Issue.record("the body ran while the lock was held") }
            }
            let waiting = Task {
                try await locker.withLock("queued", ttl: .seconds(5), wait: .seconds(10)) { lease in lease.fence }
            }
            try #require(try await eventually { try await admin.subscriberCount(lease.keys.channel) >= 1 })
            #expect(try await holder.unlock(lease))
            let fence = try await waiting.value
            #expect(fence > lease.fence)
            #expect(try await admin.exists(lease.keys.lock) == false)
        }
    }

    /// The lock expires while the body runs (a clock jump on the server, simulated with
    /// `PEXPIRE key 1`, long before the next renewal); the final release finds it gone and
    /// `withLock` reports `leaseLost` even though the body succeeded, since it may have
    /// overlapped another holder.
    @Test func expiryNoticedAtReleaseThrowsLeaseLost() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "slow-renewer")
            let key = locker.keys(for: "expires-inside").lock
            do {
                let value = try await locker.withLock("expires-inside", ttl: .seconds(30)) { _ -> Int in
                    #expect(try await admin.send("PEXPIRE", key, "1").decode(as: Int.self) == 1)
                    let gone = try await eventually { try await admin.pttl(key) == -2 }
                    #expect(gone)
                    return 1
                }
                Issue.record("withLock returned \(value) although the lock expired under the body")
            } catch let error as LockError {
                #expect(error.code == .leaseLost, "\(error)")
            }
            #expect(try await admin.exists(key) == false)
        }
    }

    /// Redis stops answering (SIGSTOP) during the body: renewal cannot succeed before the
    /// lease's validity ends, so the body is cancelled and `withLock` throws `leaseLost`.
    @Test func unreachableServerDuringBodyEndsTheLease() async throws {
        try await withLockServer { pool, _ in
            let locker = try pool.locker(owner: "partitioned")
            let server = pool.server
            let bodyCancelled = Locked(false)
            var resumed = false
            defer { if !resumed { server.resume() } }
            let ttl = Duration.milliseconds(600)
            let paused = Locked<ContinuousClock.Instant?>(nil)
            do {
                try await locker.withLock("partition", ttl: ttl) { _ in
                    server.pause()
                    paused.withLock { $0 = .now }
                    do {
                        try await Task.sleep(for: .seconds(30))
                    } catch {
                        bodyCancelled.withLock { $0 = true }
                        throw error
                    }
                }
                Issue.record("withLock returned although renewal could not reach Redis")
            } catch let error as LockError {
                #expect(error.code == .leaseLost, "\(error)")
                #expect(error.message.contains("renewal failed"), "\(error)")
            }
            let detectedAfter = ContinuousClock.now - (paused.value ?? .now)
            server.resume()
            resumed = true
            let wasCancelled = bodyCancelled.value
            #expect(wasCancelled, "the body was not cancelled")
            // The lease is valid for at most the TTL after the last renewal.
            #expect(detectedAfter <= ttl + .milliseconds(1500), "the loss surfaced only \(detectedAfter) after Redis stopped answering")
        }
    }

    /// Cancelling the Task that runs `withLock` must still release the lock: the RESP client
    /// sends nothing from a cancelled Task, so the final `unlock` runs in a Task of its own.
    @Test func cancellingWithLockReleasesTheLock() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "cancelled-body")
            let key = locker.keys(for: "cancel-body").lock
            let task = Task {
                try await locker.withLock("cancel-body", ttl: .seconds(30)) { _ in
                    try await Task.sleep(for: .seconds(60))
                }
            }
            try #require(try await eventually { try await admin.exists(key) })
            task.cancel()
            let outcome = try await within(.seconds(5), "withLock after cancellation") { await task.result }
            if case .success = outcome {
                Issue.record("withLock returned normally after cancellation")
            }
            let released = try await eventually(timeout: .seconds(2)) { try await admin.exists(key) == false }
            let remaining = try await admin.pttl(key)
            #expect(released, "cancelling withLock left the lock held for its TTL (PTTL \(remaining) ms)")
        }
    }
}
