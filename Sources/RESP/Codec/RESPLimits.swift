/// Hard bounds on what the decoder accepts, so a hostile or broken server cannot make the
/// client allocate without bound, recurse without bound or wait forever for a giant value.
public struct RESPLimits: Sendable, Hashable {
    /// The longest bulk string, bulk error or verbatim string, in bytes (default 512 MiB,
    /// Redis's own `proto-max-bulk-len`).
    public var maxBulkLength: Int
    /// The longest line of a simple string, simple error, number, double or big number,
    /// in bytes (default 1 MiB).
    public var maxLineLength: Int
    /// The deepest nesting of aggregates (arrays, maps, sets, attributes, pushes) (default 64).
    public var maxDepth: Int
    /// The most elements one aggregate may announce; a map of N pairs counts 2N (default 16 Mi).
    public var maxAggregateCount: Int
    /// The most bytes one complete reply may span (default 1 GiB).
    public var maxReplyBytes: Int

    /// Makes limits; every argument has a sane default.
    public init(
        maxBulkLength: Int = 512 << 20,
        maxLineLength: Int = 1 << 20,
        maxDepth: Int = 64,
        maxAggregateCount: Int = 16 << 20,
        maxReplyBytes: Int = 1 << 30
    ) {
        self.maxBulkLength = maxBulkLength
        self.maxLineLength = maxLineLength
        self.maxDepth = maxDepth
        self.maxAggregateCount = maxAggregateCount
        self.maxReplyBytes = maxReplyBytes
    }
}
