public import NIOCore

/// The keys of a `SCAN`, fetched page by page as the sequence is iterated. Every key that
/// exists for the whole scan is returned at least once (a rehash may repeat one; this
/// sequence drops repeats within a page only). Keys are raw bytes: they need not be UTF-8.
public struct RedisScanSequence: AsyncSequence, Sendable {
    /// One key name.
    public typealias Element = ByteBuffer
    /// Always a ``RedisError``.
    public typealias Failure = RedisError

    let client: RedisClient
    let match: String?
    let count: Int?
    let type: String?

    /// Fetches pages lazily.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: RedisScanSequence
        var cursor: ByteBuffer?
        var page: [ByteBuffer] = []
        var index = 0
        var finished = false

        /// The next key, fetching the next page when this one is used up.
        public mutating func next() async throws(RedisError) -> ByteBuffer? {
            try await next(isolation: nil)
        }

        /// The next key, fetching the next page when this one is used up.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(RedisError) -> ByteBuffer? {
            while index == page.count {
                guard !finished else { return nil }
                try await fetchPage(isolation: actor)
            }
            defer { index += 1 }
            return page[index]
        }

        private mutating func fetchPage(isolation actor: isolated (any Actor)?) async throws(RedisError) {
            let command = RESPCommand(
                "SCAN", cursor ?? ByteBuffer(string: "0"),
                sequence.match.map { ["MATCH", $0] } ?? [],
                sequence.count.map { ["COUNT", String($0)] } ?? [],
                sequence.type.map { ["TYPE", $0] } ?? [])
            let reply = try await sequence.client.send(command)
            guard case .array(let parts) = reply.value, parts.count == 2 else {
                throw reply.unexpected("a SCAN reply [cursor, keys]")
            }
            var iterator = parts.makeIterator()
            let nextCursor = try ByteBuffer(fromRESP: iterator.next()!)
            page = try [ByteBuffer](fromRESP: iterator.next()!)
            index = 0
            finished = nextCursor.readableBytesView.elementsEqual("0".utf8)
            cursor = nextCursor
        }
    }

    /// Starts the scan at cursor 0.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(sequence: self)
    }
}

extension RedisClient {
    /// Iterates the keys of the database with `SCAN` (never `KEYS`).
    ///
    /// - Parameters:
    ///   - match: a glob such as `lock:*`.
    ///   - count: the `COUNT` hint: roughly how many keys the server looks at per page.
    ///   - type: only keys of this type (`string`, `hash`, …).
    public func scan(match: String? = nil, count: Int? = nil, type: String? = nil) -> RedisScanSequence {
        RedisScanSequence(client: self, match: match, count: count, type: type)
    }
}
