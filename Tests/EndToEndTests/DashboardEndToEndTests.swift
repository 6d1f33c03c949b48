import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The real `lockwatch` binary in tmux against a real server: what an operator sees and does.
@Suite("Dashboard end to end", .serialized)
struct DashboardEndToEndTests {
    /// A tmux server of our own (`-L`), so the tests neither touch nor depend on the user's.
    static let socketName = "lockwatch-tests-\(getpid())"

    /// Runs tmux with `arguments` on our server, returning stdout. tmux is spawned without
    /// Foundation's `Process`, whose exit detection the tmux server (which the first
    /// `new-session` forks) would hold open forever.
    @discardableResult
    static func tmux(_ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run("/usr/bin/tmux", ["-L", socketName] + arguments)
        if result.timedOut { throw TmuxTimedOut(arguments: arguments) }
        return result.standardOutput
    }

    /// A tmux command that did not finish within ProcessRunner's deadline.
    struct TmuxTimedOut: Error {
        let arguments: [String]
    }

    /// Polls the pane until `condition` holds for its text, or fails after `limit`.
    static func waitForScreen(_ session: String, limit: Duration = .seconds(10), _ what: String, _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + limit
        var screen = ""
        while ContinuousClock.now < deadline {
            screen = try tmux(["capture-pane", "-p", "-t", session])
            if condition(screen) { return screen }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what); the screen was:\n\(screen)")
        throw CancellationError()
    }

    @Test func rowsFilterForceReleaseAndQuit() async throws {
        let binary = try LockwatchBinary.path()
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "e2e-owner")
            _ = try #require(try await locker.tryLock("orders:42", ttl: .seconds(60)).lease)
            let stuck = try #require(try await locker.tryLock("stuck-job", ttl: .seconds(60)).lease)
            _ = try await admin.send("SET", "lock:evil\u{1b}]0;PWNED\u{07}\u{1b}[2J", "x", "PX", 60_000)
            let session = "lw-e2e-\(UUID().uuidString.prefix(8))"
            let auditLog = NSTemporaryDirectory() + "\(session).log"
            defer {
                _ = try? Self.tmux(["kill-session", "-t", session])
                try? FileManager.default.removeItem(atPath: auditLog)
            }
            let command = "REDIS_URL=\(pool.server.url) \(binary) --prefix lock: --audit-log \(auditLog); echo EXITED=$?; sleep 60"
            // Wide enough for the whole escaped key next to the full token (KEY is cut in the middle when short of room).
            try Self.tmux(["new-session", "-d", "-s", session, "-x", "180", "-y", "30", command])

            var screen = try await Self.waitForScreen(session, "rows") { $0.contains("orders:42") && $0.contains("stuck-job") }
            #expect(screen.contains("e2e-owner"))
            #expect(screen.contains("lock:evil\\x1b]0;PWNED\\x07"), "the injected key is not shown escaped:\n\(screen)")
            #expect(!screen.contains("PWNED\u{07}"))
            let title = try Self.tmux(["display-message", "-p", "-t", session, "#{pane_title}"])
            #expect(!title.contains("PWNED"), "the key retitled the terminal: \(title)")

            try Self.tmux(["send-keys", "-t", session, "/", "stuck", "Enter"])
            screen = try await Self.waitForScreen(session, "the filter to narrow the rows") { !$0.contains("orders:42") && $0.contains("stuck-job") }

            try Self.tmux(["send-keys", "-t", session, "F"])
            screen = try await Self.waitForScreen(session, "the confirmation") { $0.lowercased().contains("release") && $0.contains(stuck.token.prefix(8)) }
            try Self.tmux(["send-keys", "-t", session, "y"])
            // The release deletes the key, then appends to the audit stream, then to the local
            // log: wait (bounded) until all three are visible, then check each.
            func auditLogText() -> String { (try? String(contentsOfFile: auditLog, encoding: .utf8)) ?? "" }
            func keyExists() async throws -> Bool { try await admin.send("EXISTS", stuck.keys.lock).decode(as: Int.self) == 1 }
            func auditEntries() async throws -> Int { try await admin.send("XLEN", "lock:lockwatch:audit").decode(as: Int.self) }
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                if try await !keyExists(), try await auditEntries() == 1, auditLogText().contains("force-release") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await !keyExists(), "force-release did not delete the key")
            #expect(try await auditEntries() == 1)
            #expect(auditLogText().contains("force-release"), "no force-release line in the local audit log")

            try Self.tmux(["send-keys", "-t", session, "q"])
            screen = try await Self.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }
            // The terminal is restored: the shell's echo line is on a normal screen.
            let modes = try Self.tmux(["display-message", "-p", "-t", session, "#{alternate_on}"])
            #expect(modes.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "still on the alternate screen after quitting")
        }
    }

    @Test func readOnlyModeRefusesForceRelease() async throws {
        let binary = try LockwatchBinary.path()
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "ro-owner")
            let lease = try #require(try await locker.tryLock("keep-me", ttl: .seconds(60)).lease)
            let session = "lw-ro-\(UUID().uuidString.prefix(8))"
            defer { _ = try? Self.tmux(["kill-session", "-t", session]) }
            let command = "REDIS_URL=\(pool.server.url) \(binary) --readonly --audit-log ''; echo EXITED=$?; sleep 60"
            try Self.tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "30", command])
            _ = try await Self.waitForScreen(session, "rows") { $0.contains("keep-me") }
            try Self.tmux(["send-keys", "-t", session, "F"])
            _ = try await Self.waitForScreen(session, "the read-only refusal") { $0.lowercased().contains("read-only") }
            try Self.tmux(["send-keys", "-t", session, "y"])
            try await Task.sleep(for: .milliseconds(300))  // give a wrong implementation time to delete
            #expect(try await admin.send("GET", lease.keys.lock).decode(as: String?.self) == lease.value)
            try Self.tmux(["send-keys", "-t", session, "q"])
            _ = try await Self.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }
        }
    }
}
