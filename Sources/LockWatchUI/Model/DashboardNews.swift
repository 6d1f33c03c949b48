public import RedisLock

/// Something the dashboard's host tells it between scans (see ``DashboardRunner/News``).
public enum DashboardNews: Sendable, Hashable {
    /// An event for the strip that no scan finds, e.g. the demo's fenced resource rejecting
    /// a stale write.
    case event(LockEvent)
    /// Lock keys a sample found outside the watched ones (see ``AlsoSeenSampler``).
    case alsoSeen([AlsoSeenPrefix])
}
