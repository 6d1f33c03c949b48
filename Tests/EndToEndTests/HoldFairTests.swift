import Foundation
import Glibc
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch hold --fair`: processes exclude each other through the fair lock, and a waiter
/// process killed with SIGKILL while queued costs the lock at most its waiter deadline (2 s).
@Suite("lockwatch hold --fair", .serialized)
struct HoldFairTests {
    /// Four shell loops each run `hold --fair` five times; the held command logs
    /// `start FENCE` / `end FENCE` and increments a counter file with a read, a pause and a
    /// write. No lost updates, no interleaved sections, fences increasing in log order.
    @Test func fourProcessesExcludeEachOther() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let log = scratch.file("log")
            let counter = scratch.file("counter")
            let critical = scratch.file("critical.sh")
            try "0\n".write(toFile: counter, atomically: true, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            try """
                echo "start $LOCK_FENCE" >> "$LOCK_TEST_LOG"
                c=$(cat "$LOCK_TEST_COUNTER")
                sleep 0.01
                echo $((c + 1)) > "$LOCK_TEST_COUNTER"
                echo "end $LOCK_FENCE" >> "$LOCK_TEST_LOG"
                """.write(toFile: critical, atomically: true, encoding: .utf8)
            let loop = """
                i=0
                while [ $i -lt 5 ]; do
                  "$LOCK_TEST_LOCKWATCH" hold fair-multi --fair --url "$LOCK_TEST_URL" --ttl 5s --wait 60s -- sh "$LOCK_TEST_CRITICAL" || exit $?
                  i=$((i + 1))
                done
                """
            let environment = [
                "LOCK_TEST_LOG": log, "LOCK_TEST_COUNTER": counter, "LOCK_TEST_CRITICAL": critical,
                "LOCK_TEST_LOCKWATCH": lockwatch, "LOCK_TEST_URL": pool.server.url,
            ]
            let loops = try (0 ..< 4).map { _ in try SpawnedProcess("/bin/sh", ["-c", loop], environment: environment, directory: scratch.path) }
            defer { loops.forEach { $0.killIfRunning() } }
            for shell in loops {
                let status = await shell.waitForExit(timeout: .seconds(60))
                #expect(status == 0, "a hold --fair loop failed: \(shell.standardError)")
            }
            let count = try String(contentsOfFile: counter, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(count == "20", "lost updates across processes")
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.count == 40)
            var previousFence: Int64 = 0
            for pair in stride(from: 0, to: lines.count - 1, by: 2) {
                let start = lines[pair].split(separator: " "), end = lines[pair + 1].split(separator: " ")
                guard start.count == 2, end.count == 2, start[0] == "start", end[0] == "end", start[1] == end[1], let fence = Int64(start[1]) else {
                    Issue.record("critical sections interleaved at line \(pair + 1):\n\(lines.joined(separator: "\n"))")
                    return
                }
                #expect(fence > previousFence, "fence \(fence) after \(previousFence)")
                previousFence = fence
            }
            #expect(try await admin.exists("lock:{fair-multi}") == false)
            #expect(try await admin.send("ZCARD", "lock:{fair-multi}:queue").decode(as: Int.self) == 0)
        }
    }

    /// A `hold --fair` waiter is SIGKILLed while queued ahead of another; the release right
    /// after hands the lock to the dead one (with its remaining deadline as TTL), and the
    /// second waiter's command runs within that deadline (2 s) of the release.
    @Test func aKilledWaiterCostsAtMostItsDeadline() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let holder = try FairLocker(client: try pool.client(), configuration: LockConfiguration(owner: "test-holder", acceptedRisks: [.noPersistence]))
            let lease = try await holder.lock("fair-kill", ttl: .seconds(30), wait: .zero)
            let queue = "lock:{fair-kill}:queue"
            let marker = scratch.file("ran")
            let doomed = try SpawnedProcess(lockwatch, ["hold", "fair-kill", "--fair", "--owner", "doomed", "--url", pool.server.url, "--wait", "60s", "--", "true"], directory: scratch.path)
            defer { doomed.killIfRunning() }
            #expect(try await eventually(timeout: .seconds(20)) { try await admin.send("ZCARD", queue).decode(as: Int.self) == 1 })
            let next = try SpawnedProcess(lockwatch, ["hold", "fair-kill", "--fair", "--owner", "next", "--url", pool.server.url, "--wait", "60s", "--", "sh", "-c", "echo $LOCK_FENCE > \(marker)"], directory: scratch.path)
            defer { next.killIfRunning() }
            #expect(try await eventually(timeout: .seconds(20)) { try await admin.send("ZCARD", queue).decode(as: Int.self) == 2 })
            doomed.send(SIGKILL)
            #expect(await doomed.waitForExit(timeout: .seconds(5)) == 128 + SIGKILL)
            let released = ContinuousClock.now
            #expect(try await holder.unlock(lease))
            #expect(try await admin.get("lock:{fair-kill}")?.contains("\"owner\":\"doomed\"") == true, "the release hands the lock to the killed waiter, whose deadline has not passed")
            #expect(await next.waitForExit(timeout: .seconds(10)) == 0, "\(next.standardError)")
            let gap = ContinuousClock.now - released
            #expect(gap < .milliseconds(3_000), "the killed waiter cost \(gap), more than its 2 s deadline (plus the command's start)")
            let fence = try String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(fence == String(lease.fence + 2), "the killed waiter's hand-off took one fence, the next one the following")
        }
    }
}
