/// One holding of the contended lock, in nanoseconds on one monotonic clock (any origin).
public struct HeldInterval: Sendable, Codable {
    /// When `lock()` returned.
    public var acquired: Int64
    /// The moment before `unlock` was called.
    public var released: Int64
    /// When `unlock` returned (ours only).
    public var unlocked: Int64?
    /// Which contender held it.
    public var holder: Int
    /// The fencing token (ours only).
    public var fence: Int64?

    /// One holding.
    public init(acquired: Int64, released: Int64, unlocked: Int64?, holder: Int, fence: Int64?) {
        self.acquired = acquired
        self.released = released
        self.unlocked = unlocked
        self.holder = holder
        self.fence = fence
    }
}

/// Everything the contenders of one hand-off run recorded.
public struct HandOffRun: Sendable, Codable {
    /// Every holding, in no particular order.
    public var intervals: [HeldInterval] = []
    /// `lock(…, wait: 10 s)` calls that gave up although the lock kept changing hands.
    public var waitTimeouts = 0

    /// An empty run.
    public init(intervals: [HeldInterval] = [], waitTimeouts: Int = 0) {
        self.intervals = intervals
        self.waitTimeouts = waitTimeouts
    }
}
