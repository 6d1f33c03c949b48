import Foundation
import Glibc
import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// Holders that lose their lease: a stopped `lockwatch`, a simulated clock jump, a Redis restart.
@Suite("Lease loss")
struct LeaseLossTests {
    /// Fault #1, a stale holder: `lockwatch` is frozen (SIGSTOP) past its TTL, so it cannot
    /// renew; another client takes the lock. Once thawed, lockwatch must notice, stop its
    /// command and exit 76 without touching the new holder's lock.
    @Test func stoppedLockwatchReportsLossAndExits76() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let pidFile = scratch.file("child.pid")
            let holder = try SpawnedProcess(
                lockwatch,
                ["hold", "stale", "--url", pool.server.url, "--ttl", "1s", "--wait", "5s", "--grace", "5s", "--",
                 "sh", "-c", "echo $$ > \"$0\"; exec sleep 30", pidFile],
                directory: scratch.path)
            var childPID: Int32 = 0
            defer {
                holder.send(SIGCONT)
                holder.killIfRunning()
                if childPID > 0 { kill(childPID, SIGKILL) }
            }
            let key = "lock:{stale}"
            let started = try await eventually(timeout: .seconds(10)) {
                let text = (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""
                childPID = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                return childPID > 0
            }
            try #require(started, "lockwatch never started its command; stderr: \(holder.standardError)")
            let oldValue = try #require(try await admin.get(key))
            let oldRecord = try #require(LockRecord(parsing: oldValue))

            holder.send(SIGSTOP)
            try #require(try await eventually { processState(holder.pid) == "T" }, "lockwatch did not stop")
            // Frozen, it cannot renew: wait for the 1 s lease to run out.
            try #require(try await eventually(timeout: .seconds(5)) { try await admin.pttl(key) == -2 },
                         "the frozen holder's lock never expired")
            let thief = try pool.locker(owner: "new-holder")
            let newLease = try #require(try await thief.tryLock("stale", ttl: .seconds(60)).lease)
            #expect(newLease.fence > oldRecord.fence)
            #expect(processExists(childPID), "the command should still run while lockwatch is frozen")

            let thawed = ContinuousClock.now
            holder.send(SIGCONT)
            let status = await holder.waitForExit(timeout: .seconds(10))
            let reaction = ContinuousClock.now - thawed
            #expect(status == 76, "stderr: \(holder.standardError)")
            #expect(reaction < .seconds(5), "lockwatch took \(reaction) to notice the loss")
            #expect(holder.standardError.contains("lost the lease"), "stderr: \(holder.standardError)")
            #expect(!processExists(childPID), "the command outlived its lease")
            #expect(try await admin.get(key) == newLease.value, "the stale holder touched the new holder's lock")
            #expect(try await thief.unlock(newLease))
        }
    }

    /// The same in process: the lock expires behind the holder's back (a clock jump on the
    /// server, simulated with `PEXPIRE key 1`) and someone else takes it.
    @Test func expiredLeaseIsReportedLost() async throws {
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "old-holder")
            let other = try pool.locker(owner: "new-holder")
            let lease = try #require(try await holder.tryLock("jump", ttl: .seconds(30)).lease)
            let losses = Locked<[LeaseLoss]>([])
            lease.onLoss { loss in losses.withLock { $0.append(loss) } }

            #expect(try await admin.send("PEXPIRE", lease.keys.lock, "1").decode(as: Int.self) == 1)
            #expect(try await eventually { try await admin.pttl(lease.keys.lock) == -2 })
            let newLease = try #require(try await other.tryLock("jump", ttl: .seconds(30)).lease)
            #expect(newLease.fence > lease.fence)
            #expect(!lease.isLost, "nothing has told the holder yet")

            #expect(try await holder.extend(lease, ttl: .seconds(30)) == false)
            #expect(lease.isLost)
            #expect(!lease.isValid)
            #expect(losses.withLock { $0.count } == 1, "onLoss must fire exactly once")
            #expect(try await holder.unlock(lease) == false)
            #expect(losses.withLock { $0.count } == 1, "onLoss must not fire again")
            #expect(try await admin.get(newLease.keys.lock) == newLease.value)

            // A handler registered after the loss runs at once.
            let late = Locked(false)
            lease.onLoss { _ in late.withLock { $0 = true } }
            #expect(late.withLock { $0 })
        }
    }

    /// Renewal (`keepRenewed`) notices that someone else took the lock, reports why and marks
    /// the lease lost.
    @Test func keepRenewedReportsTheTakeover() async throws {
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "renewing-holder")
            let other = try pool.locker(owner: "usurper")
            let ttl = Duration.seconds(2)
            let lease = try #require(try await holder.tryLock("renewing", ttl: ttl).lease)
            let fired = Locked<[LeaseLoss]>([])
            lease.onLoss { loss in fired.withLock { $0.append(loss) } }
            let renewal = Task { await holder.keepRenewed(lease, ttl: ttl) }
            defer { renewal.cancel() }

            // Simulated clock jump: the lock expires at once and someone else takes it.
            #expect(try await admin.send("PEXPIRE", lease.keys.lock, "1").decode(as: Int.self) == 1)
            #expect(try await eventually { try await admin.pttl(lease.keys.lock) == -2 })
            let newLease = try #require(try await other.tryLock("renewing", ttl: .seconds(30)).lease)

            let loss: LeaseLoss? = try await within(.seconds(3), "keepRenewed noticing the loss") { await renewal.value } ?? nil
            #expect(loss == .expired, "keepRenewed returned \(String(describing: loss))")
            #expect(lease.isLost)
            #expect(fired.value.count == 1)
            #expect(try await admin.get(newLease.keys.lock) == newLease.value, "renewal touched the new holder's lock")
            #expect(try await admin.pttl(newLease.keys.lock) > 20_000)
        }
    }

    /// Fault #4: redis-server restarts (without persistence) while a lock is held.
    @Test func serverRestartLosesTheLockAndResetsTheFence() async throws {
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "before-restart")
            for _ in 0..<3 {
                let lease = try #require(try await holder.tryLock("restart", ttl: .seconds(30)).lease)
                try await holder.unlock(lease)
            }
            let lease = try #require(try await holder.tryLock("restart", ttl: .seconds(60)).lease)
            #expect(lease.fence == 4)

            try await pool.server.restart()

            #expect(try pool.server.cli(["EXISTS", lease.keys.lock]) == "0", "the lock survived a restart without persistence")
            // The client reconnects on the next command; one in flight at the drop may fail.
            let extended = try await Self.retryingConnectionFailures { () throws(LockError) in
                try await holder.extend(lease, ttl: .seconds(60))
            }
            #expect(extended == false)
            #expect(lease.isLost)
            #expect(try await holder.unlock(lease) == false)

            let successor = try pool.locker(owner: "after-restart")
            let newLease = try #require(try await successor.tryLock("restart", ttl: .seconds(30)).lease)
            #expect(try await admin.get(newLease.keys.lock) == newLease.value)
            // Documenting fault #4: without persistence the fence counter restarted with the
            // server, so the new holder's fence is NOT above the old one; a resource that
            // rejects lower fences would reject the legitimate new holder (or, with equal
            // fences, accept both). Persistence (appendonly) is what prevents this.
            #expect(newLease.fence <= lease.fence)
            #expect(newLease.fence == 1)
        }
    }

    static func retryingConnectionFailures<T>(_ operation: () async throws(LockError) -> T) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                return try await operation()
            } catch {
                guard error.code == .connectionFailed, ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
