import Foundation
import Glibc
import RESP
@testable import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch hold --permits N`: one permit of a semaphore across processes.
@Suite("lockwatch hold --permits")
struct HoldPermitsTests {
    /// Four processes loop `hold --permits 2` five times each, logging `P+`/`P-` lines around a
    /// short command: never more than two inside at once, and two at once at some point.
    @Test func fourProcessesNeverExceedThePermits() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let lines = try await holdLoopLog(options: Array(repeating: "--permits 2", count: 4), tags: ["P", "P", "P", "P"], name: "pool", url: pool.server.url, in: scratch)
            #expect(lines.count == 40)
            var inside = 0, most = 0
            var fences: Set<Substring> = []
            for line in lines {
                if line.hasPrefix("P+") {
                    inside += 1
                    most = max(most, inside)
                    fences.insert(line.dropFirst(3))
                } else {
                    inside -= 1
                }
                #expect(inside <= 2, "\(inside) holders inside with 2 permits")
            }
            #expect(most == 2, "the two permits were never used at once")
            #expect(fences.count == 20, "each permit has a fence of its own")
            #expect(try await admin.get("lock:{pool}:permits") == "2")
            #expect(try await admin.exists("lock:{pool}") == false)
        }
    }

    /// A `hold --permits 1` killed with SIGKILL keeps its permit only for its 1 s TTL; then
    /// another hold gets it.
    @Test func aKilledHoldersPermitReturns() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let holder = try await RunningHold.start(["--permits", "1", "single", "--url", pool.server.url, "--ttl", "1s", "--token", "crashed"], in: scratch)
            defer { holder.killAll() }
            let busy = try await runLockwatch(["hold", "--permits", "1", "single", "--url", pool.server.url, "--wait", "0", "--", "true"], in: scratch.path)
            #expect(busy.status == 75, "stderr: \(busy.stderr)")
            #expect(busy.stderr.contains("could not acquire 'single'"), "stderr: \(busy.stderr)")
            let expiry = try #require(try await admin.send("ZSCORE", "lock:{single}:expiries", "h:crashed").decode(as: String?.self).flatMap { Double($0) }.map { Int64($0) })
            await holder.crash()
            let start = ContinuousClock.now
            let next = try await runLockwatch(["hold", "--permits", "1", "single", "--url", pool.server.url, "--wait", "10s", "--",
                                               "sh", "-c", #"redis-cli -p "$0" --no-auth-warning HGET "$LOCK_KEY" "h:$LOCK_TOKEN""#, String(pool.server.port)], in: scratch.path)
            #expect(next.status == 0, "stderr: \(next.stderr)")
            let record = try #require(LockRecord(parsing: next.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "stdout: \(next.stdout)")
            #expect(record.fence == 2)
            #expect(record.acquiredAtMilliseconds >= expiry, "the next holder got in at \(record.acquiredAtMilliseconds), before the killed holder's permit expired at \(expiry)")
            #expect(ContinuousClock.now - start < .seconds(5), "the killed holder's 1 s permit held the next one off for \(ContinuousClock.now - start)")
            #expect(try await admin.exists("lock:{single}") == false)
        }
    }

    /// A `hold --permits 1` frozen (SIGSTOP) past its TTL loses its permit to another holder;
    /// thawed, it reports the loss, stops its command and exits 76, leaving the new holder's
    /// permit alone.
    @Test func aStoppedPermitHolderReportsTheLoss() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let holder = try await RunningHold.start(["--permits", "1", "frozen", "--url", pool.server.url, "--ttl", "1s", "--grace", "5s"], in: scratch)
            defer { holder.killAll() }
            holder.process.send(SIGSTOP)
            try #require(try await eventually { processState(holder.process.pid) == "T" }, "lockwatch did not stop")
            let semaphore = try Semaphore(try pool.locker(owner: "next-holder"))
            let next = try await semaphore.permits(1).lock("frozen", ttl: .seconds(60), wait: .seconds(10))
            holder.process.send(SIGCONT)
            let status = await holder.process.waitForExit(timeout: .seconds(10))
            #expect(status == 76, "stderr: \(holder.process.standardError)")
            #expect(holder.process.standardError.contains("lost the lease"), "stderr: \(holder.process.standardError)")
            #expect(!processExists(holder.commandPID), "the command outlived its permit")
            #expect(try await admin.send("HGET", "lock:{frozen}", "h:" + next.token).decode(as: String?.self) == next.value)
            #expect(try await admin.send("HLEN", "lock:{frozen}").decode(as: Int.self) == 2, "kind and the new holder only")
            #expect(try await semaphore.permits(1).unlock(next))
        }
    }
}
