import RESP

extension NodeScanner {
    /// A connection of the full scan's own for its `SCAN` walk on Redis itself, or `nil` when
    /// none could be opened (the walk then shares the reads' connection). Alone on it, each
    /// `SCAN` is flushed as soon as it is written and is the only command in its read on the
    /// server, so its reply is not held until the server has also run the reads written with it.
    func walkConnection() async -> RedisConnection? {
        try? await RedisConnection.connect(client.configuration, on: client.eventLoopGroup)
    }
}
