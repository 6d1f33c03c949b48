import Metrics

/// The swift-metrics instruments of the lock. They report to whatever metrics backend the
/// application bootstrapped (nothing by default).
struct LockMetrics: Sendable {
    /// Time from sending an acquire to its reply.
    let acquireLatency = Metrics.Timer(label: "redislock_acquire_latency")
    /// Time `lock(…, wait:)` spent waiting, acquired or not.
    let waitTime = Metrics.Timer(label: "redislock_wait_time")
    /// Acquire attempts that found the lock held.
    let contended = Counter(label: "redislock_contended_attempts")
    /// Leases found lost by extend, release or renewal.
    let leaseLosses = Counter(label: "redislock_lease_losses")
    /// Successful renewals by `withLock`.
    let renewals = Counter(label: "redislock_renewals")
}
