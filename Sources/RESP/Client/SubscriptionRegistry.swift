/// Who listens to which channel on one connection. Many subscribers may share a channel; the
/// server-side subscription is dropped when the last of them goes away.
struct SubscriptionRegistry {
    typealias Continuation = AsyncThrowingStream<RedisPubSubMessage, any Error>.Continuation

    /// A channel, pattern or shard channel.
    struct Key: Hashable {
        var kind: RedisPubSubMessage.Kind
        var name: String
    }

    private var listeners: [Key: Set<UInt64>] = [:]
    private var subscribers: [UInt64: (keys: [Key], continuation: Continuation)] = [:]

    /// Registers subscriber `id` for `names`.
    mutating func add(id: UInt64, kind: RedisPubSubMessage.Kind, names: [String], continuation: Continuation) {
        let keys = names.map { Key(kind: kind, name: $0) }
        subscribers[id] = (keys, continuation)
        for key in keys { listeners[key, default: []].insert(id) }
    }

    /// Removes subscriber `id`; returns the names nobody listens to any more.
    mutating func remove(id: UInt64) -> [Key] {
        guard let keys = subscribers.removeValue(forKey: id)?.keys else { return [] }
        var abandoned: [Key] = []
        for key in keys {
            listeners[key]?.remove(id)
            if listeners[key]?.isEmpty == true {
                listeners[key] = nil
                abandoned.append(key)
            }
        }
        return abandoned
    }

    /// Hands a message to every subscriber of its channel or pattern.
    func deliver(_ message: RedisPubSubMessage) {
        guard let ids = listeners[Key(kind: message.kind, name: message.routingName)] else { return }
        for id in ids { subscribers[id]?.continuation.yield(message) }
    }

    /// Ends every subscription with `error` and forgets them.
    mutating func finishAll(throwing error: RedisError) {
        let all = subscribers.values.map(\.continuation)
        listeners = [:]
        subscribers = [:]
        for continuation in all { continuation.finish(throwing: error) }
    }
}
