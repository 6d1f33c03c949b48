import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch list` and `lockwatch release`, the real binary against a real server.
@Suite("lockwatch list and release")
struct ListReleaseCommandTests {
    @Test func listWithNoLocksSucceeds() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, _ in
            let table = try await runLockwatch(["list", "--url", pool.server.url], in: scratch.path)
            #expect(table.status == 0, "stderr: \(table.stderr)")
            let json = try await runLockwatch(["list", "--url", pool.server.url, "--json"], in: scratch.path)
            #expect(json.status == 0, "stderr: \(json.stderr)")
            #expect(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        }
    }

    @Test func listShowsLocksAsATableAndAsJSON() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "list-owner")
            var lease: LockLease?
            for _ in 0 ..< 7 {  // fence 7
                if let previous = lease { try await locker.unlock(previous) }
                lease = try await locker.tryLock("orders:42", ttl: .seconds(60)).lease
            }
            let held = try #require(lease)
            _ = try await admin.send("SET", "lock:stuck", "legacy-token")
            _ = try await admin.send("SET", "lock:evil\u{1b}]0;PWNED\u{07}", "x", "PX", 60_000)

            let table = try await runLockwatch(["list", "--url", pool.server.url], in: scratch.path)
            #expect(table.status == 0, "stderr: \(table.stderr)")
            let row = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("lock:{orders:42}") })
            let cells = row.split(separator: " ", omittingEmptySubsequences: true)
            #expect(cells.contains("list-owner"))
            #expect(cells.contains("7"), "the fence column should read 7: \(row)")
            #expect(table.stdout.contains("none (stuck)"))
            #expect(!table.stdout.contains("\u{1b}"), "a raw escape reached the output")
            #expect(table.stdout.contains("\\x1b]0;PWNED\\x07"))

            let json = try await runLockwatch(["list", "--url", pool.server.url, "--json"], in: scratch.path)
            #expect(json.status == 0, "stderr: \(json.stderr)")
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
            let ours = try #require(objects.first { $0["key"] as? String == "lock:{orders:42}" })
            #expect(ours["format"] as? String == "lockwatch")
            #expect(ours["owner"] as? String == "list-owner")
            #expect(ours["token"] as? String == held.token)
            #expect(ours["fence"] as? Int == 7)
            #expect(ours["waiters"] as? Int == 0)
            #expect((ours["ttl_ms"] as? Int).map { $0 > 50_000 && $0 <= 60_000 } == true)
            let stuck = try #require(objects.first { $0["key"] as? String == "lock:stuck" })
            #expect(stuck["ttl_ms"] is NSNull, "a lock without TTL must have ttl_ms null")
        }
    }

    @Test func releaseIsCompareAndDeleteAndAudited() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "victim")
            let lease = try #require(try await locker.tryLock("job", ttl: .seconds(60)).lease)
            let audit = scratch.file("audit.log")
            let url = pool.server.url

            // Without --yes and no terminal to ask on: refused as a usage error, nothing deleted.
            let declined = try await runLockwatch(["release", lease.keys.lock, "--url", url, "--audit-log", audit], in: scratch.path)
            #expect(declined.status == 64, "stderr: \(declined.stderr)")
            #expect(declined.stderr.contains("--yes"))
            #expect(try await admin.send("GET", lease.keys.lock).decode(as: String?.self) == lease.value)

            // A token that is not the holder's: refused, nothing deleted.
            let wrong = try await runLockwatch(["release", lease.keys.lock, "--url", url, "--token", "not-the-token", "--yes", "--audit-log", audit], in: scratch.path)
            #expect(wrong.status == 65, "stderr: \(wrong.stderr)")
            #expect(try await admin.send("GET", lease.keys.lock).decode(as: String?.self) == lease.value)

            let released = try await runLockwatch(["release", lease.keys.lock, "--url", url, "--token", lease.token, "--yes", "--audit-log", audit], in: scratch.path)
            #expect(released.status == 0, "stderr: \(released.stderr)")
            #expect(try await admin.send("EXISTS", lease.keys.lock).decode(as: Int.self) == 0)
            #expect(try await admin.send("XLEN", "lock:lockwatch:audit").decode(as: Int.self) == 2, "the refused attempt and the release")
            let logged = (try? String(contentsOfFile: audit, encoding: .utf8)) ?? ""
            #expect(logged.contains(lease.token), "the audit log should record the released value")

            let vanished = try await runLockwatch(["release", lease.keys.lock, "--url", url, "--yes", "--audit-log", audit], in: scratch.path)
            #expect(vanished.status == 66, "stderr: \(vanished.stderr)")
        }
    }

    @Test func passwordInTheURLIsRefused() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let run = try await runLockwatch(["list", "--url", "redis://:hunter2@127.0.0.1:1"], in: scratch.path)
        #expect(run.status == 64)
        #expect(!run.stderr.contains("hunter2"))
    }
}
