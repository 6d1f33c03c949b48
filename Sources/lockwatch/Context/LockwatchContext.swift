import LockWatchUI

/// One named context of the config file: where a deployment's Redis is and how to watch it.
/// Pure data: the password is only referenced, and read when the context is used.
struct LockwatchContext: Sendable, Equatable {
    /// Where the password comes from.
    enum PasswordSource: Sendable, Equatable {
        /// An environment variable's name.
        case environment(String)
        /// A file whose first line is the password.
        case file(String)
    }

    /// The context's name (the `[contexts.NAME]` table).
    var name: String
    /// The Redis URL (no password in it).
    var url: String?
    /// Where the password comes from, if the server needs one.
    var password: PasswordSource?
    /// The key prefixes of the locks.
    var prefixes: [String] = []
    /// Whether force-release (`F`, `release`) is refused.
    var readOnly = false
    /// The dashboard's refresh interval.
    var interval: Duration?
    /// The text drawn in the dashboard header.
    var label: String?
    /// The colour of the label.
    var colour: TerminalColor?

    /// The header label for the dashboard: the label (else the name) in the colour.
    var headerLabel: ContextLabel {
        ContextLabel(text: label ?? name, colour: colour ?? .cyan)
    }
}

extension LockwatchContext {
    /// The context's prefix for a command that takes one (`hold`), `nil` when it names none;
    /// a context that lists several is refused there (exit 78) rather than one picked. The
    /// dashboard, `list` and `events` watch all of them (see ``WatchedKeys``).
    func singlePrefix() throws -> String? {
        guard prefixes.count > 1 else { return prefixes.first }
        printError("context '\(name)' lists \(prefixes.count) prefixes; this command takes one: pass --prefix")
        throw LockwatchExit.config
    }
}
