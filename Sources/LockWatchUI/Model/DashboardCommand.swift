public import RedisLock

/// Something the dashboard asks its runner to do in answer to a key.
public enum DashboardCommand: Sendable, Hashable {
    /// Leave the dashboard.
    case quit
    /// Refresh now instead of waiting for the interval.
    case refreshNow
    /// Refresh this often from now on.
    case setInterval(Duration)
    /// Stop (`true`) or resume (`false`) refreshing.
    case setPaused(Bool)
    /// Delete this lock, if its key still holds exactly this value (the operator confirmed).
    case forceRelease(InspectedLock)
    /// Delete only this holder, if it still holds exactly what was shown (the operator confirmed).
    case forceReleaseHolder(HolderRelease)
    /// Watch keys under these prefixes as well (the "also seen" hint, `a`).
    case watchPrefixes([String])
}
