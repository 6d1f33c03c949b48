import RedisLock

/// Why a lock needs an operator's attention (the `!` view), worst reason first.
public struct Attention: Sendable, Hashable {
    /// One reason.
    public enum Reason: Int, Sendable, Hashable, Comparable {
        /// More waiters than ``Attention/waiterThreshold``.
        case waitersPilingUp = 1
        /// Held more than ``Attention/holdFactor`` times the scan's median hold time.
        case heldPastUsual = 2
        /// A TTL longer than any seen before on the key (someone set or extended it longer).
        case ttlAboveUsual = 3
        /// No TTL: it never expires by itself.
        case noTTL = 4

        public static func < (lhs: Reason, rhs: Reason) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The reasons, worst first; empty when the lock needs no attention.
    public var reasons: [Reason] = []
    /// How bad within its worst reason (the age, the TTL's excess, the waiters): larger is worse.
    var magnitude: Int64 = 0

    /// Waiters from this many on count as piling up.
    public static let waiterThreshold = 3
    /// A holder past this many times the median hold time of the scan counts as overdue…
    public static let holdFactor: Int64 = 4
    /// …once it has held at least this long (ms), so a scan of fresh locks flags nothing.
    public static let minimumOverdueMilliseconds: Int64 = 10_000

    /// Sorts the worst reason first, then the largest magnitude.
    var severity: Double {
        guard let worst = reasons.first else { return 0 }
        return Double(worst.rawValue) * 1e15 + Double(max(0, magnitude))
    }

    /// The short label of the worst reason, e.g. `no TTL`, `5 waiters`, `held 4m05s (usual 12s)`.
    func label(for lock: InspectedLock, usualHoldMilliseconds: Int64?) -> String {
        guard let worst = reasons.first else { return "" }
        let more = reasons.count > 1 ? " +\(reasons.count - 1)" : ""
        switch worst {
        case .noTTL: return "no TTL" + more
        case .ttlAboveUsual: return "TTL above usual" + more
        case .heldPastUsual:
            let usual = usualHoldMilliseconds.map { " (usual \(ValueFormat.duration(milliseconds: $0)))" } ?? ""
            return "held long\(usual)" + more
        case .waitersPilingUp: return "\(lock.waiters ?? 0) waiters" + more
        }
    }

    /// What needs attention in `lock`.
    ///
    /// - Parameters:
    ///   - previousCeiling: the longest TTL seen on the key before this scan (ms), if any.
    ///   - usualHold: the scan's median hold time (ms), if any hold time is known.
    ///   - serverTime: the server's clock at the scan (Unix ms).
    static func of(_ lock: InspectedLock, previousCeiling: Int64?, usualHold: Int64?, serverTime: Int64) -> Attention {
        var attention = Attention()
        let age = lock.ageMilliseconds(at: serverTime)
        if lock.ttlMilliseconds == nil {
            attention.reasons.append(.noTTL)
            attention.magnitude = age ?? 0
        }
        // PTTL is read a little after the TTL is set, so a re-acquisition reads a few ms more
        // than the previous scan did: only a TTL well above the ceiling counts.
        if let ttl = lock.ttlMilliseconds, let previousCeiling, ttl > previousCeiling + previousCeiling / 10 + 1000 {
            attention.reasons.append(.ttlAboveUsual)
            if attention.reasons.count == 1 { attention.magnitude = ttl - previousCeiling }
        }
        if let age, let usualHold, age >= minimumOverdueMilliseconds, age > usualHold * holdFactor {
            attention.reasons.append(.heldPastUsual)
            if attention.reasons.count == 1 { attention.magnitude = age }
        }
        if let waiters = lock.waiters, waiters >= waiterThreshold {
            attention.reasons.append(.waitersPilingUp)
            if attention.reasons.count == 1 { attention.magnitude = Int64(waiters) }
        }
        return attention
    }

    /// The median of the known hold times of `locks` (ms), `nil` when none is known.
    static func usualHold(of locks: [InspectedLock], serverTime: Int64) -> Int64? {
        var ages = locks.compactMap { $0.ageMilliseconds(at: serverTime) }
        guard !ages.isEmpty else { return nil }
        ages.sort()  // off the UI loop, in the scan's preparation
        return ages[ages.count / 2]
    }
}
