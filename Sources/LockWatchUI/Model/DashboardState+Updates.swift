public import RedisLock
import RESP

extension DashboardState {
    /// Shows a new scan: replaces the rows, re-sorts and re-filters once, keeps the selection on
    /// the same key, records events, TTL ceilings and per-key history, and marks the data live.
    ///
    /// - Parameters:
    ///   - snapshot: the scan.
    ///   - instant: when it arrived; TTLs count down from here.
    public mutating func apply(snapshot: InspectionSnapshot, at instant: ContinuousClock.Instant = .now) {
        apply(prepared: scanBasis.prepare(snapshot), at: instant)
    }

    /// What a scan applied now would be prepared from (see ``ScanBasis``).
    var scanBasis: ScanBasis {
        var watched: [[UInt8]] = []
        if let selectedKey { watched.append(selectedKey) }
        if let key = detailKey { watched.append(key) }
        return ScanBasis(
            generation: generation, sortColumn: sortColumn, sortDirection: sortDirection, filter: filter,
            attentionOnly: attentionOnly, ttlCeilings: ttlCeilings, histories: histories, watchedKeys: watched
        )
    }

    /// Shows a scan prepared by ``ScanBasis/prepare(_:)``. Whatever changed since the basis was
    /// taken is redone here: the sort or filter (the operator changed them meanwhile) and, should
    /// another scan have been applied in between, the whole preparation.
    mutating func apply(prepared: PreparedScan, at instant: ContinuousClock.Instant) {
        var prepared = prepared
        if prepared.basis.generation != generation {
            prepared = scanBasis.prepare(prepared.snapshot)
        }
        generation += 1
        if instant > now { now = instant }
        let wasReconnecting = connection.isReconnecting
        connection = .connected
        let snapshot = prepared.snapshot
        lastScan = ScanSummary(
            serverTimeMilliseconds: snapshot.serverTimeMilliseconds, scannedKeys: snapshot.scannedKeys,
            commandCount: snapshot.commandCount, roundTrips: snapshot.roundTrips,
            duration: snapshot.duration, receivedAt: instant, mode: snapshot.mode, staleness: snapshot.staleness,
            load: snapshot.load
        )
        table = prepared.table
        usualHoldMilliseconds = prepared.usualHoldMilliseconds
        if table.attentionOnly != attentionOnly {
            table.showAttentionOnly(attentionOnly)
        }
        if table.sortColumn != sortColumn || table.sortDirection != sortDirection {
            table.rebuild(sort: sortColumn, direction: sortDirection, filter: filter)
        } else if table.filter != filter {
            table.refilter(filter)
        }
        ttlCeilings = prepared.ttlCeilings
        histories = prepared.histories
        var watched: [[UInt8]] = []
        if let selectedKey { watched.append(selectedKey) }
        if let key = detailKey { watched.append(key) }
        for key in watched where !prepared.basis.watchedKeys.contains(key) && histories[ByteKey(key)]?.lastSeenGeneration != generation {
            if let lock = table.lock(withKey: key) { ScanBasis.record(lock, in: &histories, generation: generation) }
        }
        recordEvents(snapshot.events)
        if case .detail(let key) = mode {
            let current = table.lock(withKey: key)
            detailPresent = current != nil
            if let current { detailLock = current }
        }
        followHolders()
        followSelectedKey()
        if !snapshot.unreachableNodes.isEmpty {
            let nodes = snapshot.unreachableNodes.map { TerminalText.sanitize($0) }.joined(separator: "; ")
            setStatus("incomplete scan, not answering: \(nodes)", .warning)
        } else if snapshot.notes != scanNotes, !snapshot.notes.isEmpty {
            setStatus(snapshot.notes.map { TerminalText.sanitize($0) }.joined(separator: "; "), .warning)
        } else if wasReconnecting {
            setStatus("reconnected", .success)
        }
        scanNotes = snapshot.notes
    }

