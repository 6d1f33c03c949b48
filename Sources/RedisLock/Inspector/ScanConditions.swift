public import RESP

/// What a scan had to do without, for the rows' readers (`list`, the dashboard's header and
/// rows): through a proxy there is no `TIME` (ages come from this machine's clock) and no
/// usable `PUBSUB` (waiters are unknown, not 0).
public struct ScanConditions: Sendable, Hashable {
    /// The proxy the locks were read through (`.codis`, `.twemproxy`), `.none` for Redis
    /// itself, `nil` when unknown (no server answered yet).
    public var proxy: RedisProxyKind?
    /// Whether ages and the snapshot's clock are this machine's, not the server's: show them
    /// marked as local.
    public var clockIsLocal: Bool
    /// Whether the waiters of this library's locks could not be counted: show them as unknown.
    public var waitersUnknown: Bool

    /// Makes the conditions of a scan.
    public init(proxy: RedisProxyKind? = nil, clockIsLocal: Bool = false, waitersUnknown: Bool = false) {
        self.proxy = proxy
        self.clockIsLocal = clockIsLocal
        self.waitersUnknown = waitersUnknown
    }

    /// `via codis proxy` (for `list` and the dashboard's header), `nil` without a proxy.
    public var proxyLine: String? {
        guard let proxy, proxy != .none else { return nil }
        return "via \(proxy) proxy"
    }
}
