import Synchronization

/// A held lock: what ``Locker/unlock(_:)`` and ``Locker/extend(_:ttl:)`` need, the fencing
/// token, and how long the lease is known to be valid.
///
/// Validity is measured on this process's monotonic clock: the TTL, minus the time the
/// acquire (or the last extend) took, minus a drift allowance. Past it, assume the lock is
/// gone. A lease learns it was lost when an extend or release finds the lock gone or taken,
/// or when auto-renewal cannot succeed in time; ``onLoss(_:)`` and ``isLost`` report it.
public final class LockLease: DistributedLease {
    /// The lock's names in Redis.
    public let keys: LockKeys
    /// The exact stored value; release and extend compare against it.
    public let value: String
    /// The holder's token.
    public let token: String
    /// The fencing token: strictly greater than that of every earlier acquisition of this
    /// lock. Pass it to the protected resource, which rejects anything lower than the highest
    /// it has seen.
    public let fence: Int64

    private struct State {
        var validUntil: ContinuousClock.Instant
        var loss: LeaseLoss?
        var released = false
        /// Extends started so far, and the newest whose validity was applied.
        var extendsStarted: UInt64 = 0
        var newestApplied: UInt64 = 0
        var handlers: [@Sendable (LeaseLoss) -> Void] = []
    }

    private let state: Mutex<State>

    init(keys: LockKeys, value: String, token: String, fence: Int64, validUntil: ContinuousClock.Instant) {
        self.keys = keys
        self.value = value
        self.token = token
        self.fence = fence
        self.state = Mutex(State(validUntil: validUntil))
    }

    /// The lock's name.
    public var name: String { keys.name }

    /// Until when the lease is known to be valid, on the monotonic clock.
    public var validUntil: ContinuousClock.Instant { state.withLock { $0.validUntil } }

    /// Why the lease was lost, once it has been; `nil` while held.
    public var loss: LeaseLoss? { state.withLock { $0.loss } }

    /// Calls `handler` once when the lease is lost (at once if it already is).
    public func onLoss(_ handler: @escaping @Sendable (LeaseLoss) -> Void) {
        let already: LeaseLoss? = state.withLock { state in
            if let loss = state.loss { return loss }
            state.handlers.append(handler)
            return nil
        }
        if let already { handler(already) }
    }

    /// Numbers an extend as it starts, for ``extendValidity(to:extend:)``.
    func beginExtend() -> UInt64 {
        state.withLock { state in
            state.extendsStarted += 1
            return state.extendsStarted
        }
    }

    /// Applies the validity extend number `extend` computed. Extends run on the server in
    /// the order they were sent, but may resume here in another order: one that resumes after
    /// a newer one can only shorten the validity (the server's TTL is the newer one's, so the
    /// earlier of the two ends is the safe one).
    func extendValidity(to instant: ContinuousClock.Instant, extend: UInt64) {
        state.withLock { state in
            if extend > state.newestApplied {
                state.newestApplied = extend
                state.validUntil = instant
            } else {
                state.validUntil = min(state.validUntil, instant)
            }
        }
    }

    /// Records the loss and calls the handlers; later calls do nothing.
    func markLost(_ loss: LeaseLoss) {
        let handlers: [@Sendable (LeaseLoss) -> Void] = state.withLock { state in
            guard state.loss == nil, !state.released else { return [] }
            state.loss = loss
            defer { state.handlers = [] }
            return state.handlers
        }
        for handler in handlers { handler(loss) }
    }

    /// Records that the holder released the lease: no loss is reported after this.
    func markReleased() {
        state.withLock { $0.released = true }
    }

    /// Whether the holder has released the lease.
    public var isReleased: Bool { state.withLock { $0.released } }

    /// `name (fence N)`.
    public var description: String { "\(keys.name) (fence \(fence))" }
}

/// Why a lease ended before its holder released it.
public enum LeaseLoss: Sendable, Hashable, CustomStringConvertible {
    /// The lock expired and was gone when we tried to extend or release it.
    case expired
    /// Someone else holds the lock now.
    case takenOver(by: LockHolder)
    /// Renewal could not reach Redis before the lease's validity ended.
    case renewalFailed(String)

    /// A sentence for messages.
    public var description: String {
        switch self {
        case .expired: "the lock expired (or was taken over) before it was extended or released"
        case .takenOver(let holder): "the lock is now held by \(holder)"
        case .renewalFailed(let reason): "renewal failed until the lease ran out: \(reason)"
        }
    }
}
