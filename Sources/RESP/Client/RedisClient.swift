public import NIOCore
public import Logging
import NIOPosix
import Synchronization

/// A Redis client for one server: many concurrent callers share one pipelined connection,
/// which is opened on first use and reopened with backoff after it fails.
///
/// ```swift
/// let client = try RedisClient(url: "redis://127.0.0.1:6379")
/// try await client.send("SET", "greeting", "hello")
/// let greeting = try await client.send("GET", "greeting").decode(as: String?.self)
/// ```
///
/// A command in flight when the connection fails is not retried (it may have run); it fails
/// with ``RedisError/Code/connectionClosed``. The next command reconnects.
public final class RedisClient: Sendable {
    /// The settings every connection of this client uses.
    public let configuration: RedisConfiguration
    /// Where the client's sockets live.
    public let eventLoopGroup: any EventLoopGroup
    /// Where connection events are logged.
    public let logger: Logger
    private let commands: ConnectionSlot
    private let subscribers: ConnectionSlot
    package let endpointMemory = EndpointMemory()

    /// Makes a client; nothing connects until the first command.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger = Logger(label: "RESP.RedisClient")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.logger = logger
        self.commands = ConnectionSlot(role: "command")
        self.subscribers = ConnectionSlot(role: "subscriber")
    }

    /// Makes a client from a URL; see ``RedisConfiguration/init(url:environment:)-(String,_)``.
    public convenience init(url: String, logger: Logger = Logger(label: "RESP.RedisClient")) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url), logger: logger)
    }

    /// The shared command connection, opened (or reopened) if needed.
    public func connection() async throws(RedisError) -> RedisConnection {
        try await commands.connection(self, subscriber: false)
    }

    /// The command connection when it is open, without waiting or connecting.
    package var openConnection: RedisConnection? {
        commands.current
    }

    /// The connection pub/sub runs on: the command connection under RESP3 (pushes share it),
    /// a dedicated one under RESP2.
    func subscriberConnection() async throws(RedisError) -> RedisConnection {
        let main = try await connection()
        if await main.isRESP3 { return main }
        return try await subscribers.connection(self, subscriber: true)
    }

    /// Sends one command and returns its reply; see ``RedisConnection/send(_:timeout:)``. The
    /// reply resumes the caller directly from the connection's event loop: two thread hops
    /// per command from a task on Swift's default executor, none from a task on that loop.
    public func send(_ command: RESPCommand, timeout: Duration? = nil) async throws(RedisError) -> RESPToken {
        try await connection().sendFromCaller(command, timeout: timeout, whenWritten: nil)
    }

    /// Sends the command made of `arguments` (the first is its name) and returns its reply.
    @discardableResult
    public func send<each Argument: RESPArgument>(_ arguments: repeat each Argument) async throws(RedisError) -> RESPToken {
        try await connection().sendFromCaller(RESPCommand(repeat each arguments), timeout: nil, whenWritten: nil)
    }

    /// Sends the commands in one write and returns their replies in order.
    public func send(batch commands: [RESPCommand], timeout: Duration? = nil) async throws(RedisError) -> [Result<RESPToken, RedisError>] {
        try await connection().send(batch: commands, timeout: timeout)
    }

    /// Writes a batch now and returns its replies to await later; see
    /// ``RedisConnection/write(batch:timeout:)``.
    public func write(batch: RESPCommandBatch, timeout: Duration? = nil) async throws(RedisError) -> PendingReplies {
        try await connection().write(batch: batch, timeout: timeout)
    }

    /// Sends a batch encoded in one buffer in one write and returns its replies in order.
    public func send(batch: RESPCommandBatch, timeout: Duration? = nil) async throws(RedisError) -> [Result<RESPToken, RedisError>] {
        try await connection().send(batch: batch, timeout: timeout)
    }

    /// Calls `handler` each time the command connection drops and each time it is reopened
    /// after an earlier one, on whichever thread saw the event. Returns the id to pass to
    /// ``stopObservingConnection(_:)``. Lock renewal uses it to verify held leases at once
    /// when the server may have restarted.
    package func observeConnection(_ handler: @escaping @Sendable (ConnectionSlot.Change) -> Void) -> UInt64 {
        commands.observe(handler)
    }

    /// Stops calling a handler added by ``observeConnection(_:)``.
    package func stopObservingConnection(_ id: UInt64) {
        commands.stopObserving(id)
    }

    /// Closes the connections; later commands fail with ``RedisError/Code/clientShutDown``.
    public func shutdown() async {
        await commands.shutdown()
        await subscribers.shutdown()
    }
}

