import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// Mutual exclusion under contention: in one process, and across OS processes via `lockwatch`.
@Suite("Mutual exclusion")
struct MutualExclusionTests {
    struct Interval: Sendable {
        var start: ContinuousClock.Instant
        var end: ContinuousClock.Instant
        var fence: Int64
    }

    /// 16 tasks × 200 acquisitions of one lock with `lock(…, wait:)`; a non-atomic counter
    /// (read, suspension, write) is protected by it.
    ///
    /// Every release wakes all fifteen waiters (about 15 acquire scripts per hand-over), so in
    /// a debug build this takes some 20-25 s of CPU on its own. The contenders run on a
    /// dedicated executor so their many jobs do not queue ahead of other tests' jobs.
    @Test func sixteenTasksNeverOverlap() async throws {
        try await withLockServer { pool, admin in
            let tasks = 16
            let rounds = 200
            // Two clients: waiters share a connection within a locker and contend across them.
            let lockers = [try pool.locker(owner: "mutex-a"), try pool.locker(owner: "mutex-b")]
            let counter = UnprotectedCounter()
            let intervals = Locked<[Interval]>([])
            let clock = ContinuousClock()
            let executor = DedicatedExecutor(threads: 2)
            defer { executor.shutdown() }

            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<tasks {
                    let locker = lockers[index % lockers.count]
                    group.addTask(executorPreference: executor) {
                        for _ in 0..<rounds {
                            let lease = try await locker.lock("mutex", ttl: .seconds(5), wait: .seconds(30))
                            let start = clock.now
                            let value = counter.read()
                            await Task.yield()
                            counter.write(value + 1)
                            let end = clock.now
                            intervals.withLock { $0.append(Interval(start: start, end: end, fence: lease.fence)) }
                            guard try await locker.unlock(lease) else {
                                throw LockError(.leaseLost, "a lease expired during a microsecond critical section")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }

            #expect(counter.read() == tasks * rounds, "lost updates: the lock let two tasks in at once")
            let sorted = intervals.value.sorted { $0.start < $1.start }
            #expect(sorted.count == tasks * rounds)
            var overlaps = 0
            var fenceInversions = 0
            for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                if later.start <= earlier.end { overlaps += 1 }
                if later.fence <= earlier.fence { fenceInversions += 1 }
            }
            #expect(overlaps == 0, "\(overlaps) critical sections overlapped")
            #expect(fenceInversions == 0, "\(fenceInversions) fences did not increase in acquisition order")
            #expect(try await admin.exists(lockers[0].keys(for: "mutex").lock) == false)
        }
    }

    /// Four shell loops each run `lockwatch hold` ten times; the held command appends
    /// `start FENCE` / `end FENCE` lines to a shared log (O_APPEND writes of a few bytes are
    /// atomic) and increments a counter file with a read, a pause and a write.
    @Test func lockwatchProcessesNeverOverlap() async throws {
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
                while [ $i -lt "$LOCK_TEST_ROUNDS" ]; do
                  "$LOCK_TEST_LOCKWATCH" hold multi --url "$LOCK_TEST_URL" --ttl 5s --wait 60s -- sh "$LOCK_TEST_CRITICAL" || exit $?
                  i=$((i + 1))
                done
                """
            let processes = 4
            let rounds = 10
            let environment = [
                "LOCK_TEST_LOG": log, "LOCK_TEST_COUNTER": counter, "LOCK_TEST_CRITICAL": critical,
                "LOCK_TEST_LOCKWATCH": lockwatch, "LOCK_TEST_URL": pool.server.url, "LOCK_TEST_ROUNDS": String(rounds),
            ]
            let loops = try (0..<processes).map { _ in
                try SpawnedProcess("/bin/sh", ["-c", loop], environment: environment, directory: scratch.path)
            }
            defer { loops.forEach { $0.killIfRunning() } }
            for shell in loops {
                let status = await shell.waitForExit(timeout: .seconds(40))
                #expect(status == 0, "a lockwatch loop failed: \(shell.standardError)")
            }

            let total = processes * rounds
            let count = try String(contentsOfFile: counter, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(count == String(total), "lost updates across processes")
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.count == 2 * total)
            var previousFence: Int64 = 0
            for pair in stride(from: 0, to: lines.count - 1, by: 2) {
                let start = lines[pair].split(separator: " ")
                let end = lines[pair + 1].split(separator: " ")
                guard start.count == 2, end.count == 2, start[0] == "start", end[0] == "end", start[1] == end[1],
                      let fence = Int64(start[1]) else {
                    Issue.record("critical sections interleaved at line \(pair + 1): \(lines[pair]) / \(lines[pair + 1])\n\(lines.joined(separator: "\n"))")
                    return
                }
                #expect(fence > previousFence, "fence \(fence) after \(previousFence)")
                previousFence = fence
            }
            #expect(try await admin.exists("lock:{multi}") == false)
        }
    }
}
