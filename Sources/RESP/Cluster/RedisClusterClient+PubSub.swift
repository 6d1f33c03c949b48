extension RedisClusterClient {
    /// Subscribes to shard channels (`SSUBSCRIBE`, on the primary serving their slot) or to
    /// ordinary channels or patterns (on any primary: the cluster broadcasts those).
    ///
    /// Shard channels must all hash to one slot (``RedisError/Code/crossSlot`` otherwise,
    /// before anything is sent). The subscription ends with an error when its node's connection
    /// closes (for instance after a failover); subscribe again to continue.
    public func subscribe(
        _ kind: RedisPubSubMessage.Kind = .shard,
        to names: [String],
        bufferLimit: Int = 10_000
    ) async throws(RedisError) -> RedisSubscription {
        let slot = kind == .shard ? try Self.slot(of: names, what: "shard channels") : nil
        return try await perform(slot: slot) { client, _ throws(RedisError) in
            try await client.subscribe(kind, to: names, bufferLimit: bufferLimit)
        }
    }

    /// Publishes `message` with `SPUBLISH` on the primary serving `channel`'s slot and returns
    /// how many subscribers of that shard received it.
    @discardableResult
    public func spublish(_ message: some RESPArgument, to channel: String) async throws(RedisError) -> Int {
        let command = RESPCommand("SPUBLISH", channel, message)
        return try await send(command, routedBy: channel).decode(as: Int.self)
    }
}
