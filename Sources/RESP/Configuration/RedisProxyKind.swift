/// What answers at the configured endpoint: Redis itself or a proxy in front of it.
///
/// The handshake detects it from how the server behaves (see
/// ``RedisConfiguration/proxy``), or takes it from the URL's `proxy=` query item. The
/// connection shows the outcome as ``RedisConnection/proxyKind`` and a client as
/// ``RedisClient/proxyKind``, so tools can say what they are talking to.
public enum RedisProxyKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No proxy: a Redis server (a single node, a cluster node or one codis-server) answers.
    case none
    /// A Codis 3.x proxy: refuses some commands with `ERR handle request, command 'X' is not
    /// allowed` (`CLIENT`, `SCRIPT`, `TIME`, `SCAN`, `SUBSCRIBE`, …), answers `SLOTSMAPPING`,
    /// and routes every key by `crc32(hash tag) % 1024` to one of its groups.
    case codis
    /// twemproxy (nutcracker): closes the connection on any command it does not know
    /// (`HELLO`, `CLIENT`, `SELECT`, `INFO`, `SCRIPT`, `TIME`, …) and serves database 0 only.
    case twemproxy

    /// The name used in URLs (`proxy=codis`) and messages.
    public var description: String { rawValue }
}
