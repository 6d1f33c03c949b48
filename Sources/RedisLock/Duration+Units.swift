extension Duration {
    /// Whole milliseconds, clamped to `Int64`.
    var milliseconds: Int64 { whole(perSecond: 1000) }

    /// Whole nanoseconds, clamped to `Int64`.
    var nanoseconds: Int64 { whole(perSecond: 1_000_000_000) }

    /// `1234 ms`.
    var formattedMilliseconds: String { "\(milliseconds) ms" }

    /// Whole units of `1 / perSecond` seconds, clamped to `Int64.max` on overflow.
    private func whole(perSecond: Int64) -> Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: perSecond)
        return overflow ? .max : scaled + attoseconds / (1_000_000_000_000_000_000 / perSecond)
    }
}
