import ArgumentParser
import Foundation
import LockWatchUI

/// `lockwatch contexts`: the contexts of the config file.
struct ContextsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contexts",
        abstract: "List the contexts of the config file: name, URL (never a password), label, read-only.",
        discussion: """
            Use one with `lockwatch --context NAME` (any command takes --context). Write a \
            commented example file with `lockwatch config init`.
            Exit codes: 0 listed (also when there is no config file yet: it says so); 78 the \
            config file is wrong (the message names the line or key).
            """
    )

    @OptionGroup var configFile: ConfigFileOption

    func run() throws {
        let path = configFile.resolvedPath
        guard configFile.path != nil || ConfigFile.exists(path) else {
            print("no config file at \(path); write a commented example with `\(SelfInvocation.command) config init`")
            return
        }
        let config: ContextConfig
        do {
            config = try ConfigFile.load(path)
        } catch {
            printError(error.message)
            throw LockwatchExit.config
        }
        print("contexts in \(path):")
        let rows = [["NAME", "URL", "LABEL", "READ-ONLY"]] + config.contexts.map { context in
            [context.name, context.url ?? "($REDIS_URL, else redis://127.0.0.1:6379)", context.label ?? "", context.readOnly ? "yes" : "no"]
                .map { TerminalText.sanitize($0) }
        }
        let widths = (0 ..< 4).map { column in rows.map { TerminalText.displayWidth($0[column]) }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - TerminalText.displayWidth(cell))
            }
            print(cells.joined(separator: "  "))
        }
        if config.contexts.isEmpty { print("(none: add a [contexts.NAME] table)") }
    }
}
