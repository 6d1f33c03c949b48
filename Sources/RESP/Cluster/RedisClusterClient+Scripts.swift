extension RedisClusterClient {
    /// Runs `script` on the primary serving its keys' slot, by SHA-1 with loading on
    /// `NOSCRIPT` (each node has its own script cache); see ``RedisConnection/run(_:keys:arguments:whenWritten:)``.
    ///
    /// All `keys` must hash to one slot; otherwise it throws ``RedisError/Code/crossSlot``
    /// before anything is sent. A script without keys runs on any primary.
    public func run(_ script: RedisScript, keys: [String], arguments: [String] = []) async throws(RedisError) -> RESPToken {
        let slot = try Self.slot(of: keys, what: "script keys")
        return try await perform(slot: slot) { client, asking throws(RedisError) in
            try await client.connection().run(script, keys: keys, arguments: arguments, asking: asking)
        }
    }
}
