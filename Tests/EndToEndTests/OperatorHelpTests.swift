import Foundation
import Testing
import LockTestSupport

/// `lockwatch --help` and a mistyped command, as the CLI conventions have them.
@Suite("Operator: help and usage")
struct OperatorHelpTests {
    @Test func helpListsTheCommandsAndTheDashboardsOptions() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await runLockwatch(["--help"], in: scratch.path)
        #expect(result.status == 0, "\(result.stderr)")
        let help = result.stdout
        let sections = try #require(help.range(of: "DASHBOARD OPTIONS"), "no dashboard options in --help:\n\(help)")
        let commands = help[..<sections.lowerBound]
        for command in ["watch", "hold", "list", "release", "demo", "contexts", "config"] {
            #expect(commands.contains("  \(command) "), "--help does not list \(command):\n\(help)")
        }
        let options = help[sections.upperBound...]
        for option in ["--prefix", "--match", "--interval", "--readonly", "--url", "--password-file", "--verbose", "--context", "--config"] {
            #expect(options.contains(option), "--help does not show the dashboard's \(option):\n\(help)")
        }
    }

    @Test func aMistypedCommandGetsTheUsageAndASuggestion() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await runLockwatch(["lsit"], in: scratch.path)
        #expect(result.status == 64)
        #expect(result.stderr.contains("'lsit' is not a lockwatch command; did you mean `list`?"), "\(result.stderr)")
        #expect(result.stderr.contains("USAGE:"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)

        let far = try await runLockwatch(["frobnicate"], in: scratch.path)
        #expect(far.status == 64)
        #expect(!far.stderr.contains("did you mean"), "\(far.stderr)")
    }
}
