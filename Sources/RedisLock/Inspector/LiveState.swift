/// What a ``LiveInspector`` keeps between its tasks (under its lock).
struct LiveState: Sendable {
    var mode: InspectionMode?
    var table = LiveTable()
    /// Bumped whenever the streams are opened again: changes from older ones are ignored.
    var generation = 0
    /// Why the stream can no longer be trusted; the next refresh rescans.
    var lostReason: String?
    /// Sweeping because the server gave no answer to the stream's commands: try it again
    /// whenever a sweep is due.
    var retryStream = false
    /// Changed keys waiting to be read, per server.
    var pendingByNode: [Set<ByteKey>] = []
    /// Per server, since when the oldest key waiting to be read has waited, and since when
    /// the oldest key of the read in flight had waited: a read that takes every waiting key
    /// restarts the server's clock, so a steady stream of changes (never an empty set
    /// between reads) does not make the rows look ever staler.
    var pendingSince: [Int: ContinuousClock.Instant] = [:]
    var readingSince: [Int: ContinuousClock.Instant] = [:]

    /// Since when the oldest change not yet applied has waited.
    var oldestPending: ContinuousClock.Instant? { (Array(pendingSince.values) + Array(readingSince.values)).min() }
    /// Set while a full scan runs: reads are held back until it is folded in.
    var fullScanRunning = false
    /// Keys the stream announced since the current tick of live mode's sweep began.
    var touched: Set<ByteKey> = []
    /// Live mode's incremental verification sweep (``SweepPass``).
    var pass: SweepPass?
    /// Keys a slice found different from the table (or a pass never saw), with their server:
    /// read again at the next tick (``SweepPass``).
    var suspects: [ByteKey: Int] = [:]
    /// A pass ended whose suspects the next tick confirms; then it counts in ``fullScans``.
    var passAwaitingConfirmation = false
    /// The server time a full sweep costs per key it lists, from the last measured full scan.
    var costPerKey = 0.0
    /// The server's clock at a local instant, to date events and count TTLs down.
    var serverTimeBase: (milliseconds: Int64, instant: ContinuousClock.Instant)?
    var lastFullScan: ContinuousClock.Instant?
    var fullScans = 0
    var missed = 0
    /// Since the previous snapshot.
    var events: [LockEvent] = []
    var commands = 0
    var roundTrips = 0
    /// The last full scan's notes.
    var notes: [String] = []
    /// The rows on screen, whose counters each refresh reads.
    var onScreen: [[UInt8]] = []
    /// One scanner per server of the current streams.
    var scanners: [NodeScanner] = []
    /// The fence counters of the rows on screen when last read.
    var fenceSamples: [ByteKey: (fence: Int64, instant: ContinuousClock.Instant)] = [:]
    /// What the inspector costs the server, and the sweeps' pace (``LiveState/recordSweep``).
    var cost = LiveCost()

    var pendingCount: Int { pendingByNode.reduce(0) { $0 + $1.count } }

    /// The server's clock at `instant` (Unix ms), counted from the last full scan.
    func serverTime(at instant: ContinuousClock.Instant) -> Int64 {
        guard let base = serverTimeBase else { return 0 }
        return base.milliseconds + (instant - base.instant).milliseconds
    }

    mutating func addPending(_ key: ByteKey, node: Int) {
        guard pendingByNode.indices.contains(node) else { return }
        pendingByNode[node].insert(key)
        if pass != nil { touched.insert(key) }
        if pendingSince[node] == nil { pendingSince[node] = .now }
    }

    /// Up to `limit` keys of `node` to read now; none while a full scan runs.
    mutating func takePending(node: Int, limit: Int) -> [ByteKey] {
        guard !fullScanRunning, pendingByNode.indices.contains(node), !pendingByNode[node].isEmpty else { return [] }
        readingSince[node] = pendingSince[node]
        if pendingByNode[node].count <= limit {
            pendingSince[node] = nil  // keys announced from now on start the clock again
            defer { pendingByNode[node] = [] }
            return Array(pendingByNode[node])
        }
        let taken = Array(pendingByNode[node].prefix(limit))
        for key in taken { pendingByNode[node].remove(key) }
        return taken
    }

    /// After a read of `node`'s keys: they are applied.
    mutating func finishRead(node: Int) {
        readingSince[node] = nil
    }

    /// Whether the stream announced `key` and it is not read yet.
    func isPending(_ key: ByteKey) -> Bool {
        pendingByNode.contains { $0.contains(key) }
    }

    /// Whether a sweep's read of `key` must give way to the stream: announced since the
    /// tick began, or waiting to be read.
    func streamOwns(_ key: ByteKey) -> Bool {
        touched.contains(key) || isPending(key)
    }

    mutating func resetPending() {
        pendingByNode = pendingByNode.map { _ in [] }
        pendingSince = [:]
        readingSince = [:]
        touched = []
    }
}
