import NIOCore

/// The replies to a batch already written with ``RedisConnection/write(batch:timeout:)``, to
/// await when the caller is ready for them.
public struct PendingReplies: Sendable {
    let future: EventLoopFuture<[RESPToken]>

    /// Waits for the replies, in order; an error reply fails only its own command.
    ///
    /// - Throws: ``RedisError`` when the batch could not be written, the connection closed or
    ///   the replies did not come in time.
    public func get() async throws(RedisError) -> [Result<RESPToken, RedisError>] {
        let tokens: [RESPToken]
        do {
            tokens = try await future.get()
        } catch {
            throw RedisConnection.redisError(from: error)
        }
        return RedisConnection.results(tokens)
    }
}
