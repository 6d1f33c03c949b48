public import RedisLock

/// Everything the dashboard shows, and how keys and scans change it. Pure: no terminal, no
/// clock reads except through the `now` the caller passes, so tests drive it directly.
///
/// Feed it with ``apply(snapshot:at:)``, ``apply(connectionLost:retryIn:)``,
/// ``apply(forceReleaseOutcome:for:)`` and ``tick(now:)``; hand it keys with ``handle(_:)``
/// and carry out the ``DashboardCommand``s it returns; draw it with ``render(_:width:height:)``.
public struct DashboardState: Sendable {
    /// What the dashboard is connected to (shown in the header; sanitized when drawn).
    public let endpoint: String
    /// The Redis user, when not the default one.
    public let user: String?
    /// Whether force-release is hidden and refused.
    public let readOnly: Bool
    /// Whether the locks come from several servers (a cluster or a Redlock set): the table
    /// then has a NODES column and the detail view lists each node's copy.
    public let watchesSeveralServers: Bool
    /// The configured context's label for the header, if a context is in use.
    public var contextLabel: ContextLabel?
    /// The watched keys as SCAN patterns (`lock:*`, or several separated by spaces), shown
    /// in the header as `match: …` (sanitized when drawn).
    public var match = ""
    /// Lock keys a sample found outside the watched ones (`a` adds them).
    public internal(set) var alsoSeen: [AlsoSeenPrefix] = []
    /// Whether the table shows only the locks that need attention, worst first (`!`).
    public internal(set) var attentionOnly = false
    /// How often the runner refreshes.
    public internal(set) var interval: Duration
    /// Whether refreshing is paused.
    public internal(set) var paused: Bool
    /// What is on screen.
    public internal(set) var mode: DashboardMode = .normal
    /// The filter text (substring of key or owner, case-insensitive); empty for none.
    public internal(set) var filter = ""
    /// The column the table is sorted by.
    public internal(set) var sortColumn: SortColumn = .waiters
    /// The direction the table is sorted in.
    public internal(set) var sortDirection: SortDirection = .descending
    /// Whether the data is live.
    public internal(set) var connection: ConnectionState = .connecting
    /// What the latest successful scan cost, and when it arrived.
    public internal(set) var lastScan: ScanSummary?
    /// Whether expiries arrive as keyspace notifications.
    public internal(set) var notifications: NotificationStatus = .unknown
    /// The latest events, oldest first (at most ``eventLimit``).
    public internal(set) var events: [LockEvent] = []
    /// The status line message, if any.
    public internal(set) var status: StatusMessage?
    /// The display position of the first table row on screen.
    public internal(set) var scrollOffset = 0
    /// The display position of the selected row.
    public internal(set) var selectedPosition = 0
    /// The key of the selected row; the selection follows it when rows move.
    public internal(set) var selectedKey: [UInt8]?
    /// The time of the latest ``tick(now:)`` (or scan); TTLs count down to it.
    public internal(set) var now: ContinuousClock.Instant
    /// The terminal's columns, as last given to ``resize(width:height:)``.
    public internal(set) var width = 80
    /// The terminal's rows, as last given to ``resize(width:height:)``.
    public internal(set) var height = 24

    /// How many events the strip keeps (it shows as many as fit, those matching the filter).
    public static let eventLimit = 50
    /// How many keys keep a history at most.
    static let historyLimit = 4096

    var table = LockTable()
    /// The largest TTL seen per key (for the TTL colour).
    var ttlCeilings: [ByteKey: Int64] = [:]
    var histories: [ByteKey: KeyHistory] = [:]
    /// How many scans have been applied.
    var generation = 0
    /// The latest known row of the key in the detail view, and whether the latest scan had it.
    var detailLock: InspectedLock?
    var detailPresent = false
    /// The holder selected in the detail view (`↑` `↓`), which `f` force-releases; `nil` for none.
    public internal(set) var selectedHolder: KindHolder?
    /// The latest scan's median hold time (ms), for the attention view's labels.
    var usualHoldMilliseconds: Int64?
    /// When the latest refresh failure was noted.
    var lastFailureAt: ContinuousClock.Instant?
    /// Whether the latest failure was Redis refusing a command (`NOPERM`, a wrong password)
    /// rather than the connection: the banner then says so instead of "connection lost".
    public internal(set) var failureIsRefusal = false
    /// Whether the latest failure was reaching the server (refused, reset, timed out, TLS),
    /// rather than, say, a refresh that took too long: before the first scan the banner then
    /// says "cannot connect".
    public internal(set) var failureIsConnection = false
    /// The latest scan's notes on optional commands the server refused (shown once, when they change).
    public internal(set) var scanNotes: [String] = []

