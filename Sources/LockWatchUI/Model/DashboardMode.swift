public import RedisLock

/// What the dashboard shows and how it reads keys.
public enum DashboardMode: Sendable, Hashable {
    /// The lock table; keys move, sort and act.
    case normal
    /// The key help overlay; any key closes it.
    case help
    /// Typing a filter: characters go to the filter, Enter keeps it, Esc clears it.
    case filterEditing
    /// Everything known about the lock with this key.
    case detail(key: [UInt8])
    /// Asking whether to force-release this lock (exactly as shown).
    case confirmForceRelease(InspectedLock)
    /// Asking whether to force-release this one holder (a reader, the writer, a permit, a
    /// fair lock's holder) of the lock in the detail view, exactly as shown.
    case confirmHolderRelease(HolderRelease)
}
