public import RESP
import Synchronization

/// Keeps the locks current from the server's change stream instead of rescanning: one full
/// scan, then only the keys that changed are read again (pipelined, and coalesced: a key
/// that changes 50 times while a read is in flight is read once more, not 50 times).
///
/// Each server (every primary of a cluster) gets a change stream (`CLIENT TRACKING`) on the selection's
/// literal prefix (a `--match` glob's text before its first wildcard; the glob itself is
/// applied here). Events come from the stream as the changes happen: acquired, extended,
/// holder changed, released (before the TTL ran out), expired (at its end), force-released
/// (by this process). Whatever could lose changes (either connection closing, a restart,
/// `FLUSHALL`) makes the next ``refresh(tolerance:)`` open the streams again and rescan,
/// reported as a ``LockEvent/Kind/rescanned`` event followed by the differences found.
/// A verification sweep walks the keys a slice at each refresh (``SweepPass``; it also
/// refreshes waiter counts and acquisition rates), a pass taking at least `sweepInterval` and
/// at most 1% of the server's time (``LoadBudget/liveSweepShare``) by the full scan's measured
/// cost; the stream's reads never wait for it. What it finds that the stream had not reported
/// is counted in ``missedBySweep``.
///
/// Where the server cannot stream (Redis < 6, a proxy, `CLIENT` denied by an ACL, or
/// `changeStream: false`), the inspector sweeps: each refresh re-reads the rows on screen
/// (``setOnScreen(_:)``), and full sweeps run as often as the budget allows, measured from the
/// server's own counters (``InspectionLoad``); the snapshot's ``InspectionSnapshot/mode`` says
/// why. A Redlock set, whose rows merge several servers, is scanned every refresh as with
/// ``LockInspector``.
///
/// ```swift
/// let live = LiveInspector(inspector: inspector) { event in print(event.kind, event.key) }
/// while true { _ = try await live.refresh(); try await Task.sleep(for: .seconds(1)) }
/// ```
///
/// Call ``refresh(tolerance:)`` from one task at a time, and ``stop()`` when done.
public final class LiveInspector: Sendable {
    /// The inspector that scans and reads.
    public let inspector: LockInspector
    /// The shortest time a verification pass over every key takes in live mode (longer when
    /// the budget requires).
    public let sweepInterval: Duration
    /// The share of the server's time the inspector may use for its sweeps and reads.
    public let budget: LoadBudget
    /// Whether to use the server's change stream; `false` sweeps within the budget instead.
    public let changeStream: Bool
    let onEvent: (@Sendable (LockEvent) -> Void)?
    let state = Mutex(LiveState())
    let watchers = Mutex(ChangeWatchers())
    let streams = Mutex<[ChangeStream]>([])
    let readers = Mutex<[Task<Void, Never>]>([])
    /// Wakes each server's reader when a change marks a key pending.
    let wakers = Mutex<[AsyncStream<Void>.Continuation]>([])
    /// The least time between two reads of changed keys on one server: at 2,000 changes a
    /// second, one round trip of about 20 keys every 10 ms instead of one per change.
    static let readSpacing = Duration.milliseconds(10)
    /// Events kept for the next snapshot at most (a caller that never refreshes loses the oldest).
    static let eventLimit = 10_000

    /// Makes a live inspector over `inspector`'s servers and selection.
    ///
    /// - Parameters:
    ///   - inspector: the servers and selection to watch.
    ///   - sweepInterval: the shortest time a verification pass takes in live mode.
    ///   - budget: the share of the server's time sweeps and reads may use (`--max-load`).
    ///   - changeStream: `false` sweeps within the budget even where the server could stream.
    ///   - onEvent: called with every event as it is found, in order (on a background task).
    public init(
        inspector: LockInspector, sweepInterval: Duration = .seconds(60), budget: LoadBudget = .standard, changeStream: Bool = true,
        onEvent: (@Sendable (LockEvent) -> Void)? = nil
    ) {
        self.inspector = inspector
        self.sweepInterval = sweepInterval
        self.budget = budget
        self.changeStream = changeStream
        self.onEvent = onEvent
    }

    /// The mode, once the first refresh settled it.
    public var mode: InspectionMode? { state.withLock { $0.mode } }

    /// Changes the verification sweeps found that the stream had not reported (0 when the
    /// stream is complete).
    public var missedBySweep: Int { state.withLock { $0.missed } }