    /// Makes an empty dashboard (it shows "connecting" until the first snapshot).
    ///
    /// - Parameters:
    ///   - endpoint: what it is connected to, e.g. `redis://10.0.0.5:6379/0` (no password).
    ///   - user: the Redis user, when not the default one.
    ///   - readOnly: hide and refuse force-release.
    ///   - interval: how often to refresh.
    ///   - paused: start paused.
    ///   - now: the current time (for the TTL countdown and status message expiry).
    public init(
        endpoint: String, user: String? = nil, readOnly: Bool = false, watchesSeveralServers: Bool = false,
        interval: Duration = .seconds(1), paused: Bool = false, now: ContinuousClock.Instant = .now
    ) {
        self.endpoint = endpoint
        self.user = user
        self.readOnly = readOnly
        self.watchesSeveralServers = watchesSeveralServers
        self.interval = interval
        self.paused = paused
        self.now = now
    }

    /// How many rows pass the filter.
    public var visibleCount: Int { table.order.count }
    /// How many rows the latest scan found.
    public var totalCount: Int { table.locks.count }
    /// The selected row, if any.
    public var selectedLock: InspectedLock? { table.lock(at: selectedPosition) }

    /// The row at display position `position` (0 is the top of the sorted, filtered table).
    public func lock(at position: Int) -> InspectedLock? { table.lock(at: position) }

    /// Why the row at display position `position` needs attention (no reasons: it does not).
    public func attention(at position: Int) -> Attention { table.attention(at: position) }

    /// How many locks of the latest scan need attention (whatever the filter).
    public var attentionCount: Int { table.attentionCount }

    /// The label of why the row at `position` needs attention, e.g. `no TTL`; empty when it does not.
    func attentionLabel(at position: Int) -> String {
        guard let lock = table.lock(at: position) else { return "" }
        return table.attention(at: position).label(for: lock, usualHoldMilliseconds: usualHoldMilliseconds)
    }

    /// The events on the strip: those whose key or owner contains the filter, newest first.
    public var shownEvents: [LockEvent] {
        let needle = Array(filter.lowercased().utf8)
        return events.reversed().filter { event in
            guard !needle.isEmpty else { return true }
            if event.keyBytes.withUnsafeBufferPointer({ LockTable.text($0, containsLowercased: needle) }) { return true }
            guard var owner = event.owner else { return false }
            return owner.withUTF8 { LockTable.text($0, containsLowercased: needle) }
        }
    }

    /// The history kept for `key`, if any (kept for busy and selected keys).
    public func history(forKey key: [UInt8]) -> KeyHistory? { histories[ByteKey(key)] }

    /// The largest TTL seen for `key`, in milliseconds.
    public func ttlCeiling(forKey key: [UInt8]) -> Int64? { ttlCeilings[ByteKey(key)] }

    /// The lock the detail view shows and whether the latest scan still had it.
    public var detail: (lock: InspectedLock, present: Bool)? {
        guard case .detail = mode, let detailLock else { return nil }
        return (detailLock, detailPresent)
    }

    /// How long since the latest scan arrived, in milliseconds (0 before the first).
    public var millisecondsSinceScan: Int64 {
        guard let lastScan else { return 0 }
        return max(0, (now - lastScan.receivedAt).milliseconds)
    }

    /// `lock`'s TTL now: the TTL at the scan minus the time since, never below 0; `nil` when
    /// it has none.
    public func liveTTLMilliseconds(of lock: InspectedLock) -> Int64? {
        lock.ttlMilliseconds.map { max(0, $0 - millisecondsSinceScan) }
    }

    /// How long `lock` has been held now, when its acquisition time is known.
    public func liveAgeMilliseconds(of lock: InspectedLock) -> Int64? {
        guard let lastScan else { return nil }
        return lock.ageMilliseconds(at: lastScan.serverTimeMilliseconds + millisecondsSinceScan)
    }

    /// The server's clock now, estimated from the latest scan.
    var serverNowMilliseconds: Int64? {
        lastScan.map { $0.serverTimeMilliseconds + millisecondsSinceScan }
    }

    /// Tells the dashboard the terminal's size (it decides how many rows a page has).
    public mutating func resize(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        keepSelectionVisible()
    }
}

/// What one scan cost and when it arrived.
public struct ScanSummary: Sendable, Hashable {
    /// The server's clock at the scan (Unix ms).
    public var serverTimeMilliseconds: Int64
    /// How many keys SCAN returned.
    public var scannedKeys: Int
    /// How many commands the refresh sent.
    public var commandCount: Int
    /// How many round trips it took.
    public var roundTrips: Int
    /// How long it took.
    public var duration: Duration
    /// When the dashboard received it.
    public var receivedAt: ContinuousClock.Instant
    /// How the rows are kept current (live from the change stream, or scanning), when known.
    public var mode: InspectionMode? = nil
    /// How old the oldest row was when the refresh returned, when known.
    public var staleness: Duration? = nil
    /// What the inspector costs the server, when known.
    public var load: InspectionLoad? = nil
}

extension Duration {
    /// This duration in whole milliseconds (rounded toward zero).
    var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
