extension RedisClient {
    /// The proxy this client's handshakes found in front of Redis (or the one `proxy=`
    /// forced), or `nil` before the first connection; see ``RedisProxyKind``. Tools show it
    /// (a dashboard header, `list`) and use it to avoid commands the proxy refuses.
    public var proxyKind: RedisProxyKind? {
        endpointMemory.knowledge(for: configuration.endpoint).proxy
    }
}