    /// How many full scans ran: the first, rescans after a loss, sweeps, and in live mode
    /// the verification sweep's completed passes.
    public var fullScans: Int { state.withLock { $0.fullScans } }

    /// The change streams' connection ids (subscriber, tracker) per server, for tests that cut them.
    package var streamClientIDs: [(subscriber: Int, tracker: Int)] {
        streams.withLock { $0.map { ($0.subscriberID, $0.trackerID) } }
    }

    /// Keys the current pass of live mode's verification sweep has listed so far.
    package var sweptKeysThisPass: Int { state.withLock { $0.pass?.listed.reduce(0, +) ?? 0 } }

    /// Whether no change announced by the stream is still waiting to be read.
    package var isSettled: Bool { state.withLock { $0.pendingCount == 0 && !$0.fullScanRunning } }

    /// The current locks and the events since the previous call. The first call scans
    /// everything and opens the change streams; later calls read nothing in live mode
    /// (except a due verification sweep, or a rescan after the stream was lost).
    ///
    /// In sweeping mode a refresh re-reads the rows on screen, and runs a full sweep when the
    /// budget allows one (``InspectionLoad/sweepPeriod``).
    public func refresh(tolerance: Duration = .seconds(1)) async throws(RedisError) -> InspectionSnapshot {
        let (mode, lost, nextSweep, retryStream) = state.withLock { ($0.mode, $0.lostReason, $0.cost.nextSweep, $0.retryStream) }
        let sweepDue = nextSweep.map { ContinuousClock.now >= $0 } ?? true
        switch mode {
        case .scanning(let reason)?:
            return try await scanningRefresh(tolerance: tolerance, reason: reason)
        case nil:
            return try await restart(reason: nil, tolerance: tolerance)
        case .sweeping?:
            // A proxy that gave no answer to the stream's commands: try again at the sweeps' pace.
            if sweepDue { return retryStream ? try await restart(reason: nil, tolerance: tolerance) : try await sweep(tolerance: tolerance) }
            await refreshOnScreen(rereadingRows: true)
            return await meteredSnapshot()
        case .live?:
            if let lost { return try await restart(reason: lost, tolerance: tolerance) }
            await sweepTick()
            await refreshOnScreen(rereadingRows: false)
            return await meteredSnapshot()
        }
    }

    /// Closes the change streams.
    public func stop() async {
        await closeStreams()
    }

    // MARK: Scanning

    private func scanningRefresh(tolerance: Duration, reason: String) async throws(RedisError) -> InspectionSnapshot {
        var snapshot = try await inspector.refresh(tolerance: tolerance)
        snapshot.mode = .scanning(reason: reason)
        snapshot.staleness = snapshot.duration
        if !snapshot.notes.contains(reason) { snapshot.notes.append(reason) }
        if let onEvent { for event in snapshot.events { onEvent(event) } }
        return snapshot
    }

    /// Opens the streams and scans everything; after a loss, reports why and what changed.
    /// When that fails, the next refresh tries again (the loss stays recorded).
    private func restart(reason: String?, tolerance: Duration) async throws(RedisError) -> InspectionSnapshot {
        await closeStreams()
        let generation = state.withLock { state in
            state.generation += 1
            state.resetPending()
            state.pass = nil
            state.suspects = [:]
            state.passAwaitingConfirmation = false
            return state.generation
        }
        do {
            return try await openAndScan(reason: reason, generation: generation, tolerance: tolerance)
        } catch {
            await closeStreams()
            state.withLock { state in
                if state.mode == .live, state.lostReason == nil { state.lostReason = reason ?? "the rescan failed: \(error.message)" }
            }
            throw error
        }
    }

