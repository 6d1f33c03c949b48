import Synchronization

/// What earlier handshakes learned about each endpoint, so a reconnect does not repeat what
/// failed: a server that refused `HELLO` (or closed the connection on it) gets RESP2 straight
/// away, and a detected proxy is not probed again. A ``RedisClient`` keeps one for all its
/// connections; a lone ``RedisConnection/connect(_:on:subscriber:logger:)`` starts empty.
package final class EndpointMemory: Sendable {
    /// What is known about one endpoint.
    package struct Knowledge: Sendable, Hashable {
        /// `HELLO` was refused (an error or a closed connection): speak RESP2 without asking.
        package var helloRefused = false
        /// The proxy kind the last successful handshake found; `nil` when never connected.
        package var proxy: RedisProxyKind?

        package init(helloRefused: Bool = false, proxy: RedisProxyKind? = nil) {
            self.helloRefused = helloRefused
            self.proxy = proxy
        }
    }

    private let storage = Mutex<[RedisConfiguration.Endpoint: Knowledge]>([:])

    package init() {}

    /// What is known about `endpoint` (nothing, before the first handshake).
    package func knowledge(for endpoint: RedisConfiguration.Endpoint) -> Knowledge {
        storage.withLock { $0[endpoint] ?? Knowledge() }
    }

    /// Records what a successful handshake with `endpoint` learned.
    package func remember(_ knowledge: Knowledge, for endpoint: RedisConfiguration.Endpoint) {
        storage.withLock { $0[endpoint] = knowledge }
    }
}