    /// Notes that a refresh failed: the last data stays, dimmed, under a banner.
    ///
    /// - Parameters:
    ///   - error: what went wrong (shown sanitized).
    ///   - retryIn: when the runner will try again.
    ///   - instant: when it failed.
    public mutating func apply(connectionLost error: any Error, retryIn: Duration? = nil, at instant: ContinuousClock.Instant = .now) {
        if instant > now { now = instant }
        let attempt: Int
        if case .reconnecting(_, let previous, _) = connection { attempt = previous + 1 } else { attempt = 1 }
        let redisError = error as? RedisError
        failureIsRefusal = redisError.map { $0.code == .permissionDenied || $0.code == .authenticationFailed } ?? false
        failureIsConnection = redisError.map { [.connectionFailed, .connectionClosed, .timeout, .tlsFailure].contains($0.code) } ?? false
        // Before the first scan the message alone says it ("cannot connect to host:port: reason").
        let plain = failureIsRefusal || lastScan == nil
        connection = .reconnecting(lastError: redisError.map { plain ? $0.message : String(describing: $0) } ?? String(describing: error), attempt: attempt, retryIn: retryIn)
        lastFailureAt = now
    }

    /// Puts the result of a force-release of `lock` in the status line.
    public mutating func apply(forceReleaseOutcome outcome: ForceReleaseOutcome, for lock: InspectedLock) {
        let key = TerminalText.sanitize(lock.keyBytes)
        switch outcome {
        case .released(let auditEntryID):
            let audit = OutcomeText.audit(auditEntryID)
            setStatus("released \(key) (\(audit))", .success)
            let event = LockEvent(
                kind: .forceReleased, keyBytes: lock.keyBytes, owner: lock.owner,
                atMilliseconds: serverNowMilliseconds ?? 0
            )
            recordEvents([event])
        case .releasedCopies(let released, let held, let others):
            let rest = OutcomeText.others(others)
            setStatus("released \(key) on \(released) of \(held) nodes (audit entry on each)\(rest)", released == held ? .success : .warning)
            let event = LockEvent(
                kind: .forceReleased, keyBytes: lock.keyBytes, owner: lock.owner,
                atMilliseconds: serverNowMilliseconds ?? 0
            )
            recordEvents([event])
        case .changedHands(let currentValue):
            let current = OutcomeText.current(currentValue)
            setStatus("refused: \(key) changed hands (now \(current)); nothing deleted", .warning)
        case .vanished:
            setStatus("\(key) had already vanished; nothing deleted", .warning)
        case .failed(let message):
            setStatus("force-release of \(key) failed: \(TerminalText.sanitize(message))", .error)
        }
    }

    /// Takes what the expiry listener reports: an expiry goes on the event strip at once (the
    /// row stays until the next scan), the others set ``notifications``.
    public mutating func apply(notice: ExpiryNotifications.Notice) {
        switch notice {
        case .listening:
            notifications = .on
        case .unavailable(let reason):
            notifications = .off(reason: reason)
        case .expired(let event):
            recordEvents([event])
        }
    }

    /// Advances the clock: TTLs count down, old status messages clear.
    public mutating func tick(now instant: ContinuousClock.Instant) {
        if instant > now { now = instant }
        if let status, now - status.since > StatusMessage.lifetime {
            self.status = nil
        }
    }

    /// Puts something the dashboard's host reports on the event strip (e.g. the demo's
    /// rejected stale write) or in the "also seen" hint.
    public mutating func apply(news: DashboardNews) {
        switch news {
        case .event(let event): recordEvents([event])
        case .alsoSeen(let found): alsoSeen = found
        }
    }

    /// Notes that the watched keys are now `match` (after `a` added the "also seen" prefixes).
    public mutating func apply(watching match: String?) {
        guard let match else {
            setStatus("could not watch the other prefixes", .error)
            return
        }
        self.match = match
        alsoSeen = []
        setStatus("now watching \(TerminalText.sanitize(match))", .success)
    }

    mutating func recordEvents(_ new: [LockEvent]) {
        guard !new.isEmpty else { return }
        events.append(contentsOf: new.suffix(Self.eventLimit))
        if events.count > Self.eventLimit { events.removeFirst(events.count - Self.eventLimit) }
    }
}
