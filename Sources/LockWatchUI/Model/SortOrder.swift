/// A column the table can be sorted by.
public enum SortColumn: String, Sendable, Hashable, CaseIterable {
    /// The key, bytewise.
    case key
    /// Time to live; a lock with no TTL counts as never expiring.
    case ttl
    /// How long the current holder has held it.
    case age
    /// How many waiters it has.
    case waiters
    /// Acquisitions per second.
    case acquisitionsPerSecond = "acq/s"

    /// The direction a fresh sort by this column starts in (the interesting end first).
    public var naturalDirection: SortDirection {
        switch self {
        case .key, .ttl: .ascending
        case .age, .waiters, .acquisitionsPerSecond: .descending
        }
    }

    /// The next column in the `s` cycle.
    var next: SortColumn {
        let all = SortColumn.allCases
        let index = all.firstIndex(of: self)!
        return all[(index + 1) % all.count]
    }
}

/// Which way a column is sorted.
public enum SortDirection: Sendable, Hashable {
    /// Smallest first.
    case ascending
    /// Largest first.
    case descending

    /// The other direction.
    var flipped: SortDirection { self == .ascending ? .descending : .ascending }
}
