import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The dashboard's per-holder force-release with the real binary in tmux against a real
/// server: in the detail view of a read-write lock held by two readers, `↓` selects one, `f`
/// asks, `y` releases exactly that reader (audited); the other keeps its share.
@Suite("Dashboard per-holder release end to end", .serialized)
struct KindHolderDashboardTests {
    typealias E2E = DashboardEndToEndTests

    @Test func releasesOneReaderOfTwoFromTheDetailView() async throws {
        let binary = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let rw = try ReadWriteLocker(try pool.locker(owner: "reader"))
            let first = try await rw.reading.lock("catalog", ttl: .seconds(60), wait: .seconds(5))
            let second = try await rw.reading.lock("catalog", ttl: .seconds(60), wait: .seconds(5))
            let key = first.keys.lock
            let log = scratch.file("audit.log")
            let session = "lw-holder-\(UUID().uuidString.prefix(8))"
            defer { _ = try? E2E.tmux(["kill-session", "-t", session]) }
            let command = "REDIS_URL=\(pool.server.url) \(binary) --prefix lock: --audit-log \(log); echo EXITED=$?; sleep 60"
            try E2E.tmux(["new-session", "-d", "-s", session, "-x", "160", "-y", "40", command])

            _ = try await E2E.waitForScreen(session, "the rw row") { $0.contains("rw: 2 readers") }
            try E2E.tmux(["send-keys", "-t", session, "Enter"])
            _ = try await E2E.waitForScreen(session, "the detail view") { $0.contains("lock detail") && $0.contains("release holder") }
            try E2E.tmux(["send-keys", "-t", session, "Down"])
            _ = try await E2E.waitForScreen(session, "a selected holder") { $0.contains("› reader") }
            try E2E.tmux(["send-keys", "-t", session, "f"])
            let confirm = try await E2E.waitForScreen(session, "the confirmation") { $0.contains("Force-release this holder?") && $0.contains("compare") }
            let holderLine = confirm.split(separator: "\n").first { $0.contains("holder ") && $0.contains("reader") }.map(String.init) ?? ""
            let (target, other) = holderLine.contains(first.token) ? (first, second) : (second, first)
            #expect(holderLine.contains(target.token), "the confirmation names neither reader:\n\(confirm)")
            #expect(confirm.contains("field r:" + target.token.prefix(20)), "it says what is compared:\n\(confirm)")

            try E2E.tmux(["send-keys", "-t", session, "y"])
            let released = try await eventually(timeout: .seconds(10), interval: .milliseconds(50)) {
                try await admin.send("HEXISTS", key, "r:" + target.token).decode(as: Int.self) == 0
            }
            #expect(released, "the selected reader was not released")
            #expect(try await admin.send("HEXISTS", key, "r:" + other.token).decode(as: Int.self) == 1, "the other reader lost its share")
            #expect(try await admin.send("ZCARD", key + ":expiries").decode(as: Int.self) == 1, "only the other reader's expiry is left")
            _ = try await E2E.waitForScreen(session, "the outcome") { $0.contains("released reader") && $0.contains("rw: 1 reader") }
            let audit = try String(contentsOfFile: log, encoding: .utf8)
            #expect(audit.contains("\"force-release\"") && audit.contains("\"holder_field\"") && audit.contains("r:" + target.token), "\(audit)")
            #expect(try await rw.reading.unlock(other), "the other reader still holds and releases normally")

            try E2E.tmux(["send-keys", "-t", session, "Escape"])
            try E2E.tmux(["send-keys", "-t", session, "q"])
            _ = try await E2E.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }
        }
    }
}
