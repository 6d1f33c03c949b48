/// Whether expiries arrive as keyspace notifications or are inferred from scans.
public enum NotificationStatus: Sendable, Hashable {
    /// Not known yet (the listener has not reported), or no listener runs.
    case unknown
    /// Subscribed: expiries are shown the moment the server announces them.
    case on
    /// Not listening, and why; expiries are inferred from scans.
    case off(reason: String)
}
