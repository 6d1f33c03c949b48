import NIOCore
import NIOSSL

/// The connection's one channel handler: it cuts replies out of the byte stream, matches them
/// to waiting requests, routes pub/sub messages and enforces deadlines. It lives on the event
/// loop; ``RedisConnection`` (whose executor is that loop) calls it directly.
final class RedisChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var decoder: RESPTokenDecoder
    private var queue = RequestQueue()
    private(set) var subscriptions = SubscriptionRegistry()
    /// Set on RESP2 subscriber connections, where pub/sub frames arrive as arrays.
    var pushFraming = false
    /// How long past its deadline the oldest request may stay unanswered before the server
    /// counts as unresponsive and the connection is closed.
    private let unresponsiveGrace: TimeAmount
    private var buffered: ByteBuffer?
    private var context: ChannelHandlerContext?
    private var flushScheduled = false
    /// Requests written since the last flush.
    private var unflushed = 0
    /// Flush at once after this many unflushed requests, without waiting for the loop tick.
    static let flushEvery = 16
    private var timerDeadline: NIODeadline?
    /// Why the connection ended, once it has.
    private(set) var closeReason: RedisError?

    init(limits: RESPLimits, unresponsiveGrace: TimeAmount) {
        self.decoder = RESPTokenDecoder(limits: limits)
        self.unresponsiveGrace = unresponsiveGrace
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Sending

    /// Writes `bytes` and registers who waits for the replies. Returns the close reason
    /// instead when the connection is already closed.
    func send(
        _ bytes: ByteBuffer,
        id: UInt64,
        label: RequestLabel,
        deadline: NIODeadline,
        replies: Int,
        confirmation: PubSubConfirmation? = nil,
        waiter: PendingRequest.Waiter
    ) -> RedisError? {
        guard let context, closeReason == nil else {
            return closeReason ?? RedisError(.connectionClosed, "the connection is closed")
        }
        let wasIdle = queue.isEmpty
        queue.append(id: id, label: label, deadline: deadline, replies: replies,
                     confirmation: confirmation, waiter: waiter)
        context.write(NIOAny(bytes), promise: nil)
        unflushed += 1
        if wasIdle || unflushed >= Self.flushEvery {
            // Nothing else in flight: flush now for the lowest latency. Or enough is waiting:
            // flush now, so the server starts on these while later callers are still writing
            // (waiting for the end of the tick made many callers and the server take turns).
            unflushed = 0
            context.flush()
        } else if !flushScheduled {
            // Others are writing in this same loop tick: flush once after all of them.
            flushScheduled = true
            context.eventLoop.assumeIsolated().execute {
                self.flushScheduled = false
                guard self.unflushed > 0 else { return }
                self.unflushed = 0
                self.context?.flush()
            }
        }
        armTimer(context: context, deadline: deadline)
        return nil
    }

    /// Gives up waiting for request `id`; its replies are still read and dropped.
    func cancel(id: UInt64) {
        queue.abandon(id: id)?.fail(RedisError(.cancelled, "the command was cancelled"))
    }

    /// Registers a subscriber; messages reach it from the next read on.
    func addSubscriber(id: UInt64, kind: RedisPubSubMessage.Kind, names: [String], continuation: SubscriptionRegistry.Continuation) {
        if let closeReason {
            continuation.finish(throwing: closeReason)
            return
        }
        subscriptions.add(id: id, kind: kind, names: names, continuation: continuation)
    }

    /// Forgets a subscriber; returns the names no one listens to any more.
    func removeSubscriber(id: UInt64) -> [SubscriptionRegistry.Key] {
        subscriptions.remove(id: id)
    }

    /// Closes the connection with `reason`.
    func close(reason: RedisError) {
        if closeReason == nil { closeReason = reason }
        context?.close(promise: nil)
    }

    // MARK: Receiving

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let incoming = unwrapInboundIn(data)
        if buffered == nil {
            buffered = incoming
        } else {
            buffered!.writeImmutableBuffer(incoming)
        }
        do {
            while let token = try decoder.decode(&buffered!) {
                apply(queue.receive(token, pushFraming: pushFraming))
            }
        } catch {
            close(reason: error)
            return
        }
        if buffered!.readableBytes == 0 {
            buffered = nil
        } else if buffered!.readerIndex > 64 * 1024 {
            buffered!.discardReadBytes()
        }
    }

    private func apply(_ action: RequestQueue.Action) {
        switch action {
        case .none:
            break
        case .resumeSingle(let continuation, let result):
            continuation.resume(with: result.mapError { $0 as any Error })
        case .resumeMany(let waiter, let replies):
            waiter.succeed(replies)
        case .deliver(let message):
            subscriptions.deliver(message)
        case .close(let error):
            close(reason: error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(reason: Self.describe(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        let reason = closeReason ?? RedisError(.connectionClosed, "the server closed the connection")
        closeReason = reason
        for waiter in queue.removeAll() { waiter.fail(reason) }
        subscriptions.finishAll(throwing: reason)
        context.fireChannelInactive()
    }

    /// Turns a channel error into a ``RedisError`` that says what happened.
    static func describe(_ error: any Error) -> RedisError {
        if let redisError = error as? RedisError { return redisError }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return RedisError(.tlsFailure, "TLS failed: \(error); check the CA file, the client certificate and that the port speaks TLS", underlying: error)
        }
        if let ioError = error as? IOError {
            return RedisError(.connectionClosed, "the connection failed: \(ioError.description)", underlying: error)
        }
        return RedisError(.connectionClosed, "the connection failed: \(error)", underlying: error)
    }

    // MARK: Deadlines

    /// Makes sure a timer fires by `deadline` (the newest request's), or by the queue's next
    /// check when no timer is armed. O(1) unless no timer is armed.
    private func armTimer(context: ChannelHandlerContext, deadline: NIODeadline? = nil) {
        let next: NIODeadline
        if let armed = timerDeadline {
            guard let deadline, deadline < armed else { return }
            next = deadline
        } else {
            guard let check = queue.nextCheck(grace: unresponsiveGrace) else { return }
            next = check
        }
        timerDeadline = next
        context.eventLoop.assumeIsolated().scheduleTask(deadline: next) {
            self.timerFired()
        }
    }

    private func timerFired() {
        timerDeadline = nil
        guard let context else { return }
        let (expired, unresponsive) = queue.expire(now: .now(), grace: unresponsiveGrace)
        for (waiter, name) in expired {
            waiter.fail(RedisError(.timeout, "\(name) got no reply within its timeout"))
        }
        if unresponsive {
            close(reason: RedisError(.timeout, "the server stopped answering: closing the connection"))
            return
        }
        armTimer(context: context)
    }
}
