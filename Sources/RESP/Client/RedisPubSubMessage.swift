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
    /// The published bytes (empty when the payload is an array or null, see ``items``).
    public var payload: ByteBuffer
    /// The payload's elements when the server sent an array rather than bytes: Redis's own
    /// client-tracking invalidations on `__redis__:invalidate` carry the changed keys so.
    /// `nil` for an ordinary message.
    public var items: [ByteBuffer]?
    /// Whether the server sent a null payload: an invalidation of every key (`FLUSHALL`,
    /// `FLUSHDB`) on `__redis__:invalidate`.
    public var isNull: Bool

    /// Makes a message.
    public init(kind: Kind, channel: String, pattern: String?, payload: ByteBuffer, items: [ByteBuffer]? = nil, isNull: Bool = false) {
        self.kind = kind
        self.channel = channel
        self.pattern = pattern
        self.payload = payload
        self.items = items
        self.isNull = isNull
    }

    /// The channel Redis delivers client-tracking invalidations on (`CLIENT TRACKING … REDIRECT`).
    public static let invalidationChannel = "__redis__:invalidate"

    /// The subscription name that routes this message: the pattern for pattern messages.
    var routingName: String { pattern ?? channel }
}
