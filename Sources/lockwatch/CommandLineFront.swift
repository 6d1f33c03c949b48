import ArgumentParser

/// What `lockwatch` does with its arguments before ArgumentParser sees them: the top-level
/// help (which also shows the dashboard's options, the dashboard being the default command),
/// "did you mean" for a mistyped subcommand, and `--context`/`--config` accepted before the
/// subcommand's name as well as after it.
enum CommandLineFront {
    /// What to do.
    enum Action: Equatable {
        /// Print the top-level help and exit 0.
        case help
        /// Print that `name` is no command (with a suggestion, if one is close) and the usage; exit 64.
        case unknownCommand(name: String, suggestion: String?)
        /// Parse these arguments as usual.
        case parse([String])
    }

    /// The subcommands' names (as registered in ``Lockwatch``), and `help`.
    static let commandNames = Lockwatch.configuration.subcommands.map { $0._commandName } + ["help"]
    /// The options every command takes that may come before the subcommand's name.
    static let globalOptions = ["--context", "--config"]

    /// The action for `arguments` (without the program name).
    static func action(for arguments: [String]) -> Action {
        if arguments.count == 1, ["--help", "-h", "help"].contains(arguments[0]) { return .help }
        var globals: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if globalOptions.contains(argument), index + 1 < arguments.count {
                globals += [argument, arguments[index + 1]]
                index += 2
            } else if globalOptions.contains(where: { argument.hasPrefix($0 + "=") }) {
                globals.append(argument)
                index += 1
            } else {
                break
            }
        }
        let rest = Array(arguments[index...])
        guard let first = rest.first, !first.hasPrefix("-") else { return .parse(arguments) }
        guard commandNames.contains(first) else {
            return .unknownCommand(name: first, suggestion: suggestion(for: first))
        }
        // The options go after the (sub)subcommand's name, where ArgumentParser looks for them.
        let nameCount = first == "config" && rest.count > 1 && !rest[1].hasPrefix("-") ? 2 : 1
        return .parse(Array(rest.prefix(nameCount)) + globals + Array(rest.dropFirst(nameCount)))
    }

    /// The command name closest to `name` (at most 2 edits away, or starting with it).
    static func suggestion(for name: String) -> String? {
        let lowered = name.lowercased()
        let scored = commandNames.filter { $0 != "help" }.map { ($0, editDistance(lowered, $0)) }
        if let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 { return best.0 }
        return commandNames.first { $0.hasPrefix(lowered) }
    }

    /// The Levenshtein distance between `a` and `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0 ... b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
