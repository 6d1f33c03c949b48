/// The one-line message at the bottom of the dashboard.
public struct StatusMessage: Sendable, Hashable {
    /// How the message is coloured.
    public enum Severity: Sendable, Hashable {
        /// Neutral news.
        case info
        /// Something worked.
        case success
        /// Something was refused or did not happen.
        case warning
        /// Something failed.
        case error
    }

    /// The text, already sanitized (every part that came from Redis was escaped).
    public var text: String
    /// How it is coloured.
    public var severity: Severity
    /// When it was set.
    public var since: ContinuousClock.Instant

    /// How long a message stays before it is cleared.
    static let lifetime: Duration = .seconds(10)
}
