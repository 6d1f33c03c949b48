import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Contexts against a real server: the URL and prefix come from the context, a read-only
/// context refuses `release` and the dashboard's `F`, and the label is in the header.
@Suite("Contexts: in use", .serialized)
struct ContextCommandTests {
    /// A config file with a read-only context `prod` and a read-write one `dev` for `url`.
    static func config(url: String, in scratch: ScratchDirectory) throws -> String {
        try contextConfigFile("""
            [contexts.prod]
            url = "\(url)"
            readonly = true
            label = "PRODUCTION"
            colour = "red"

            [contexts.dev]
            url = "\(url)"
            prefixes = ["job:"]
            """, in: scratch)
    }

    @Test func aReadOnlyContextRefusesRelease() async throws {
        try await withLockServer { pool, admin in
            let scratch = try ScratchDirectory()
            defer { scratch.remove() }
            let path = try Self.config(url: pool.server.url, in: scratch)
            let lease = try #require(try await pool.locker(owner: "ctx-owner").tryLock("orders:42", ttl: .seconds(60)).lease)
            let refused = try await runLockwatch(
                ["--context", "prod", "--config", path, "release", lease.keys.lock, "--yes", "--audit-log", ""], in: scratch.path)
            #expect(refused.status == 77)
            #expect(refused.stderr.contains("read-only"), "\(refused.stderr)")
            #expect(try await admin.send("GET", "\(lease.keys.lock)").decode(as: String?.self) == lease.value, "the lock was released in a read-only context")

            // The same release in the read-write context goes through (the context's URL is used).
            let released = try await runLockwatch(
                ["release", lease.keys.lock, "--yes", "--audit-log", "", "--context", "dev", "--config", path], in: scratch.path)
            #expect(released.status == 0, "\(released.stderr)")
            #expect(try await admin.send("EXISTS", "\(lease.keys.lock)").decode(as: Int.self) == 0)
        }
    }

    @Test func listUsesTheContextsURLAndPrefix() async throws {
        try await withLockServer { pool, _ in
            let scratch = try ScratchDirectory()
            defer { scratch.remove() }
            let path = try Self.config(url: pool.server.url, in: scratch)
            let jobs = try Locker(client: try pool.client(), configuration: LockConfiguration(prefix: "job:", owner: "job-owner"))
            _ = try #require(try await jobs.tryLock("nightly", ttl: .seconds(60)).lease)
            _ = try #require(try await pool.locker(owner: "lock-owner").tryLock("other", ttl: .seconds(60)).lease)
            let result = try await runLockwatch(["--context", "dev", "--config", path, "list"], in: scratch.path)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("job:{nightly}") && result.stdout.contains("job-owner"), "\(result.stdout)")
            #expect(!result.stdout.contains("lock:{other}"), "the context's prefix was not applied:\n\(result.stdout)")
        }
    }

    @Test func holdUsesTheContextsURLAndPrefix() async throws {
        try await withLockServer { pool, _ in
            let scratch = try ScratchDirectory()
            defer { scratch.remove() }
            let path = try Self.config(url: pool.server.url, in: scratch)
            let result = try await runLockwatch(
                ["--context", "dev", "--config", path, "hold", "nightly", "--", "/bin/sh", "-c", "echo key=$LOCK_KEY"], in: scratch.path)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("key=job:{nightly}"), "the context's prefix was not applied: \(result.stdout)")
        }
    }

    @Test func theDashboardShowsTheLabelAndRefusesForceReleaseInAReadOnlyContext() async throws {
        let binary = try LockwatchBinary.path()
        try await withLockServer { pool, admin in
            let scratch = try ScratchDirectory()
            let session = "lw-ctx-\(UUID().uuidString.prefix(8))"
            defer {
                _ = try? DashboardEndToEndTests.tmux(["kill-session", "-t", session])
                scratch.remove()
            }
            let path = try Self.config(url: pool.server.url, in: scratch)
            let lease = try #require(try await pool.locker(owner: "ctx-owner").tryLock("keep-me", ttl: .seconds(60)).lease)
            let command = "\(binary) --context prod --config \(path) --audit-log ''; echo EXITED=$?; sleep 60"
            try DashboardEndToEndTests.tmux(["new-session", "-d", "-s", session, "-x", "140", "-y", "30", command])
            let screen = try await DashboardEndToEndTests.waitForScreen(session, "rows and the label") { $0.contains("keep-me") }
            let header = try #require(screen.split(separator: "\n").first, "\(screen)")
            #expect(header.contains(" PRODUCTION ") && header.contains("READ-ONLY"), "header: \(header)")
            // The label is drawn in its colour (red, reverse video).
            let styled = try DashboardEndToEndTests.tmux(["capture-pane", "-p", "-e", "-t", session, "-S", "0", "-E", "0"])
            let label = try #require(styled.range(of: " PRODUCTION "), "\(styled)")
            #expect(styled[..<label.lowerBound].contains("31"), "the label is not red: \(styled.debugDescription)")

            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "F"])
            _ = try await DashboardEndToEndTests.waitForScreen(session, "the read-only refusal") { $0.contains("force-release is disabled") }
            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "y"])
            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "q"])
            _ = try await DashboardEndToEndTests.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }
            #expect(try await admin.send("GET", "\(lease.keys.lock)").decode(as: String?.self) == lease.value, "F released a lock in a read-only context")
        }
    }
}