    private func openAndScan(reason: String?, generation: Int, tolerance: Duration) async throws(RedisError) -> InspectionSnapshot {
        if case .redlock = inspector.servers {
            return try await settleScanning("a Redlock set: each refresh scans every node", tolerance: tolerance)
        }
        let (scanners, _) = try await inspector.scanners()
        guard changeStream else {
            return try await settleSweeping("change stream turned off: sweeping within the load budget", scanners: scanners, retry: false, tolerance: tolerance)
        }
        var opened: [ChangeStream] = []
        for (node, scanner) in scanners.enumerated() {
            do {
                let stream = try await ChangeStream.open(
                    configuration: scanner.client.configuration, prefixes: Self.trackedPrefixes(inspector.selection)
                ) { [weak self] change in self?.receive(change, node: node, generation: generation) }
                opened.append(stream)
            } catch {
                for stream in opened { await stream.close() }
                let reason = "no change stream (\(error.message)): sweeping within the load budget"
                // The server answered but cannot track: sweep from now on, and say why. No
                // answer (a proxy that drops CLIENT, or a blip): sweep, and try the stream
                // again when the next sweep is due.
                return try await settleSweeping(reason, scanners: scanners, retry: error.serverErrorPrefix == nil, tolerance: tolerance)
            }
        }
        streams.withLock { $0 = opened }
        state.withLock { state in
            state.pendingByNode = Array(repeating: [], count: scanners.count)
            state.scanners = scanners
            state.lostReason = nil  // from here on, a loss is the new streams'
            state.retryStream = false
        }
        let scan = try await measuredFullScan(tolerance: tolerance, live: true)
        startPasses(scannedKeys: scan.snapshot?.scannedKeys ?? 0, nodes: scanners.count)
        var events: [LockEvent] = []
        if let reason, let serverTime = scan.snapshot?.serverTimeMilliseconds {
            // After a loss: say so, then what changed meanwhile. The first scan reports nothing.
            events = [LockEvent(kind: .rescanned, keyBytes: [], owner: nil, atMilliseconds: serverTime, source: .stream, detail: reason)] + scan.events
        }
        emit(events)
        startReaders(scanners, generation: generation)
        return await meteredSnapshot(scan: scan.snapshot)
    }

    /// Live from now on: the verification sweep's first pass starts now, at the pace the
    /// full scan's measured cost allows (``SweepPass``).
    private func startPasses(scannedKeys: Int, nodes: Int) {
        let budget = budget
        let floor = sweepInterval
        state.withLock { state in
            state.mode = .live
            let cost = state.cost.lastSweepCost
            state.costPerKey = cost / Double(max(scannedKeys, 1))
            let period = state.cost.setPassPeriod(cost: cost, budget: budget, floor: floor)
            let expected = Array(repeating: scannedKeys / max(nodes, 1), count: nodes)
            state.pass = SweepPass(nodes: nodes, expected: expected, period: period, at: .now)
        }
    }

    /// Sweeps from now on (trying the stream again at each sweep when `retry`), starting now.
    private func settleSweeping(_ reason: String, scanners: [NodeScanner], retry: Bool, tolerance: Duration) async throws(RedisError) -> InspectionSnapshot {
        state.withLock { state in
            state.mode = .sweeping(reason: reason)
            state.retryStream = retry
            state.scanners = scanners
            state.pendingByNode = []
            state.lostReason = nil
        }
        return try await sweep(tolerance: tolerance)
    }

    private func settleScanning(_ reason: String, tolerance: Duration) async throws(RedisError) -> InspectionSnapshot {
        state.withLock { $0.mode = .scanning(reason: reason) }
        return try await scanningRefresh(tolerance: tolerance, reason: reason)
    }

    /// A full sweep of sweeping mode: what keeps the rows off screen current. The very first
    /// finds the locks, which are no events. (Live mode verifies a slice at a time instead:
    /// ``sweepTick()``.)
    private func sweep(tolerance: Duration) async throws(RedisError) -> InspectionSnapshot {
        let first = state.withLock { $0.fullScans == 0 }
        let scan = try await measuredFullScan(tolerance: tolerance, live: false)
        if !first { emit(scan.events) }
        return await meteredSnapshot(scan: scan.snapshot)
    }

    /// A full scan between two samples of the servers' counters, which set the next one's
    /// start within the budget (never sooner than `sweepInterval` in live mode, nor than a
    /// second when sweeping).
    private func measuredFullScan(tolerance: Duration, live: Bool) async throws(RedisError) -> FullScan {
        let clients = state.withLock { $0.scanners.map(\.client) }
        let before = await Self.samples(clients)
        let started = ContinuousClock.now
        let scan = try await fullScan(tolerance: tolerance, withHistory: !live) { table, locks, instant, serverTime in
            table.reconcile(with: locks, at: instant, serverTime: serverTime)
        }
        let wall = ContinuousClock.now - started
        let after = await Self.samples(clients)
        let budget = budget
        let floor = live ? sweepInterval : LiveCost.sampleInterval
        state.withLock { state in
            state.cost.recordSweep(
                before: before, after: after, started: started, wall: wall, commands: scan.snapshot?.commandCount ?? 0, budget: budget, floor: floor)
        }
        return scan
    }

