/// Hard bounds on what the decoder accepts, so a hostile or broken server cannot make the
/// client allocate without bound, recurse without bound or wait forever for a giant value.
///
/// The defaults fit replies of a few megabytes (lock values, SCAN pages, `MGET` batches,
/// cluster maps), so a process using them stays under about 100 MB resident whatever a server
/// sends: an announced length over a limit is refused from the reply's header, before its
/// payload is read, with a ``RedisError/Code/limitExceeded`` error naming the limit. A caller
/// that reads larger values raises them explicitly (``redisMaximum`` allows whatever Redis
/// itself can store).
public struct RESPLimits: Sendable, Hashable {
    /// The longest bulk string, bulk error or verbatim string, in bytes (default 16 MiB).
    public var maxBulkLength: Int
    /// The longest line of a simple string, simple error, number, double or big number,
    /// in bytes (default 1 MiB).
    public var maxLineLength: Int
    /// The deepest nesting of aggregates (arrays, maps, sets, attributes, pushes) (default 64).
    public var maxDepth: Int
    /// The most elements one aggregate may announce; a map of N pairs counts 2N (default 16 Mi).
    public var maxAggregateCount: Int
    /// The most bytes one complete reply may span (default 24 MiB).
    public var maxReplyBytes: Int

    /// The default longest bulk string: 16 MiB.
    public static let defaultMaxBulkLength = 16 << 20
    /// The default largest reply: 24 MiB.
    public static let defaultMaxReplyBytes = 24 << 20

    /// Makes limits; every argument has a default that keeps memory bounded (see the type).
    public init(
        maxBulkLength: Int = RESPLimits.defaultMaxBulkLength,
        maxLineLength: Int = 1 << 20,
        maxDepth: Int = 64,
        maxAggregateCount: Int = 16 << 20,
        maxReplyBytes: Int = RESPLimits.defaultMaxReplyBytes
    ) {
        self.maxBulkLength = maxBulkLength
        self.maxLineLength = maxLineLength
        self.maxDepth = maxDepth
        self.maxAggregateCount = maxAggregateCount
        self.maxReplyBytes = maxReplyBytes
    }

    /// Limits that accept anything Redis can store: a 512 MiB bulk (Redis's own
    /// `proto-max-bulk-len`) in replies of up to 1 GiB. For callers that read values that large
    /// and can afford the memory.
    public static let redisMaximum = RESPLimits(
        maxBulkLength: 512 << 20, maxReplyBytes: 1 << 30)
}
