extension DashboardState {
    /// The pause the runner actually leaves after a refresh: the chosen ``interval``, stretched
    /// to the last scan's duration when scans are slower than that. So a refresh starts no
    /// earlier than max(interval, 2 × scan duration) after the previous one started, and a big
    /// keyspace never keeps Redis busy with this dashboard more than half the time.
    public var effectiveInterval: Duration {
        guard let scan = lastScan, scan.duration > interval else { return interval }
        // Rounded up to a tenth of a second, as the header shows it.
        let tenths = (scan.duration.milliseconds + 99) / 100
        return .milliseconds(tenths * 100)
    }
}
