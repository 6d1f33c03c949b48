import NIOCore

extension RedisConnection {
    /// Subscribes to `names` and returns once the server confirmed every one of them: from
    /// then on no message published to them is missed.
    ///
    /// - Parameters:
    ///   - kind: channels (`SUBSCRIBE`), patterns (`PSUBSCRIBE`) or shard channels (`SSUBSCRIBE`).
    ///   - names: the channels or patterns; at least one.
    ///   - bufferLimit: how many unread messages to keep before dropping the oldest.
    public func subscribe(
        _ kind: RedisPubSubMessage.Kind,
        to names: [String],
        bufferLimit: Int = 10_000
    ) async throws(RedisError) -> RedisSubscription {
        guard !names.isEmpty else {
            throw RedisError(.invalidConfiguration, "subscribe needs at least one channel or pattern")
        }
        let id = makeSubscriberID()
        let (stream, continuation) = AsyncThrowingStream<RedisPubSubMessage, any Error>.makeStream(
            bufferingPolicy: .bufferingNewest(max(bufferLimit, 1)))
        handler.value.addSubscriber(id: id, kind: kind, names: names, continuation: continuation)
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            Task { await self.removeSubscriber(id) }
        }
        let (command, confirmation) = Self.subscribeCommand(kind, subscribe: true)
        do {
            let replies = try await sendMany(
                RESPCommand(command, names).bytes, name: command, replies: names.count,
                confirmation: confirmation, timeout: nil)
            for reply in replies { try reply.throwIfError() }  // e.g. NOPERM for the channel
        } catch {
            _ = handler.value.removeSubscriber(id: id)
            continuation.finish(throwing: error)
            throw error
        }
        return RedisSubscription(stream: stream)
    }

    /// Publishes `message` on `channel` and returns how many subscribers received it.
    @discardableResult
    public func publish(_ message: some RESPArgument, to channel: String, sharded: Bool = false) async throws(RedisError) -> Int {
        try await send(RESPCommand(sharded ? "SPUBLISH" : "PUBLISH", channel, message)).decode(as: Int.self)
    }

    /// Forgets subscriber `id` and unsubscribes on the server from what nobody else wants.
    private func removeSubscriber(_ id: UInt64) async {
        let abandoned = handler.value.removeSubscriber(id: id)
        guard isActive, !abandoned.isEmpty else { return }
        for kind in [RedisPubSubMessage.Kind.channel, .pattern, .shard] {
            let names = abandoned.filter { $0.kind == kind }.map(\.name)
            guard !names.isEmpty else { continue }
            let (command, confirmation) = Self.subscribeCommand(kind, subscribe: false)
            _ = try? await sendMany(
                RESPCommand(command, names).bytes, name: command, replies: names.count,
                confirmation: confirmation, timeout: nil)
        }
    }

    private static func subscribeCommand(_ kind: RedisPubSubMessage.Kind, subscribe: Bool) -> (String, PubSubConfirmation) {
        switch (kind, subscribe) {
        case (.channel, true): ("SUBSCRIBE", .subscribe)
        case (.channel, false): ("UNSUBSCRIBE", .unsubscribe)
        case (.pattern, true): ("PSUBSCRIBE", .psubscribe)
        case (.pattern, false): ("PUNSUBSCRIBE", .punsubscribe)
        case (.shard, true): ("SSUBSCRIBE", .ssubscribe)
        case (.shard, false): ("SUNSUBSCRIBE", .sunsubscribe)
        }
    }
}

extension RedisClient {
    /// Subscribes to channels, patterns or shard channels; see
    /// ``RedisConnection/subscribe(_:to:bufferLimit:)``. Under RESP3 the subscription shares
    /// the command connection; under RESP2 it uses one dedicated subscriber connection that
    /// every subscription of this client multiplexes.
    public func subscribe(
        _ kind: RedisPubSubMessage.Kind = .channel,
        to names: [String],
        bufferLimit: Int = 10_000
    ) async throws(RedisError) -> RedisSubscription {
        try await subscriberConnection().subscribe(kind, to: names, bufferLimit: bufferLimit)
    }

    /// Publishes `message` on `channel`; returns how many subscribers received it.
    @discardableResult
    public func publish(_ message: some RESPArgument, to channel: String, sharded: Bool = false) async throws(RedisError) -> Int {
        let command = RESPCommand(sharded ? "SPUBLISH" : "PUBLISH", channel, message)
        return try await send(command).decode(as: Int.self)
    }
}
