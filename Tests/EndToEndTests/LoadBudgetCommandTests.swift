import Foundation
import Testing
import LockTestSupport

/// `lockwatch --max-load`: a value outside 0–100% is refused before connecting, with one
/// message that says what to give.
@Suite("Load budget on the command line")
struct LoadBudgetCommandTests {
    @Test(arguments: [["--max-load", "0"], ["watch", "--max-load", "150"], ["--max-load=-3"]])
    func aMaxLoadOutsideZeroToAHundredIsBadUsage(arguments: [String]) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await runLockwatch(arguments + ["--url", "redis://127.0.0.1:1"], in: scratch.path)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--max-load must be a percentage above 0 and at most 100"), "\(result.stderr)")
        #expect(result.stderr.contains("e.g. --max-load 5"), "\(result.stderr)")
        #expect(!result.stderr.contains("connect"), "refused before connecting: \(result.stderr)")
    }
}
