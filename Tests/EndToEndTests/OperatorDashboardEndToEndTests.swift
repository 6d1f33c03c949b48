import Foundation
import NIOCore
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Issue 15 items 2, 4, 5 and 6 with the real binary in tmux against a real server: the
/// attention path to a stuck lock, the help key, events that follow the filter, repeatable
/// prefixes with the "also seen" hint, and the demo's rejected stale write on the strip.
@Suite("Operator dashboard end to end", .serialized)
struct OperatorDashboardEndToEndTests {
    typealias E2E = DashboardEndToEndTests

    /// Starts `command` in a new tmux session of `width` × `height`; returns its name.
    static func start(_ command: String, width: Int = 160, height: Int = 40) throws -> String {
        let session = "lw-op-\(UUID().uuidString.prefix(8))"
        try E2E.tmux(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", command + "; echo EXITED=$?; sleep 60"])
        return session
    }

    /// Sends one key (a tmux key name) and counts it.
    static func press(_ key: String, in session: String, count: inout Int) throws {
        try E2E.tmux(["send-keys", "-t", session, key])
        count += 1
    }

    @Test func attentionPathReleasesTheLockWithoutTTLAmong10000InAtMostSixKeysAnd30Seconds() async throws {
        let binary = try LockwatchBinary.path()
        try await withLockServer { pool, admin in
            // 10,000 locks with a TTL (in this library's format) and one without, pipelined.
            let locks = 10_000
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for start in stride(from: 0, to: locks, by: 1000) {
                let commands = (start ..< start + 1000).map { index in
                    RESPCommand("SET", "lock:{job:\(index)}", "{\"v\":1,\"token\":\"t\(index)\",\"owner\":\"worker-\(index % 50)\",\"acquired_ms\":\(now),\"fence\":\(index)}", "PX", 600_000)
                }
                _ = try await admin.send(batch: commands)
            }
            _ = try await admin.send("SET", "lock:{nightly-report}", "{\"v\":1,\"token\":\"stuck-token\",\"owner\":\"cron@batch-3\",\"acquired_ms\":\(now),\"fence\":7}")
            #expect(try await admin.send("DBSIZE").decode(as: Int.self) == locks + 1)

            let launched = ContinuousClock.now
            var keystrokes = 1  // Enter, to run the command
            let session = try Self.start("REDIS_URL=\(pool.server.url) \(binary) --prefix lock: --audit-log ''")
            defer { _ = try? E2E.tmux(["kill-session", "-t", session]) }
            _ = try await E2E.waitForScreen(session, limit: .seconds(30), "all rows") { $0.contains("locks \(locks + 1)/\(locks + 1)") }
            let rowsShown = ContinuousClock.now - launched

            try Self.press("!", in: session, count: &keystrokes)
            let attention = try await E2E.waitForScreen(session, "the attention view") { $0.contains("NEEDS ATTENTION") && $0.contains("no TTL") }
            let firstRow = attention.split(separator: "\n").first { $0.contains("lock:{") }.map(String.init) ?? ""
            #expect(firstRow.contains("lock:{nightly-report}"), "the stuck lock is not the first row:\n\(attention)")

            try Self.press("F", in: session, count: &keystrokes)
            _ = try await E2E.waitForScreen(session, "the confirmation") { $0.contains("stuck-to") && $0.contains("n/Esc") }
            try Self.press("y", in: session, count: &keystrokes)
            let deadline = ContinuousClock.now + .seconds(10)
            while try await admin.send("EXISTS", "lock:{nightly-report}").decode(as: Int.self) == 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let elapsed = ContinuousClock.now - launched
            #expect(try await admin.send("EXISTS", "lock:{nightly-report}").decode(as: Int.self) == 0, "the stuck lock was not released")
            #expect(try await admin.send("DBSIZE").decode(as: Int.self) >= locks, "more than the stuck lock was deleted")
            #expect(keystrokes <= 6)
            #expect(elapsed <= .seconds(30))
            print("attention path: \(keystrokes) keystrokes, \(elapsed) from launch to release (rows shown after \(rowsShown)), \(locks + 1) locks")
            try E2E.tmux(["send-keys", "-t", session, "q"])
            _ = try await E2E.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }
        }
    }

    @Test func helpClosesOnItsKeysAndEventsFollowTheFilter() async throws {
        let binary = try LockwatchBinary.path()
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "e2e")
            _ = try #require(try await locker.tryLock("orders:1", ttl: .seconds(60)).lease)
            _ = try #require(try await locker.tryLock("billing:2", ttl: .seconds(60)).lease)
            let session = try Self.start("REDIS_URL=\(pool.server.url) \(binary) --prefix lock: --audit-log ''")
            defer { _ = try? E2E.tmux(["kill-session", "-t", session]) }
            _ = try await E2E.waitForScreen(session, "rows") { $0.contains("orders:1") && $0.contains("billing:2") }

            for closer in ["?", "Escape", "q"] {
                try E2E.tmux(["send-keys", "-t", session, "?"])
                _ = try await E2E.waitForScreen(session, "the help") { $0.contains("close help") }
                try E2E.tmux(["send-keys", "-t", session, closer])
                let closed = try await E2E.waitForScreen(session, "the help to close on \(closer)") { !$0.contains("close help") }
                #expect(!closed.contains("EXITED"), "\(closer) in the help quit lockwatch")
            }
            // A key other than the closers closes the help and still acts (here: the filter).
            try E2E.tmux(["send-keys", "-t", session, "?"])
            _ = try await E2E.waitForScreen(session, "the help") { $0.contains("close help") }
            try E2E.tmux(["send-keys", "-t", session, "/"])
            _ = try await E2E.waitForScreen(session, "the filter prompt") { !$0.contains("close help") && $0.contains("/█") }
            try E2E.tmux(["send-keys", "-t", session, "Escape"])

