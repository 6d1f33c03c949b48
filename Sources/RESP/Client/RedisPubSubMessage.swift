public import NIOCore

/// A message delivered to a subscription.
public struct RedisPubSubMessage: Sendable, Hashable {
    /// How the subscription names what it listens to.
    public enum Kind: Sendable, Hashable {
        /// `SUBSCRIBE channel`.
        case channel
        /// `PSUBSCRIBE pattern`.
        case pattern
        /// `SSUBSCRIBE shard-channel` (Redis 7 sharded pub/sub).
        case shard
    }

    /// Which kind of subscription received it.
    public var kind: Kind
    /// The channel it was published on.
    public var channel: String
    /// For pattern subscriptions: the pattern that matched.
    public var pattern: String?
    /// The published bytes.
    public var payload: ByteBuffer

    /// Makes a message.
    public init(kind: Kind, channel: String, pattern: String?, payload: ByteBuffer) {
        self.kind = kind
        self.channel = channel
        self.pattern = pattern
        self.payload = payload
    }

    /// The subscription name that routes this message: the pattern for pattern messages.
    var routingName: String { pattern ?? channel }
}