/// One lazily opened, automatically reopened connection of a ``RedisClient``.
package final class ConnectionSlot: Sendable {
    private enum State {
        case idle(failures: Int, retryAt: ContinuousClock.Instant?)
        case connecting(Task<Result<RedisConnection, RedisError>, Never>, failures: Int)
        case connected(RedisConnection)
        case shutDown
    }

    /// What happened to the slot's connection, for ``RedisClient/observeConnection(_:)``.
    package enum Change: Sendable {
        /// The open connection closed (the server went away, or a reply broke the stream).
        case dropped
        /// A connection was opened again after an earlier one.
        case reopened
    }

    private let state = Mutex(State.idle(failures: 0, retryAt: nil))
    private let observers = ObserverList<@Sendable (Change) -> Void>()
    private let everConnected = Atomic<Bool>(false)
    private let role: String

    init(role: String) {
        self.role = role
    }

    /// The open connection, if there is one, without waiting or connecting.
    var current: RedisConnection? {
        state.withLock { state in
            guard case .connected(let connection) = state, connection.isActive else { return nil }
            return connection
        }
    }

    private enum Next {
        case ready(RedisConnection)
        case wait(Task<Result<RedisConnection, RedisError>, Never>)
    }

    /// Returns the open connection, or opens one (waiting out the backoff after failures).
    func connection(_ client: RedisClient, subscriber: Bool) async throws(RedisError) -> RedisConnection {
        let next: Next = try state.withLock { state throws(RedisError) in
            switch state {
            case .connected(let connection) where connection.isActive:
                return .ready(connection)
            case .connected:
                client.logger.info("connection lost; reconnecting", metadata: ["role": "\(role)", "endpoint": "\(client.configuration.endpoint)"])
                let task = Task { await Self.open(client, subscriber: subscriber, waitUntil: nil) }
                state = .connecting(task, failures: 0)
                return .wait(task)
            case .idle(let failures, let retryAt):
                let task = Task { await Self.open(client, subscriber: subscriber, waitUntil: retryAt) }
                state = .connecting(task, failures: failures)
                return .wait(task)
            case .connecting(let task, _):
                return .wait(task)
            case .shutDown:
                throw RedisError(.clientShutDown, "the client was shut down")
            }
        }
        switch next {
        case .ready(let connection):
            return connection
        case .wait(let task):
            let result = await task.value
            let installed = state.withLock { state -> RedisConnection? in
                guard case .connecting(let current, let failures) = state, current == task else { return nil }
                switch result {
                case .success(let connection):
                    state = .connected(connection)
                    return connection
                case .failure:
                    let delay = Self.backoff(failures: failures + 1, range: client.configuration.reconnectBackoff)
                    state = .idle(failures: failures + 1, retryAt: .now + delay)
                    return nil
                }
            }
            if let installed { announce(installed) }
            return try result.get()
        }
    }

    /// Tells the observers that `connection` is in place (when it replaces an earlier one)
    /// and, later, when it closes.
    private func announce(_ connection: RedisConnection) {
        if everConnected.exchange(true, ordering: .relaxed) { notify(.reopened) }
        connection.channel.closeFuture.whenComplete { _ in
            self.notify(.dropped)
        }
    }

    private func notify(_ change: Change) {
        for handler in observers.all { handler(change) }
    }

    func observe(_ handler: @escaping @Sendable (Change) -> Void) -> UInt64 {
        observers.add(handler)
    }

    func stopObserving(_ id: UInt64) {
        observers.remove(id)
    }

    private static func open(_ client: RedisClient, subscriber: Bool, waitUntil retryAt: ContinuousClock.Instant?) async -> Result<RedisConnection, RedisError> {
        if let retryAt, retryAt > .now {
            try? await Task.sleep(until: retryAt, clock: .continuous)
        }
        do throws(RedisError) {
            return .success(try await RedisConnection.connect(client.configuration, on: client.eventLoopGroup, subscriber: subscriber, memory: client.endpointMemory, logger: client.logger))
        } catch {
            client.logger.warning("connecting failed", metadata: ["endpoint": "\(client.configuration.endpoint)", "error": "\(error)"])
            return .failure(error)
        }
    }

    /// Exponential backoff with full jitter: a random pause up to `min(max, min * 2^failures)`.
    package static func backoff(failures: Int, range: ClosedRange<Duration>) -> Duration {
        let ceiling = min(range.upperBound, range.lowerBound * (1 << min(failures, 20)))
        let fraction = Double.random(in: 0 ... 1)
        return range.lowerBound + (ceiling - range.lowerBound) * fraction
    }

    func shutdown() async {
        observers.removeAll()
        let previous = state.withLock { state in
            defer { state = .shutDown }
            return state
        }
        switch previous {
        case .connected(let connection):
            await connection.close()
        case .connecting(let task, _):
            if case .success(let connection) = await task.value { await connection.close() }
        default:
            break
        }
    }
}
