/// Whether the dashboard's data is live.
public enum ConnectionState: Sendable, Hashable {
    /// No scan has finished yet.
    case connecting
    /// The last refresh worked.
    case connected
    /// Refreshes fail; the last data stays on screen, dimmed, under a banner.
    case reconnecting(lastError: String, attempt: Int, retryIn: Duration?)

    /// Whether refreshes are failing.
    public var isReconnecting: Bool {
        if case .reconnecting = self { return true }
        return false
    }
}
