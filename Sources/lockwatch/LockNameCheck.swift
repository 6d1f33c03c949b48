import ArgumentParser
import LockWatchUI

/// Checks a lock name or key prefix given on the command line, so every message can show it
/// as it is (`--owner` is checked the same way by the library).
enum LockNameCheck {
    /// The longest TTL a lock takes (the library's limit too).
    static let maximumTTL = Duration.seconds(365 * 24 * 3600)

    /// Refuses an empty name: its key `PREFIX{}` has an empty hash tag, so on a cluster the
    /// lock and its fence counter (`PREFIX{}:fence`) would hash to different slots.
    static func name(_ name: String) throws {
        guard !name.isEmpty else {
            throw ValidationError("the lock name is empty: give a name, e.g. \(SelfInvocation.command) hold nightly-report -- ./job.sh (an empty name would make the key PREFIX{}, whose empty hash tag puts the lock and its fence counter in different cluster slots)")
        }
        try printable(name, what: "the lock name")
    }

    /// Refuses control, format and other characters a terminal would act on instead of show
    /// (escape sequences, bidi overrides), in `what`.
    static func printable(_ text: String, what: String) throws {
        guard !text.unicodeScalars.contains(where: TerminalText.isUnsafe) else {
            throw ValidationError("\(what) '\(TerminalText.sanitize(text))' contains control or format characters (shown escaped); use printable text")
        }
    }
}
