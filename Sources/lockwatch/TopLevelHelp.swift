import ArgumentParser
import Foundation
import Glibc
import LockWatchUI

/// `lockwatch --help`: the commands, then the dashboard's options (the dashboard is the
/// default command, so `lockwatch --interval 2s` is `lockwatch watch --interval 2s`).
enum TopLevelHelp {
    /// The whole help text.
    static func text() -> String {
        let root = Lockwatch.helpMessage()
        let watch = WatchCommand.helpMessage()
        guard let options = watch.range(of: "OPTIONS:\n") else { return root }
        return root.trimmingTrailingNewlines() + "\n\nDASHBOARD OPTIONS: `lockwatch [<options>]` runs the dashboard, the default command,\n"
            + "as `lockwatch watch [<options>]` does (`lockwatch watch --help` also lists its keys):\n"
            + String(watch[options.upperBound...])
    }

    /// The USAGE line(s) of the top-level help.
    static func usage() -> String {
        let root = Lockwatch.helpMessage()
        guard let start = root.range(of: "USAGE:") else { return root }
        let rest = root[start.lowerBound...]
        let end = rest.range(of: "\n\n")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// Handles a first word that is no command: one line naming it (and the closest command),
    /// the usage, where to read more; exit 64.
    static func rejectUnknownCommand(_ name: String, suggestion: String?) -> Never {
        var line = "'\(TerminalText.sanitize(name))' is not a lockwatch command"
        if let suggestion { line += "; did you mean `\(suggestion)`?" }
        printError(line)
        let rest = """

            \(usage())
              Commands: \(CommandLineFront.commandNames.filter { $0 != "help" }.joined(separator: ", ")).
              See '\(SelfInvocation.command) --help' for every command and the dashboard's options.

            """
        FileHandle.standardError.write(Data(rest.utf8))
        exit(64)
    }
}

private extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