            // Events for both locks, then a filter: the strip keeps only the orders one.
            _ = try await admin.send("DEL", "lock:{orders:1}", "lock:{billing:2}")
            _ = try await E2E.waitForScreen(session, "both release events") { screen in
                screen.split(separator: "\n").filter { $0.contains("released") }.count >= 2
            }
            try E2E.tmux(["send-keys", "-t", session, "/", "orders", "Enter"])
            let filtered = try await E2E.waitForScreen(session, "the strip to follow the filter") { screen in
                screen.contains("filter: orders") && !screen.contains("billing:2")
            }
            #expect(filtered.split(separator: "\n").contains { $0.contains("released") && $0.contains("orders:1") }, "\(filtered)")
            try E2E.tmux(["send-keys", "-t", session, "Escape", "q"])
            _ = try await E2E.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }
        }
    }

    @Test func repeatablePrefixesAndTheAlsoSeenHint() async throws {
        let binary = try LockwatchBinary.path()
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "e2e")
            _ = try #require(try await locker.tryLock("orders:1", ttl: .seconds(60)).lease)
            _ = try await admin.send("SET", "DUSEPK_REDIS_LOCK_order_sync", "tok-8f3a9c", "EX", 60)
            _ = try await admin.send("SET", "cache:plain", "not a lock at all, just a cached page")

            let scratch = try ScratchDirectory()
            defer { scratch.remove() }
            let environment = ["REDIS_URL": pool.server.url]
            let one = try await runLockwatch(["list", "--prefix", "lock:"], environment: environment, in: scratch.path)
            #expect(one.status == 0, "\(one.stderr)")
            #expect(!one.stdout.contains("order_sync"))
            let lastLine = one.stdout.split(separator: "\n").last.map(String.init) ?? ""
            #expect(lastLine == "also seen: DUSEPK_REDIS_LOCK_* (go-legacy, 1 key) — add --prefix DUSEPK_REDIS_LOCK_", "\(one.stdout)")
            #expect(!one.stdout.contains("cache:"))

            let both = try await runLockwatch(["list", "--prefix", "lock:", "--prefix", "DUSEPK_REDIS_LOCK_"], environment: environment, in: scratch.path)
            #expect(both.status == 0, "\(both.stderr)")
            #expect(both.stdout.contains("lock:{orders:1}") && both.stdout.contains("DUSEPK_REDIS_LOCK_order_sync"), "\(both.stdout)")
            #expect(!both.stdout.contains("also seen"))

            let help = try await runLockwatch(["watch", "--help"], in: scratch.path)
            let flatHelp = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(flatHelp.contains("repeat it to watch several") && flatHelp.contains("else lock:"), "\(help.stdout)")

            let session = try Self.start("REDIS_URL=\(pool.server.url) \(binary) --prefix lock: --audit-log ''")
            defer { _ = try? E2E.tmux(["kill-session", "-t", session]) }
            let hinted = try await E2E.waitForScreen(session, "the also-seen hint") { $0.contains("also seen: DUSEPK_REDIS_LOCK_* (go-legacy, 1 key)") }
            #expect(hinted.contains("match: lock:*"))
            #expect(!hinted.contains("DUSEPK_REDIS_LOCK_order_sync"))
            try E2E.tmux(["send-keys", "-t", session, "a"])
            let added = try await E2E.waitForScreen(session, "the added prefix's rows") { $0.contains("DUSEPK_REDIS_LOCK_order_sync") }
            #expect(added.contains("match: lock:* DUSEPK_REDIS_LOCK_*"), "\(added)")
            #expect(added.contains("orders:1"))
            #expect(!added.contains("also seen"))
            // The added prefix is watched live: a new key under it shows up.
            _ = try await admin.send("SET", "DUSEPK_REDIS_LOCK_invoice_run", "tok-1", "EX", 60)
            _ = try await E2E.waitForScreen(session, "a new key under the added prefix") { $0.contains("DUSEPK_REDIS_LOCK_invoice_run") }
            try E2E.tmux(["send-keys", "-t", session, "q"])
            _ = try await E2E.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }
        }
    }

    @Test func theDemosRejectedStaleWriteShowsOnTheStripWithin30Seconds() async throws {
        let binary = try LockwatchBinary.path()
        let session = try Self.start("\(binary) demo")
        defer { _ = try? E2E.tmux(["kill-session", "-t", session]) }
        let started = ContinuousClock.now
        let screen = try await E2E.waitForScreen(session, limit: .seconds(30), "the rejected stale write on the event strip") {
            $0.contains("stale-write-rejected")
        }
        let line = screen.split(separator: "\n").first { $0.contains("stale-write-rejected") }.map(String.init) ?? ""
        #expect(line.contains("stalled-worker@demo") && line.contains("fence"), "\(line)")
        print("demo: stale write rejection on the strip after \(ContinuousClock.now - started)")
        try E2E.tmux(["send-keys", "-t", session, "q"])
        _ = try await E2E.waitForScreen(session, "the demo to exit") { $0.contains("EXITED=0") }
    }
}
