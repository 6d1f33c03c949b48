import Foundation
import Glibc
import RESP
@testable import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch hold --shared` (a read share) and `--writer` (the write lock) across processes.
@Suite("lockwatch hold --shared")
struct HoldSharedTests {
    /// Three `--shared` holds run at once: each command waits until all three have started
    /// (a barrier of files), which only works if they hold the lock together.
    @Test func sharedHoldsRunTogether() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let barrier = """
                touch "$0/started-$$"
                i=0
                while [ "$(ls "$0" | grep -c '^started-')" -lt 3 ]; do
                  i=$((i + 1)); [ $i -gt 1000 ] && exit 9
                  sleep 0.01
                done
                printf '%s %s\\n' "$LOCK_FENCE" "$LOCK_KEY"
                """
            let holds = try (0 ..< 3).map { _ in
                try SpawnedProcess(lockwatch, ["hold", "--shared", "report", "--url", pool.server.url, "--ttl", "5s", "--wait", "10s", "--", "sh", "-c", barrier, scratch.path], directory: scratch.path)
            }
            defer { holds.forEach { $0.killIfRunning() } }
            for hold in holds {
                #expect(await hold.waitForExit(timeout: .seconds(20)) == 0, "stderr: \(hold.standardError)")
                #expect(hold.standardOutput == "0 lock:{report}\n", "stdout: \(hold.standardOutput)")
            }
            #expect(try await admin.exists("lock:{report}") == false)
        }
    }

    /// Four processes loop `hold --shared` (three) and `hold --writer` (one), logging
    /// `R+`/`R-`/`W+`/`W-` lines: never a writer with anyone else, and each writer's fence
    /// above the last.
    @Test func fourProcessesKeepTheReaderWriterInvariant() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let lines = try await holdLoopLog(options: ["--writer", "--shared", "--shared", "--shared"], tags: ["W", "R", "R", "R"], name: "shared-log", url: pool.server.url, in: scratch)
            #expect(lines.count == 40)
            var readers = 0, writers = 0, lastWriterFence: Int64 = 0
            for line in lines {
                let parts = line.split(separator: " ")
                let fence = Int64(parts.last ?? "") ?? -1
                switch parts.first {
                case "R+":
                    #expect(writers == 0, "a reader entered while the writer held the lock")
                    #expect(fence == lastWriterFence, "a reader's fence \(fence), the last writer's \(lastWriterFence)")
                    readers += 1
                case "R-": readers -= 1
                case "W+":
                    #expect(readers == 0 && writers == 0, "the writer entered with \(readers) readers inside")
                    #expect(fence > lastWriterFence)
                    lastWriterFence = fence
                    writers += 1
                case "W-": writers -= 1
                default: Issue.record("unexpected line \(line)")
                }
            }
            #expect(lastWriterFence == 5)
            #expect(try await admin.exists("lock:{shared-log}") == false)
        }
    }

    /// A `hold --shared` killed with SIGKILL leaves its share behind; it expires with its
    /// 1 s TTL and a `--writer` hold gets in.
    @Test func aKilledSharedHoldersShareExpires() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let holder = try await RunningHold.start(["--shared", "killed", "--url", pool.server.url, "--ttl", "1s", "--token", "crashed"], in: scratch)
            defer { holder.killAll() }
            #expect(try await admin.send("HGET", "lock:{killed}", "mode").decode(as: String?.self) == "read")
            let expiry = try #require(try await admin.send("ZSCORE", "lock:{killed}:expiries", "r:crashed").decode(as: String?.self).flatMap { Double($0) }.map { Int64($0) })
            await holder.crash()
            let start = ContinuousClock.now
            let writer = try await runLockwatch(["hold", "--writer", "killed", "--url", pool.server.url, "--wait", "10s", "--",
                                                 "sh", "-c", #"redis-cli -p "$0" --no-auth-warning HGET "$LOCK_KEY" w"#, String(pool.server.port)], in: scratch.path)
            #expect(writer.status == 0, "stderr: \(writer.stderr)")
            let record = try #require(LockRecord(parsing: writer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "stdout: \(writer.stdout)")
            #expect(record.fence == 1)
            #expect(record.acquiredAtMilliseconds >= expiry, "the writer got in at \(record.acquiredAtMilliseconds), before the killed reader's share expired at \(expiry)")
            #expect(ContinuousClock.now - start < .seconds(5), "the killed reader's 1 s share held the writer off for \(ContinuousClock.now - start)")
        }
    }

    /// A `hold --shared` frozen (SIGSTOP) past its TTL loses its share; a writer takes the
    /// lock; thawed, hold reports the loss, stops its command and exits 76 without touching
    /// the writer's lock.
    @Test func aStoppedSharedHolderReportsTheLoss() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let holder = try await RunningHold.start(["--shared", "frozen", "--url", pool.server.url, "--ttl", "1s", "--grace", "5s"], in: scratch)
            defer { holder.killAll() }
            holder.process.send(SIGSTOP)
            try #require(try await eventually { processState(holder.process.pid) == "T" }, "lockwatch did not stop")
            try #require(try await eventually(timeout: .seconds(5)) { try await admin.pttl("lock:{frozen}") == -2 }, "the frozen reader's share never expired")
            let rw = try ReadWriteLocker(try pool.locker(owner: "new-writer"))
            let writer = try await rw.writing.lock("frozen", ttl: .seconds(60), wait: .zero)

            holder.process.send(SIGCONT)
            let status = await holder.process.waitForExit(timeout: .seconds(10))
            #expect(status == 76, "stderr: \(holder.process.standardError)")
            #expect(holder.process.standardError.contains("lost the lease"), "stderr: \(holder.process.standardError)")
            #expect(!processExists(holder.commandPID), "the command outlived its share")
            #expect(try await admin.send("HGET", "lock:{frozen}", "w").decode(as: String?.self) == writer.value)
            #expect(try await rw.writing.unlock(writer))
        }
    }

    /// A waiting `hold --writer` killed with SIGKILL leaves its writer-waiting marker
    /// behind: new readers wait only until the marker's 2 s TTL ends, not for good.
    @Test func aKilledWaitingWriterHoldsReadersOffOnlyBriefly() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let rw = try ReadWriteLocker(try pool.locker(owner: "first-reader"))
            let reader = try await rw.reading.lock("waiter-crash", ttl: .seconds(30), wait: .zero)
            let writer = try SpawnedProcess(try LockwatchBinary.path(), ["hold", "--writer", "waiter-crash", "--url", pool.server.url, "--wait", "30s", "--", "true"], directory: scratch.path)
            defer { writer.killIfRunning() }
            try #require(try await eventually(timeout: .seconds(10)) { try await admin.exists("lock:{waiter-crash}:writer-waiting") }, "the writer never waited: \(writer.standardError)")
            writer.send(SIGKILL)
            _ = await writer.waitForExit(timeout: .seconds(5))
            let killed = ContinuousClock.now
            #expect(try await admin.exists("lock:{waiter-crash}:writer-waiting"), "the marker vanished before its TTL")
            let next = try await runLockwatch(["hold", "--shared", "waiter-crash", "--url", pool.server.url, "--wait", "10s", "--", "true"], in: scratch.path)
            #expect(next.status == 0, "stderr: \(next.stderr)")
            #expect(ContinuousClock.now - killed < .seconds(7), "a dead writer's marker held readers off for \(ContinuousClock.now - killed)")
            #expect(try await rw.reading.unlock(reader))
        }
    }

    /// Bad combinations are refused with one clear line and the usage status.
    @Test func badCombinationsAreRefused() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let cases: [([String], String)] = [
            (["--shared", "--permits", "2"], "--shared and --permits exclude each other"),
            (["--shared", "--writer"], "--shared and --writer exclude each other"),
            (["--permits", "0"], "--permits must be at least 1, not 0"),
            (["--shared", "--legacy"], "--shared needs this library's record layout"),
        ]
        for (options, message) in cases {
            let run = try await runLockwatch(["hold", "name"] + options + ["--url", "redis://127.0.0.1:1", "--", "true"], in: scratch.path)
            #expect(run.status == 64, "\(options): status \(String(describing: run.status)), stderr: \(run.stderr)")
            #expect(run.stderr.contains(message), "\(options): \(run.stderr)")
        }
    }
}
