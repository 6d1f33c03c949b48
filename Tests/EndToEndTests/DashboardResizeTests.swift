import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The real `lockwatch` dashboard in tmux while the window is resized under it: it lays the
/// screen out again for every size, keeps running, and still quits cleanly.
@Suite("Dashboard resize", .serialized)
struct DashboardResizeTests {
    typealias EndToEnd = DashboardEndToEndTests

    /// The pane's size as tmux reports it.
    static func paneSize(_ session: String) throws -> String {
        try EndToEnd.tmux(["display-message", "-p", "-t", session, "#{pane_width}x#{pane_height}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether a `lockwatch` process still runs in the pane (a child of its shell).
    static func lockwatchRuns(_ session: String) throws -> Bool {
        let shell = try EndToEnd.tmux(["display-message", "-p", "-t", session, "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").contains { child in
            let name = (try? String(contentsOfFile: "/proc/\(child)/comm", encoding: .utf8)) ?? ""
            return name.trimmingCharacters(in: .whitespacesAndNewlines) == "lockwatch"
        }
    }

    /// The pane's lines with the trailing blanks tmux pads them with removed.
    static func lines(_ screen: String) -> [Substring] {
        screen.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.prefix(upTo: line.lastIndex { $0 != " " }.map { line.index(after: $0) } ?? line.startIndex)
        }
    }

    @Test func relaysOutOnEveryResizeAndQuitsCleanly() async throws {
        let binary = try LockwatchBinary.path()
        try await withLockServer { pool, _ in
            let locker = try pool.locker(owner: "resize-owner")
            for index in 1...6 {
                _ = try #require(try await locker.tryLock("orders:\(index)", ttl: .seconds(120)).lease)
            }
            let session = "lw-resize-\(UUID().uuidString.prefix(8))"
            defer { _ = try? EndToEnd.tmux(["kill-session", "-t", session]) }
            let command = "REDIS_URL=\(pool.server.url) \(binary) --readonly --audit-log ''; echo EXITED=$?; sleep 60"
            try EndToEnd.tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "30", command])
            let wide = try await EndToEnd.waitForScreen(session, "rows at 120x30") { $0.contains("lock:{orders:6}") && $0.contains("resize-owner") }
            #expect(wide.contains("every 1s"))
            #expect(try Self.lockwatchRuns(session), "cannot find the lockwatch process")

            // 40x10: the header is redrawn for 40 columns and table rows are still shown.
            try EndToEnd.tmux(["resize-window", "-t", session, "-x", "40", "-y", "10"])
            #expect(try Self.paneSize(session) == "40x10")
            let small = try await EndToEnd.waitForScreen(session, "the 40x10 layout") { screen in
                let lines = Self.lines(screen)
                // Redrawn, not clipped: the 120-column summary's right end ("● connected") moves into view.
                return lines.count >= 10 && lines[0].hasPrefix(" lockwatch ") && screen.contains("● connected")
                    && screen.contains("lock:{orders:")
            }
            let smallLines = Self.lines(small)
            #expect(smallLines.allSatisfy { $0.count <= 40 }, "a line is wider than 40 columns:\n\(small)")
            // At least two rows, told apart by their keys.
            #expect(small.contains("lock:{orders:1}") && small.contains("lock:{orders:2}"), "rows cut or missing at 40x10:\n\(small)")
            #expect(try Self.lockwatchRuns(session), "lockwatch is no longer running:\n\(small)")

            // Very narrow and short: whatever fits, and no crash.
            try EndToEnd.tmux(["resize-window", "-t", session, "-x", "8", "-y", "3"])
            #expect(try Self.paneSize(session) == "8x3")
            let tiny = try await EndToEnd.waitForScreen(session, "the 8x3 layout") { screen in
                let lines = Self.lines(screen)
                return !lines.isEmpty && !lines.joined().isEmpty && !screen.contains("● connected")
            }
            #expect(Self.lines(tiny).allSatisfy { $0.count <= 8 })
            #expect(try Self.lockwatchRuns(session), "lockwatch is no longer running:\n\(tiny)")

            // Back to 120x30: the full layout returns.
            try EndToEnd.tmux(["resize-window", "-t", session, "-x", "120", "-y", "30"])
            let again = try await EndToEnd.waitForScreen(session, "the 120x30 layout again") { screen in
                (1...6).allSatisfy { screen.contains("lock:{orders:\($0)}") } && screen.contains("every 1s")
            }
            #expect(Self.lines(again).count >= 30)
            #expect(try Self.lockwatchRuns(session))

            try EndToEnd.tmux(["send-keys", "-t", session, "q"])
            _ = try await EndToEnd.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }
            let modes = try EndToEnd.tmux(["display-message", "-p", "-t", session, "#{alternate_on}"])
            #expect(modes.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "still on the alternate screen after quitting")
        }
    }
}
