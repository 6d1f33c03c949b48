/// The messages of a subscription, as an async sequence. Iterate it to receive; when the
/// iterating Task is cancelled or the sequence is dropped, the channels are unsubscribed
/// (on the server once no other subscriber of the connection listens to them).
///
/// The sequence ends with a ``RedisError`` when the connection closes; subscribe again to
/// continue. At most `bufferLimit` unread messages are kept; older ones are dropped first.
public struct RedisSubscription: AsyncSequence, Sendable {
    /// One delivered message.
    public typealias Element = RedisPubSubMessage
    /// The error that ends the sequence: always a ``RedisError``.
    public typealias Failure = any Error

    let stream: AsyncThrowingStream<RedisPubSubMessage, any Error>

    /// Reads messages in arrival order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<RedisPubSubMessage, any Error>.AsyncIterator

        /// The next message, `nil` after the subscription ends.
        public mutating func next() async throws -> RedisPubSubMessage? {
            try await base.next()
        }

        /// The next message, `nil` after the subscription ends.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> RedisPubSubMessage? {
            try await base.next(isolation: actor)
        }
    }

    /// Starts reading messages.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator())
    }
}
