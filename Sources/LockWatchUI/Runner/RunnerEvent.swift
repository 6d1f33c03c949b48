import RedisLock

/// Everything the runner's loop reacts to, merged into one stream.
enum RunnerEvent: Sendable {
    /// From the terminal thread.
    case terminal(TerminalEvent)
    /// A termination signal.
    case signal(Int32)
    /// Time to count TTLs down and redraw.
    case tick
    /// The scheduled refresh with this ticket is due.
    case refreshDue(ticket: Int)
    /// The refresh with this ticket finished (its scan already sorted and indexed).
    case refreshed(ticket: Int, Result<PreparedScan, any Error>)
    /// The refresh with this ticket has taken too long.
    case refreshTimedOut(ticket: Int)
    /// The expiry listener reported something.
    case notice(ExpiryNotifications.Notice)
    /// The live inspector has news: refresh soon rather than at the next interval.
    case changed
    /// The host reported news (an event for the strip, the "also seen" hint).
    case news(DashboardNews)
    /// Adding prefixes finished: the new `match` text, `nil` when it failed.
    case watching(String?)
    /// A force-release finished.
    case forceReleased(ForceReleaseOutcome, InspectedLock)
    /// A force-release of one holder finished.
    case holderReleased(ForceReleaseOutcome, HolderRelease)
}