    /// A sample of each server's counters, side by side (`nil` where `INFO` is refused).
    static func samples(_ clients: [RedisClient]) async -> [ServerCostSample?] {
        await withTaskGroup(of: (Int, ServerCostSample?).self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask { (index, await ServerCostSample.read(client)) }
            }
            var samples = [ServerCostSample?](repeating: nil, count: clients.count)
            for await (index, sample) in group { samples[index] = sample }
            return samples
        }
    }

    private struct FullScan {
        var snapshot: InspectionSnapshot?
        var events: [LockEvent]
    }

    /// Scans everything with the stream's reads held back, folds the scan into the table, then
    /// lets the reads resume: the keys that changed meanwhile are read after the scan.
    private func fullScan(
        tolerance: Duration, withHistory: Bool,
        _ fold: (inout LiveTable, [InspectedLock], ContinuousClock.Instant, Int64) -> [LockEvent]
    ) async throws(RedisError) -> FullScan {
        state.withLock { $0.fullScanRunning = true }
        let started = ContinuousClock.now
        let result: Result<InspectionSnapshot, RedisError>
        do throws(RedisError) {
            // Sweeping mode takes the rates of the rows off screen from the inspector's history.
            result = .success(withHistory ? try await inspector.refresh(tolerance: tolerance) : try await scanForTable())
        } catch {
            result = .failure(error)
        }
        let outcome = state.withLock { state -> Result<FullScan, RedisError> in
            state.fullScanRunning = false
            let snapshot: InspectionSnapshot
            switch result {
            case .success(let value): snapshot = value
            case .failure(let error): return .failure(error)
            }
            state.serverTimeBase = (snapshot.serverTimeMilliseconds, started)
            state.lastFullScan = started
            state.commands += snapshot.commandCount
            state.roundTrips += snapshot.roundTrips
            var events: [LockEvent] = []
            if state.fullScans == 0 && state.table.count == 0 {
                state.table.fill(with: snapshot.locks, at: started)  // the first scan reports nothing
            } else {
                events = fold(&state.table, snapshot.locks, started, snapshot.serverTimeMilliseconds)
            }
            state.fullScans += 1
            return .success(FullScan(snapshot: snapshot, events: events))
        }
        wakeReaders()
        return try outcome.get()
    }

    /// The table as a snapshot, with the events and commands since the previous one and what
    /// the inspector costs the server (sampled at most every second).
    private func meteredSnapshot(scan: InspectionSnapshot? = nil) async -> InspectionSnapshot {
        let (due, clients) = state.withLock { state in
            (state.cost.samplingDue(at: .now, interval: state.mode == .live ? LiveCost.liveSampleInterval : LiveCost.sampleInterval), state.scanners.map(\.client))
        }
        if due, scan == nil {
            let samples = await Self.samples(clients)
            state.withLock { $0.cost.recordReads(samples, at: .now) }
        }
        return snapshot(scan: scan)
    }

    private func snapshot(scan: InspectionSnapshot?) -> InspectionSnapshot {
        let instant = ContinuousClock.now
        let budget = budget
        return state.withLock { state in
            var snapshot = InspectionSnapshot(
                locks: state.table.locks(at: instant), events: state.events, serverTimeMilliseconds: state.serverTime(at: instant),
                scannedKeys: scan?.scannedKeys ?? 0, commandCount: state.commands, roundTrips: state.roundTrips,
                duration: scan?.duration ?? .zero, unreachableNodes: scan?.unreachableNodes ?? [], notes: scan?.notes ?? state.notes)
            snapshot.mode = state.mode ?? .live
            switch state.mode {
            case .sweeping?:
                // The rows off screen are as old as the last sweep's start.
                snapshot.staleness = state.lastFullScan.map { instant - $0 } ?? .zero
            default:
                snapshot.staleness = state.oldestPending.map { instant - $0 } ?? .zero
            }
            snapshot.load = state.cost.load(at: instant, budget: budget)
            if case .sweeping(let reason)? = state.mode, !snapshot.notes.contains(reason) { snapshot.notes.append(reason) }
            if let scan { state.notes = scan.notes }
            state.events = []
            state.commands = 0
            state.roundTrips = 0
            return snapshot
        }
    }

    /// The prefixes to track for `selection`: each prefix, or a glob's literal start.
    package static func trackedPrefixes(_ selection: LockInspector.Selection) -> [String] {
        selection.trackedPrefixes
    }
}
