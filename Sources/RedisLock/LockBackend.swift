public import NIOCore
public import RESP

/// What a ``Locker`` needs from Redis, so the same lock runs on one server
/// (``RESP/RedisClient``) and on a cluster (``RESP/RedisClusterClient``).
///
/// Every lock's keys and its wake-up channel share one hash tag, so each script and each
/// subscription goes to one slot.
public protocol LockBackend: Sendable {
    /// Runs `script` (by `EVALSHA`, loading it on `NOSCRIPT`) on the server holding `keys`;
    /// `whenWritten` runs once the command is on its way (at the latest with the reply), so a
    /// local waiter's next command queues behind it on the same connection.
    func run(_ script: RedisScript, keys: [String], arguments: [String], whenWritten: @Sendable () -> Void) async throws(RedisError) -> RESPToken

    /// ``run(_:keys:arguments:whenWritten:)`` with a `whenWritten` the backend may keep until the
    /// command is written, so that it can hand the command to its event loop and await the
    /// reply on the caller's executor: ``RESP/RedisClient`` takes two thread hops per script
    /// from a task on Swift's default executor this way, instead of four. The default calls
    /// `run`. ``Locker`` runs every lock script through it.
    func runFromCaller(_ script: RedisScript, keys: [String], arguments: [String], whenWritten: @escaping @Sendable () -> Void) async throws(RedisError) -> RESPToken

    /// Subscribes to a lock's wake-up channel: a plain channel on one server, a shard channel
    /// (`SSUBSCRIBE`) on a cluster.
    func subscribe(toWakeUps channel: String, bufferLimit: Int) async throws(RedisError) -> RedisSubscription

    /// Sends `command` to the server holding `key` (a cluster routes by its slot).
    func send(_ command: RESPCommand, nearKey key: String, timeout: Duration?) async throws(RedisError) -> RESPToken

    /// The command the lock scripts publish wake-ups with: `PUBLISH`, or `SPUBLISH` on a
    /// cluster (where subscribers listen on shard channels).
    var wakeUpPublishCommand: String { get }

    /// Where timers of the lock's waiters run.
    var eventLoopGroup: any EventLoopGroup { get }

    /// Where a waiter of ``Locker/lock(_:ttl:wait:token:)`` runs between its tries, and its
    /// release listener: the event loop of the connection carrying the lock scripts, so that
    /// a wake-up there (a release by the same locker, a release message) and the next try
    /// change threads for neither; `nil` (the default) runs them where the caller's task runs.
    var waiterExecutor: (any TaskExecutor)? { get }

    /// Closes the connections.
    func shutdown() async

    /// Whether ``run(_:keys:arguments:whenWritten:)`` calls `whenWritten` only once the
    /// command was really handed to the socket, so that a failure before it means the script
    /// never ran. When `false`, every failed acquire is treated as possibly applied.
    var confirmsWrites: Bool { get }

    /// Calls `handler` when the connection carrying the lock scripts drops or is reopened
    /// (the server may have restarted and forgotten every lock); returns a closure that stops
    /// the calls, or `nil` when the backend cannot tell.
    func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)?

    /// The proxy in front of the server (Codis, twemproxy), `.none` for Redis itself, or `nil`
    /// while unknown (before the first connection). Through a proxy, waiters poll instead of
    /// subscribing (both proxies refuse `SUBSCRIBE`) and the server safety check is skipped
    /// (both refuse `CONFIG`).
    var proxyKind: RedisProxyKind? { get }

    /// The server's address for messages (`host:port`), or `nil` when there is no single one
    /// (a cluster) or the backend cannot tell.
    var endpointDescription: String? { get }
}

extension LockBackend {
    /// Calls ``run(_:keys:arguments:whenWritten:)``.
    public func runFromCaller(_ script: RedisScript, keys: [String], arguments: [String], whenWritten: @escaping @Sendable () -> Void) async throws(RedisError) -> RESPToken {
        try await run(script, keys: keys, arguments: arguments, whenWritten: whenWritten)
    }

    /// `false`: a failed acquire may have run.
    public var confirmsWrites: Bool { false }

    /// `nil`: no connection events.
    public func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? { nil }

    /// `.none`: Redis itself (a cluster's nodes are never proxies).
    public var proxyKind: RedisProxyKind? { RedisProxyKind.none }

    /// `nil`: no single address.
    public var endpointDescription: String? { nil }

    /// `nil`: waiters run where the caller's task runs.
    public var waiterExecutor: (any TaskExecutor)? { nil }
}

extension RedisClient: LockBackend {
    /// Sends the script's `EVALSHA` from the caller's executor, its reply resuming the caller
    /// straight from the event loop (loading the script on `NOSCRIPT` as `run` does).
    public func runFromCaller(_ script: RedisScript, keys: [String], arguments: [String], whenWritten: @escaping @Sendable () -> Void) async throws(RedisError) -> RESPToken {
        try await connection().runFromCaller(script, keys: keys, arguments: arguments, whenWritten: whenWritten)
    }

    /// Subscribes to `channel` (`SUBSCRIBE`).
    public func subscribe(toWakeUps channel: String, bufferLimit: Int) async throws(RedisError) -> RedisSubscription {
        try await subscribe(.channel, to: [channel], bufferLimit: bufferLimit)
    }

    /// Sends `command` to this client's server.
    public func send(_ command: RESPCommand, nearKey key: String, timeout: Duration?) async throws(RedisError) -> RESPToken {
        try await send(command, timeout: timeout)
    }

    /// `PUBLISH`.
    public var wakeUpPublishCommand: String { "PUBLISH" }

    /// The configured endpoint (`host:port` or the socket path).
    public var endpointDescription: String? { configuration.endpoint.description }

    /// The command connection's event loop once it is open (else `nil`): a release's
    /// `whenWritten` and the release messages both arrive there.
    public var waiterExecutor: (any TaskExecutor)? { openConnection?.taskExecutor }

    /// `true`: `RedisConnection` calls `whenWritten` only for a command it wrote.
    public var confirmsWrites: Bool { true }

    /// Calls `handler` when the command connection drops and when it is reopened.
    public func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? {
        let id = observeConnection { _ in handler() }
        return { self.stopObservingConnection(id) }
    }
}

extension RedisClusterClient: LockBackend {
    /// Runs `script` on the primary of its keys' slot; `whenWritten` runs with the reply.
    public func run(_ script: RedisScript, keys: [String], arguments: [String], whenWritten: @Sendable () -> Void) async throws(RedisError) -> RESPToken {
        let reply = try await run(script, keys: keys, arguments: arguments)
        whenWritten()
        return reply
    }

    /// Subscribes to shard channel `channel` (`SSUBSCRIBE`) on the primary of its slot.
    public func subscribe(toWakeUps channel: String, bufferLimit: Int) async throws(RedisError) -> RedisSubscription {
        try await subscribe(.shard, to: [channel], bufferLimit: bufferLimit)
    }

    /// Sends `command` to the primary serving `key`'s slot.
    public func send(_ command: RESPCommand, nearKey key: String, timeout: Duration?) async throws(RedisError) -> RESPToken {
        try await send(command, routedBy: key, timeout: timeout)
    }

    /// `SPUBLISH`: shard channels reach only the subscribers of their slot's shard.
    public var wakeUpPublishCommand: String { "SPUBLISH" }

    /// Calls `handler` when any node's command connection drops or is reopened.
    public func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? {
        let id = observeConnections(handler)
        return { self.stopObservingConnections(id) }
    }
}
