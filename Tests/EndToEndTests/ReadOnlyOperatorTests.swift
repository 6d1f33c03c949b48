import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// An ACL user that may read, SCAN and subscribe but not call TIME, CONFIG, CLIENT, PUBSUB or
/// INFO: `list` and the dashboard show the rows with notes; a refused command they need is
/// shown as NOPERM with the rule to add, never as a lost connection.
@Suite("a read-only ACL operator", .serialized)
struct ReadOnlyOperatorTests {
    static func viewerURL(_ server: RedisServer) -> String { "redis://viewer@127.0.0.1:\(server.port)" }

    @Test func listShowsRowsWithNotes() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            try await addViewer(admin)
            let locker = try pool.locker(owner: "ro-owner")
            _ = try #require(try await locker.tryLock("orders:7", ttl: .seconds(60)).lease)
            // The viewer really is refused TIME (else this test proves nothing).
            let viewer = try RedisClient(url: "redis://viewer:viewpw@127.0.0.1:\(pool.server.port)")
            defer { Task { await viewer.shutdown() } }
            await #expect(throws: RedisError.self) { _ = try await viewer.send("TIME") }

            let run = try await runLockwatch(["list", "--url", Self.viewerURL(pool.server)], environment: ["REDIS_PASSWORD": "viewpw"], in: scratch.path)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            #expect(run.stdout.contains("lock:{orders:7}") && run.stdout.contains("ro-owner"), "stdout: \(run.stdout)")
            #expect(run.stderr.contains("TIME refused") && run.stderr.contains("PUBSUB refused"), "stderr: \(run.stderr)")
            #expect(!run.stderr.lowercased().contains("connection"), "stderr: \(run.stderr)")
        }
    }

    @Test func theReferenceViewerWithoutMGETSeesRows() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            // The viewer of the reference ACL setups: GET but no MGET, no TIME, no EXISTS.
            _ = try await admin.send(
                "ACL", "SETUSER", "lockview", "on", ">viewpw", "resetkeys", "%R~lock:*", "-@all",
                "+scan", "+get", "+pttl", "+type", "+hgetall", "+pubsub", "+ping", "+hello")
            let locker = try pool.locker(owner: "ro-owner")
            _ = try #require(try await locker.tryLock("orders:10", ttl: .seconds(60)).lease)
            _ = try await admin.send("HSET", "lock:redisson", "8a2f6c4e-1b3d-4c5e-9f70-0123456789ab:42", "1")
            let url = "redis://lockview@127.0.0.1:\(pool.server.port)"
            let run = try await runLockwatch(["list", "--url", url], environment: ["REDIS_PASSWORD": "viewpw"], in: scratch.path)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            #expect(run.stdout.contains("lock:{orders:10}") && run.stdout.contains("ro-owner") && run.stdout.contains("redisson"), "stdout: \(run.stdout)")
            #expect(run.stderr.contains("MGET refused") && run.stderr.contains("TIME refused"), "stderr: \(run.stderr)")

            // SCAN ignores key patterns: watching everything, keys it may not read are left out.
            _ = try await admin.send("SET", "user:1", "application data")
            let everything = try await runLockwatch(["list", "--url", url, "--match", "*"], environment: ["REDIS_PASSWORD": "viewpw"], in: scratch.path)
            #expect(everything.status == 0, "stderr: \(everything.stderr)")
            #expect(everything.stdout.contains("lock:{orders:10}") && !everything.stdout.contains("user:1"), "stdout: \(everything.stdout)")
            #expect(everything.stderr.contains("may not read them"), "stderr: \(everything.stderr)")
            // With MGET allowed, an MGET refused for one key of the batch falls back the same way.
            _ = try await admin.send("ACL", "SETUSER", "lockview", "+mget")
            let withMGET = try await runLockwatch(["list", "--url", url, "--match", "*"], environment: ["REDIS_PASSWORD": "viewpw"], in: scratch.path)
            #expect(withMGET.status == 0, "stderr: \(withMGET.stderr)")
            #expect(withMGET.stdout.contains("lock:{orders:10}") && !withMGET.stdout.contains("user:1"), "stdout: \(withMGET.stdout)")
        }
    }

    @Test func aRefusedRequiredCommandIsNamedWithItsRule() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            try await addViewer(admin, ["-pttl"])
            let locker = try pool.locker(owner: "ro-owner")
            _ = try #require(try await locker.tryLock("orders:8", ttl: .seconds(60)).lease)
            let run = try await runLockwatch(["list", "--url", Self.viewerURL(pool.server)], environment: ["REDIS_PASSWORD": "viewpw"], in: scratch.path)
            #expect(run.status == 77, "stderr: \(run.stderr)")
            #expect(run.stderr.contains("PTTL") && run.stderr.contains("NOPERM") && run.stderr.contains("+pttl"), "stderr: \(run.stderr)")
            #expect(!run.stderr.lowercased().contains("connection lost"), "stderr: \(run.stderr)")
        }
    }

    @Test func theDashboardShowsRowsAndRefusals() async throws {
        let binary = try LockwatchBinary.path()
        try await withLockServer { pool, admin in
            try await addViewer(admin)
            let locker = try pool.locker(owner: "ro-owner")
            _ = try #require(try await locker.tryLock("orders:9", ttl: .seconds(60)).lease)
            let session = "lw-acl-\(UUID().uuidString.prefix(8))"
            defer { _ = try? DashboardEndToEndTests.tmux(["kill-session", "-t", session]) }
            let command = "REDIS_PASSWORD=viewpw \(binary) --url \(Self.viewerURL(pool.server)) --audit-log ''; echo EXITED=$?; sleep 60"
            try DashboardEndToEndTests.tmux(["new-session", "-d", "-s", session, "-x", "160", "-y", "30", command])
            let screen = try await DashboardEndToEndTests.waitForScreen(session, "rows") { $0.contains("orders:9") && $0.contains("ro-owner") }
            #expect(!screen.contains("connection lost") && !screen.contains("reconnecting"), "screen:\n\(screen)")
            _ = try await DashboardEndToEndTests.waitForScreen(session, "the note on the refused TIME") { $0.contains("TIME refused") }
            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "q"])
            _ = try await DashboardEndToEndTests.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }

            // Without PTTL the dashboard says Redis refused it and what to add.
            _ = try await admin.send("ACL", "SETUSER", "viewer", "-pttl")
            let refused = "lw-acl-\(UUID().uuidString.prefix(8))"
            defer { _ = try? DashboardEndToEndTests.tmux(["kill-session", "-t", refused]) }
            try DashboardEndToEndTests.tmux(["new-session", "-d", "-s", refused, "-x", "220", "-y", "30", command])
            let banner = try await DashboardEndToEndTests.waitForScreen(refused, "the refusal") { $0.contains("Redis refused") }
            #expect(banner.contains("PTTL") && banner.contains("+pttl"), "screen:\n\(banner)")
            #expect(!banner.contains("connection lost"), "screen:\n\(banner)")
            try DashboardEndToEndTests.tmux(["send-keys", "-t", refused, "q"])
            _ = try await DashboardEndToEndTests.waitForScreen(refused, "lockwatch to exit") { $0.contains("EXITED=0") }
        }
    }
}
