public import NIOCore
import Synchronization

/// One connection to a Redis server, shared by any number of concurrent callers: commands are
/// pipelined and replies matched in order.
///
/// The actor runs on the channel's event loop, so its bookkeeping never hops threads, and a
/// caller isolated to it (see ``withIsolation(_:)``) sends and receives with no hop at all.
/// Most code uses ``RedisClient``, which reconnects; use a connection directly when you want
/// exactly one socket.
public final actor RedisConnection {
    /// The underlying channel.
    public nonisolated let channel: any Channel
    /// The settings this connection was made with.
    public nonisolated let configuration: RedisConfiguration
    /// Runs the jobs of tasks that prefer it on this connection's event loop. Inside
    /// `withTaskExecutorPreference(connection.taskExecutor) { … }` a tight sequential loop of
    /// commands on this connection (through it or through its ``RedisClient``, lock
    /// operations included) changes threads for none of them. Keep only short, non-blocking
    /// work inside: it runs on the socket's thread.
    public nonisolated let taskExecutor: EventLoopTaskExecutor
    let handler: NIOLoopBound<RedisChannelHandler>
    /// Whether the handshake settled on RESP3 (`true`) or RESP2.
    public private(set) var isRESP3 = false
    /// The proxy the handshake found in front of Redis (or the one `proxy=` forced): through
    /// ``RedisProxyKind/codis`` or ``RedisProxyKind/twemproxy`` some commands are refused and
    /// scripts run with `EVAL` on `NOSCRIPT` (never `SCRIPT LOAD`).
    public private(set) var proxyKind = RedisProxyKind.none
    private nonisolated let requestIDs = Atomic<UInt64>(0)

    /// Runs on the channel's event loop.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        channel.eventLoop.executor.asUnownedSerialExecutor()
    }

    init(channel: any Channel, handler: NIOLoopBound<RedisChannelHandler>, configuration: RedisConfiguration) {
        self.channel = channel
        self.handler = handler
        self.configuration = configuration
        self.taskExecutor = EventLoopTaskExecutor(channel.eventLoop)
    }

    /// Whether the socket is still open.
    public nonisolated var isActive: Bool { channel.isActive }

    /// Sends one command and returns its reply. An error reply throws
    /// ``RedisError/Code/serverError`` (or a more specific code such as `permissionDenied`).
    ///
    /// - Parameters:
    ///   - command: the command to send.
    ///   - timeout: overrides the configuration's ``RedisConfiguration/commandTimeout``.
    public func send(_ command: RESPCommand, timeout: Duration? = nil) async throws(RedisError) -> RESPToken {
        try await send(command, timeout: timeout, whenWritten: {})
    }

    /// Sends one command like ``send(_:timeout:)`` and calls `whenWritten` on the connection's
    /// event loop as soon as the command is queued on the socket, before its reply: commands
    /// sent from then on run after it on the server. A command that cannot be written throws
    /// without calling it.
    ///
    /// Through Codis, a command refused because the proxy's connection to the backend is not
    /// up (`ERR handle response, backend conn failure` or `… reset`, `slot is not ready`) is
    /// sent again after short jittered pauses while its timeout lasts, instead of failing.
    public func send(_ command: RESPCommand, timeout: Duration? = nil, whenWritten: @Sendable () -> Void) async throws(RedisError) -> RESPToken {
        do {
            return try await sendOnce(command, timeout: timeout, whenWritten: whenWritten)
        } catch where proxyKind == .codis && error.isCodisBackendHiccup {
            return try await resendAfterCodisHiccup(command, timeout: timeout, first: error)
        }
    }

    /// Sends one command once; see ``send(_:timeout:whenWritten:)``.
    func sendOnce(_ command: RESPCommand, timeout: Duration?, whenWritten: @Sendable () -> Void) async throws(RedisError) -> RESPToken {
        let id = makeRequestID()
        let deadline = deadline(for: timeout)
        return try await Self.mapErrors {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RESPToken, any Error>) in
                    if Self.failedAsCancelled(continuation) { return }
                    register(command, id: id, deadline: deadline, continuation: continuation, whenWritten: whenWritten)
                }
            } onCancel: {
                Task { await self.cancelRequest(id) }
            }
        }
    }

    /// Sends the command made of `arguments` (the first is its name) and returns its reply.
    public func send<each Argument: RESPArgument>(_ arguments: repeat each Argument) async throws(RedisError) -> RESPToken {
        try await send(RESPCommand(repeat each arguments))
    }

    /// Sends every command in one write and flush and returns their replies in order. An
    /// error reply fails only its own command.
    public func send(batch commands: [RESPCommand], timeout: Duration? = nil) async throws(RedisError) -> [Result<RESPToken, RedisError>] {
        var batch = RESPCommandBatch(capacity: commands.reduce(0) { $0 + $1.bytes.readableBytes })
        for command in commands { batch.append(command) }
        return try await send(batch: batch, timeout: timeout)
    }

    /// Sends a batch encoded in one buffer in one write and flush and returns its replies in
    /// order. An error reply fails only its own command.
    public func send(batch: RESPCommandBatch, timeout: Duration? = nil) async throws(RedisError) -> [Result<RESPToken, RedisError>] {
        guard !batch.isEmpty else { return [] }
        let replies = try await sendMany(batch.bytes, name: "batch of \(batch.count)", replies: batch.count, confirmation: nil, timeout: timeout)
        return Self.results(replies)
    }

    /// A batch's replies, each an error reply failing only its own command.
    static func results(_ replies: [RESPToken]) -> [Result<RESPToken, RedisError>] {
        replies.map { token in
            Result { () throws(RedisError) -> RESPToken in
                try token.throwIfError()
                return token
            }
        }
    }

    /// Writes a batch now and returns its replies to await later, while the caller goes on
    /// working: on the connection's event loop the batch is written at once; from another
    /// thread the write is handed to the loop without waiting for it. ``send(batch:timeout:)-(RESPCommandBatch,_)``
    /// instead suspends the caller, and a caller that writes the next batch from a new `Task`
    /// and then decodes the previous replies may find that the write waited for the decoding.
    /// Replies come in order; an error reply fails only its own command.
    public nonisolated func write(batch: RESPCommandBatch, timeout: Duration? = nil) -> PendingReplies {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: [RESPToken].self)
        guard !batch.isEmpty else {
            promise.succeed([])
            return PendingReplies(future: promise.futureResult)
        }
        let deadline = deadline(for: timeout)
        let write: @Sendable () -> Void = {
            self.assumeIsolated { connection in
                if let error = connection.handler.value.send(
                    batch.bytes, id: connection.makeRequestID(), label: .text("batch of \(batch.count)"), deadline: deadline,
                    replies: batch.count, waiter: .many(.promise(promise))
                ) {
                    promise.fail(error)
                }
            }
        }
        if loop.inEventLoop { write() } else { loop.execute(write) }
        return PendingReplies(future: promise.futureResult)
    }

    /// Sends bytes that produce `replies` replies and returns them all.
    func sendMany(_ bytes: ByteBuffer, name: String, replies: Int, confirmation: PubSubConfirmation?, timeout: Duration?) async throws(RedisError) -> [RESPToken] {
        let id = makeRequestID()
        let deadline = deadline(for: timeout)
        return try await Self.mapErrors {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[RESPToken], any Error>) in
                    guard !Task.isCancelled else {
                        continuation.resume(throwing: RedisError(.cancelled, "the command was cancelled"))
                        return
                    }
                    if let error = handler.value.send(
                        bytes, id: id, label: .text(name), deadline: deadline, replies: replies,
                        confirmation: confirmation, waiter: .many(.continuation(continuation))
                    ) {
                        continuation.resume(throwing: error)
                    }
                }
            } onCancel: {
                Task { await self.cancelRequest(id) }
            }
        }
    }

    /// Runs `body` isolated to this connection, on its event loop: every `send` inside it
    /// runs without a thread hop. Useful for tight sequential loops.
    public func withIsolation<T: Sendable>(_ body: @Sendable (isolated RedisConnection) async throws -> T) async rethrows -> T {
        try await body(self)
    }

    /// Closes the socket; pending commands fail with ``RedisError/Code/connectionClosed``.
    public func close() async {
        handler.value.close(reason: RedisError(.connectionClosed, "the connection was closed by the client"))
        try? await channel.closeFuture.get()
    }

    func cancelRequest(_ id: UInt64) {
        handler.value.cancel(id: id)
    }

    func makeSubscriberID() -> UInt64 {
        makeRequestID()
    }

    /// Hands `command` to the handler, its reply to go to `continuation`; calls `whenWritten`
    /// once it is queued on the socket, or resumes `continuation` with the error when it
    /// cannot be written. Runs on the connection's event loop; it touches only the handler,
    /// so code there needs no actor isolation to call it.
    nonisolated func register(
        _ command: RESPCommand, id: UInt64, deadline: NIODeadline,
        continuation: CheckedContinuation<RESPToken, any Error>, whenWritten: () -> Void
    ) {
        if let error = handler.value.send(
            command.bytes, id: id, label: .command(command.bytes), deadline: deadline,
            replies: 1, waiter: .single(continuation)
        ) {
            continuation.resume(throwing: error)
        } else {
            whenWritten()
        }
    }

    /// Fails `continuation` when the Task is already cancelled; returns whether it did.
    static func failedAsCancelled<T>(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        guard Task.isCancelled else { return false }
        continuation.resume(throwing: RedisError(.cancelled, "the command was cancelled"))
        return true
    }

    nonisolated func makeRequestID() -> UInt64 {
        requestIDs.add(1, ordering: .relaxed).newValue
    }

    nonisolated func deadline(for timeout: Duration?) -> NIODeadline {
        .now() + TimeAmount(timeout ?? configuration.commandTimeout)
    }

    func markRESP3(_ flag: Bool) {
        isRESP3 = flag
    }

    func setProxyKind(_ kind: RedisProxyKind) {
        proxyKind = kind
    }

    /// Runs `body`, turning any error into a ``RedisError``.
    static func mapErrors<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws(RedisError) -> T {
        do {
            return try await body()
        } catch {
            throw redisError(from: error)
        }
    }

    /// Any error as a ``RedisError``.
    static func redisError(from error: any Error) -> RedisError {
        switch error {
        case let error as RedisError: error
        case is CancellationError: RedisError(.cancelled, "the command was cancelled")
        default: RedisChannelHandler.describe(error)
        }
    }
}

extension TimeAmount {
    /// Converts a Swift `Duration` (clamped to what fits in nanoseconds).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = overflow ? .nanoseconds(.max) : .nanoseconds(scaled + attoseconds / 1_000_000_000)
    }
}
