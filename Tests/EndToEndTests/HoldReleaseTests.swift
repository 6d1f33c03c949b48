import Foundation
import Glibc
import RESP
import RedisTestSupport
import Testing
import LockTestSupport

/// What `hold` exits with when the release goes wrong after the command (issue 18 #14).
@Suite("lockwatch hold: release after the command")
struct HoldReleaseTests {
    /// The command ends at once, with the lease valid; the release then waits for a paused
    /// server and finds the key expired when the server resumes. The command's status stays,
    /// and hold says the lock expires by its TTL (before: 76, as if the lease had been lost
    /// while the command ran).
    @Test func aReleaseThatFindsTheKeyExpiredKeepsTheCommandsStatus() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let redis = pool.server.pid
            let holder = try SpawnedProcess(
                lockwatch,
                ["hold", "paused", "--url", pool.server.url, "--ttl", "2s", "--", "sh", "-c", #"kill -STOP "$0"; exit 3"#, String(redis)],
                directory: scratch.path)
            defer {
                kill(redis, SIGCONT)
                holder.killIfRunning()
            }
            let paused = try await eventually(timeout: .seconds(10)) { processState(redis) == "T" }
            try #require(paused, "the command did not pause the server; stderr: \(holder.standardError)")
            let pausedAt = ContinuousClock.now
            // The lock's TTL (2 s from its acquisition, before the pause) has to pass while the
            // server is paused; then the release reaches it. (2 s, not less, so that a slow
            // machine still starts and ends the command well within the lease.)
            try await Task.sleep(until: pausedAt + .milliseconds(2300))
            try #require(!holder.hasExited, "hold did not wait for the release; stderr: \(holder.standardError)")
            kill(redis, SIGCONT)
            let status = await holder.waitForExit(timeout: .seconds(10))
            #expect(status == 3, "stderr: \(holder.standardError)")
            #expect(holder.standardError.contains("it expires by its TTL"), "stderr: \(holder.standardError)")
            #expect(try await admin.exists("lock:{paused}") == false)
        }
    }
}
