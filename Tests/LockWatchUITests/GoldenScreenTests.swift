import Foundation
import Testing
@testable import LockWatchUI
import RedisLock

/// Whole screens, checked cell by cell against text fixtures in `Golden/` at 80×24 and
/// 120×40: any change to what the operator sees shows up as a diff to review.
///
/// After an intended change, rewrite the fixtures with `scripts/update-golden.sh` (it sets
/// `LOCKWATCH_UPDATE_GOLDEN=1` and runs this suite) and review them with `git diff`.
@Suite struct GoldenScreenTests {
    /// The screens worth pinning: the table, the detail panel, help, and a force-release
    /// confirmation.
    enum Screen: String, CaseIterable, Sendable {
        case table, detail, help, confirm

        /// The dashboard in this screen's state at `width`×`height`.
        func state(width: Int, height: Int) -> DashboardState {
            var state = dashboard(GoldenScreenTests.locks, width: width, height: height)
            switch self {
            case .table: break
            case .detail: _ = state.handle(.enter)
            case .help: _ = state.handle(.character("?"))
            case .confirm: _ = state.handle(.character("F"))
            }
            return state
        }
    }

    /// One of each kind of row: contended, near expiry, no TTL, other libraries' formats, and
    /// a key full of escape sequences (shown escaped).
    static let locks: [InspectedLock] = [
        lock("lock:{orders:42}", owner: "web-7:4121", ttl: 12_300, heldFor: 65_000, fence: 981, waiters: 3, rate: 2.5),
        lock("lock:{invoices:7}", owner: "billing-2:88", ttl: 1_200, heldFor: 28_800, fence: 12, waiters: 0, rate: 0.2),
        lock("lock:{reports:nightly}", owner: "cron-1:9", ttl: nil, heldFor: 7_200_000, fence: 3, waiters: 1, rate: 0),
        lock("DUSEPK_REDIS_LOCK_payouts", owner: nil, token: "8c1e0f2a", ttl: 9_000, heldFor: nil, fence: nil, waiters: nil, rate: nil, format: .goLegacy, value: "8c1e0f2a"),
        lock("lock:evil\u{1b}]0;PWNED\u{07}", owner: "x\u{1b}[2Jy", ttl: 20_000, heldFor: 1_000, fence: 5),
    ]

    static let sizes: [(width: Int, height: Int)] = [(80, 24), (120, 40)]

    static var fixtureDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    }

    /// The grid as text: one line per row, trailing spaces kept, so widths are checked too.
    static func text(of grid: CellGrid, height: Int) -> String {
        (0..<height).map { grid.line($0) }.joined(separator: "\n") + "\n"
    }

    @Test(arguments: Screen.allCases)
    func screenMatchesItsFixture(_ screen: Screen) throws {
        let update = ProcessInfo.processInfo.environment["LOCKWATCH_UPDATE_GOLDEN"] == "1"
        for size in Self.sizes {
            let state = screen.state(width: size.width, height: size.height)
            let actual = Self.text(of: render(state, width: size.width, height: size.height), height: size.height)
            let file = Self.fixtureDirectory.appendingPathComponent("\(screen.rawValue)-\(size.width)x\(size.height).txt")
            if update {
                try FileManager.default.createDirectory(at: Self.fixtureDirectory, withIntermediateDirectories: true)
                try actual.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: file, encoding: .utf8)
            if actual != expected {
                let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
                let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
                let differing = zip(actualLines, expectedLines).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
                Issue.record("""
                    \(screen.rawValue) at \(size.width)×\(size.height) differs from \(file.lastPathComponent) on rows \(differing); \
                    review with scripts/update-golden.sh and git diff. Rendered:
                    \(actual)
                    """)
            }
            // Nothing from Redis reaches the screen unescaped.
            #expect(!actual.contains("\u{1b}"))
            #expect(!actual.contains("\u{07}"))
        }
    }
}
