/// The pieces of a force-release outcome's status line that the whole-lock and the
/// per-holder release share, every string from Redis escaped.
enum OutcomeText {
    /// `audit entry 1-0`, or `audit entry NOT written` when the stream could not be written.
    static func audit(_ entryID: String?) -> String {
        entryID.map { "audit entry \(TerminalText.sanitize($0))" } ?? "audit entry NOT written"
    }

    /// `; node-a: changed hands; …` for the nodes of a Redlock set that kept their copy, or ``.
    static func others(_ others: [String]) -> String {
        others.isEmpty ? "" : "; " + others.map { TerminalText.sanitize($0) }.joined(separator: "; ")
    }

    /// The start of the value the key holds now (at most 40 columns).
    static func current(_ value: [UInt8]) -> String {
        ValueFormat.prefix(TerminalText.sanitize(Array(value.prefix(256))), columns: 40)
    }
}
