/// A `MOVED` or `ASK` error reply: the slot lives (for good, or during a migration only for
/// this key) on another node.
///
/// `MOVED 3999 127.0.0.1:6381` means "slot 3999 is served by 127.0.0.1:6381 from now on";
/// `ASK 3999 127.0.0.1:6381` means "send `ASKING` and then this one command there".
public struct ClusterRedirection: Sendable, Hashable {
    /// Whether the move is permanent.
    public enum Kind: Sendable, Hashable {
        /// `MOVED`: update the slot map.
        case moved
        /// `ASK`: the slot is being migrated; ask the target once without updating the map.
        case ask
    }

    /// `MOVED` or `ASK`.
    public var kind: Kind
    /// The slot the key belongs to.
    public var slot: HashSlot
    /// The node to send the command to.
    public var endpoint: RedisConfiguration.Endpoint

    /// Makes a redirection.
    public init(kind: Kind, slot: HashSlot, endpoint: RedisConfiguration.Endpoint) {
        self.kind = kind
        self.slot = slot
        self.endpoint = endpoint
    }

    /// Parses an error reply's text; `nil` when it is not a well-formed `MOVED` or `ASK`.
    ///
    /// - Parameters:
    ///   - errorMessage: the error reply's text, such as `MOVED 3999 10.0.0.2:6381`.
    ///   - currentHost: the host of the node that answered, used when the reply leaves
    ///     the host out (`MOVED 3999 :6381`, sent when the node does not know its own address).
    public init?(errorMessage: some StringProtocol, currentHost: String? = nil) {
        let words = errorMessage.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 3 else { return nil }
        switch words[0] {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        guard let number = UInt16(words[1]), let slot = HashSlot(rawValue: number),
              let colon = words[2].lastIndex(of: ":"),
              let port = Int(words[2][words[2].index(after: colon)...]), (1 ... 65_535).contains(port)
        else { return nil }
        var host = String(words[2][..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty {
            guard let currentHost else { return nil }
            host = currentHost
        }
        self.slot = slot
        self.endpoint = .tcp(host: host, port: port)
    }
}
