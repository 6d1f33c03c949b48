import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// What an operator does through a real Codis 3.2 (two groups): four `hold` processes take
/// turns, and the dashboard in tmux shows a lock and force-releases it.
@Suite("ProxyOperatorTests", .serialized)
struct ProxyOperatorTests {
    /// Four `lockwatch hold` processes contend for one name through Codis (the waiting ones
    /// poll): each command claims a directory with `mkdir`, which fails (exit 9) while another
    /// command holds it, so all four exiting 0 shows they never overlapped.
    @Test func fourHoldProcessesExcludeEachOtherThroughCodis() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ProxyLockTesting.with(.codis) { target in
            let claim = scratch.file("claim")
            let turns = scratch.file("turns")
            let holds = try (0 ..< 4).map { _ in
                try SpawnedProcess(
                    lockwatch, ["hold", "four", "--url", target.url, "--ttl", "5s", "--wait", "60s", "--",
                                "sh", "-c", "mkdir \"$0\" || exit 9; echo \"$LOCK_FENCE\" >> \"$1\"; sleep 0.3; rmdir \"$0\"", claim, turns],
                    directory: scratch.path)
            }
            defer { for hold in holds { hold.killIfRunning() } }
            for hold in holds {
                let status = await hold.waitForExit(timeout: .seconds(70))
                #expect(status == 0, "stderr: \(hold.standardError)")
            }
            let fences = try String(contentsOfFile: turns, encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
            #expect(fences.count == 4)
            #expect(Set(fences).count == 4, "each turn has its own fence: \(fences)")
            #expect(try await target.client().get("lock:{four}") == nil)
        }
    }

    /// The dashboard through Codis (keys listed with SLOTSSCAN, no TIME, no PUBSUB) shows a
    /// held lock; F and y force-release it: the key is gone, and the audit record is in the
    /// capped list on the lock's backend and in the local log.
    @Test func dashboardThroughCodisShowsAndForceReleases() async throws {
        let binary = try LockwatchBinary.path()
        try await ProxyLockTesting.with(.codis) { target in
            let locker = try target.locker(LockConfiguration(owner: "codis-owner", acceptedRisks: [.noPersistence]))
            let stuck = try #require(try await locker.tryLock("stuck-job", ttl: .seconds(60)).lease)
            let other = try #require(try await locker.tryLock("orders:42", ttl: .seconds(60)).lease)
            let admin = try target.client()
            let session = "lw-codis-\(UUID().uuidString.prefix(8))"
            let auditLog = NSTemporaryDirectory() + "\(session).log"
            defer {
                _ = try? DashboardEndToEndTests.tmux(["kill-session", "-t", session])
                try? FileManager.default.removeItem(atPath: auditLog)
            }
            let command = "REDIS_URL=\(target.url) \(binary) --prefix lock: --audit-log \(auditLog); echo EXITED=$?; sleep 60"
            try DashboardEndToEndTests.tmux(["new-session", "-d", "-s", session, "-x", "140", "-y", "30", command])
            var screen = try await DashboardEndToEndTests.waitForScreen(session, limit: .seconds(20), "rows") {
                $0.contains("stuck-job") && $0.contains("orders:42")
            }
            #expect(screen.contains("codis-owner"))

            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "/", "stuck", "Enter"])
            screen = try await DashboardEndToEndTests.waitForScreen(session, "the filter") { !$0.contains("orders:42") && $0.contains("stuck-job") }
            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "F"])
            screen = try await DashboardEndToEndTests.waitForScreen(session, "the confirmation") {
                $0.lowercased().contains("release") && $0.contains(stuck.token.prefix(8))
            }
            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "y"])
            func auditLogText() -> String { (try? String(contentsOfFile: auditLog, encoding: .utf8)) ?? "" }
            func keyExists() async throws -> Bool { try await admin.send("EXISTS", stuck.keys.lock).decode(as: Int.self) == 1 }
            func auditRecords() async throws -> [String] {
                try await admin.send("LRANGE", "lock:lockwatch:audit:{stuck-job}", 0, -1).decode(as: [String].self)
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                if try await !keyExists(), try await auditRecords().count == 1, auditLogText().contains("force-release") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await !keyExists(), "force-release through Codis did not delete the key")
            #expect(try await auditRecords().first?.contains("\"action\":\"force-release\"") == true)
            #expect(auditLogText().contains("force-release"), "no force-release line in the local audit log")
            #expect(try await admin.get(other.keys.lock) == other.value, "the other lock was touched")

            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "q"])
            _ = try await DashboardEndToEndTests.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }
        }
    }
}
