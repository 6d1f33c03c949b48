import NIOCore

/// A pub/sub frame recognised among the tokens a connection reads.
enum PubSubFrame {
    /// A message for subscribers.
    case message(RedisPubSubMessage)
    /// A subscribe or unsubscribe confirmation for one channel.
    case confirmation(PubSubConfirmation)
    /// Any other push (client-side caching invalidations, …): ignored.
    case other

    /// Recognises RESP3 pushes, and on RESP2 subscriber connections arrays shaped like pushes.
    /// `nil` for ordinary replies.
    init?(_ token: RESPToken, arraysArePushes: Bool) {
        // Fast exit for ordinary replies: look at the type byte only.
        switch token.base.getInteger(at: token.base.readerIndex, as: UInt8.self) {
        case RESPTypeByte.push.rawValue, RESPTypeByte.attribute.rawValue: break
        case RESPTypeByte.array.rawValue where arraysArePushes: break
        default: return nil
        }
        let elements: RESPToken.Array
        switch token.value {
        case .push(let items): elements = items
        case .array(let items) where arraysArePushes: elements = items
        default: return nil
        }
        var iterator = elements.makeIterator()
        guard let kindToken = iterator.next(), let kind = try? ByteBuffer(fromRESP: kindToken) else {
            self = .other
            return
        }
        let name = String(buffer: kind).lowercased()
        switch name {
        case "message", "smessage":
            guard elements.count == 3, let channel = iterator.next(), let payload = iterator.next(),
                  let channelName = try? String(fromRESP: channel)
            else { self = .other; return }
            let kind: RedisPubSubMessage.Kind = name == "message" ? .channel : .shard
            if let bytes = try? ByteBuffer(fromRESP: payload) {
                self = .message(RedisPubSubMessage(kind: kind, channel: channelName, pattern: nil, payload: bytes))
            } else if let message = Self.structured(payload, kind: kind, channel: channelName) {
                self = .message(message)  // a client-tracking invalidation: keys, or null
            } else {
                self = .other
            }
        case "invalidate":
            // RESP3: a client-tracking invalidation pushed to the redirect target (or to the
            // tracking connection itself); delivered like the RESP2 message on its channel.
            guard elements.count == 2, let payload = iterator.next(),
                  let message = Self.structured(payload, kind: .channel, channel: RedisPubSubMessage.invalidationChannel)
            else { self = .other; return }
            self = .message(message)
        case "pmessage":
            guard elements.count == 4, let pattern = iterator.next(), let channel = iterator.next(),
                  let payload = iterator.next(), let patternName = try? String(fromRESP: pattern),
                  let channelName = try? String(fromRESP: channel), let bytes = try? ByteBuffer(fromRESP: payload)
            else { self = .other; return }
            self = .message(RedisPubSubMessage(kind: .pattern, channel: channelName, pattern: patternName, payload: bytes))
        default:
            if let confirmation = PubSubConfirmation(rawValue: name) {
                self = .confirmation(confirmation)
            } else {
                self = .other
            }
        }
    }

    /// A message whose payload is an array of bulk strings or null; `nil` for anything else.
    private static func structured(_ payload: RESPToken, kind: RedisPubSubMessage.Kind, channel: String) -> RedisPubSubMessage? {
        switch payload.value {
        case .null:
            return RedisPubSubMessage(kind: kind, channel: channel, pattern: nil, payload: ByteBuffer(), isNull: true)
        case .array(let items):
            var keys: [ByteBuffer] = []
            keys.reserveCapacity(items.count)
            for item in items {
                guard let key = try? ByteBuffer(fromRESP: item) else { return nil }
                keys.append(key)
            }
            return RedisPubSubMessage(kind: kind, channel: channel, pattern: nil, payload: ByteBuffer(), items: keys)
        default:
            return nil
        }
    }
}
