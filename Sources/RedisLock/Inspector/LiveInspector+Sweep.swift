import RESP

extension LiveInspector {
    /// One tick of live mode's verification sweep (``SweepPass``), run by each refresh:
    /// confirms the previous tick's suspects, lists and reads the slice the pace allows on
    /// each server, and ends the pass once every walk is over. Best effort: a failed read is
    /// tried again at the next tick. The change stream's reads go on meanwhile.
    func sweepTick() async {
        let (scanners, quotas) = state.withLock { state -> ([NodeScanner], [Int]) in
            guard state.mode == .live, !state.fullScanRunning, var pass = state.pass else { return ([], []) }
            let quotas = pass.tick(at: .now)
            state.pass = pass
            return (state.scanners, quotas)
        }
        guard !scanners.isEmpty else { return }
        await confirmSuspects(scanners)
        for (node, scanner) in scanners.enumerated() where quotas.indices.contains(node) && quotas[node] > 0 {
            await sweepSlice(scanner, node: node, keys: quotas[node])
        }
        endPassIfComplete(scanners)
    }

    /// Reads the suspects again: those the stream announced meanwhile were only late; those
    /// that still differ from the table were missed, and are applied (source `scan`).
    private func confirmSuspects(_ scanners: [NodeScanner]) async {
        let byNode = state.withLock { state -> [Int: [ByteKey]] in
            var byNode: [Int: [ByteKey]] = [:]
            for (key, node) in state.suspects where !state.streamOwns(key) { byNode[node, default: []].append(key) }
            state.suspects = [:]
            // From here on, what the stream announces is its own to read.
            state.touched = []
            return byNode
        }
        for (node, keys) in byNode where scanners.indices.contains(node) {
            let sent = ContinuousClock.now
            guard let read = try? await scanners[node].read(keys.map(\.bytes)) else { continue }
            var found: [ByteKey: InspectedLock] = [:]
            for lock in read.locks { found[ByteKey(lock.keyBytes)] = lock }
            let events = state.withLock { state -> [LockEvent] in
                state.commands += read.commands
                state.roundTrips += read.roundTrips
                state.cost.countRead(commands: read.commands, elapsed: ContinuousClock.now - sent)
                let serverTime = state.serverTime(at: sent)
                var events: [LockEvent] = []
                // On a cluster a key read on another node says nothing about it.
                for key in keys where !state.streamOwns(key) && (scanners.count == 1 || found[key] != nil) {
                    guard state.table.differs(key, from: found[key]) else { continue }
                    if var event = state.table.apply(key, read: found[key], at: sent, serverTime: serverTime) {
                        event.source = .scan
                        events.append(event)
                        state.missed += 1
                    }
                }
                return events
            }
            emit(events)
        }
        // The pass that ended at the previous tick is complete now that its suspects are settled.
        state.withLock { state in
            if state.passAwaitingConfirmation {
                state.passAwaitingConfirmation = false
                state.fullScans += 1
            }
        }
    }

    /// Lists about `keys` more keys of `node`'s walk and compares their locks with the table:
    /// agreeing rows are refreshed, the others become suspects.
    private func sweepSlice(_ scanner: NodeScanner, node: Int, keys: Int) async {
        let started = state.withLock { $0.pass?.sources[node] }
        var source: KeySource
        if let started {
            source = started
        } else {
            guard let fresh = try? await scanner.sweepSource() else { return }
            source = fresh
        }
        let sent = ContinuousClock.now
        guard let read = try? await scanner.scanSlice(&source, keys: keys) else { return }
        state.withLock { state in
            guard var pass = state.pass, pass.sources.indices.contains(node) else { return }
            pass.sliced(node: node, listed: read.scannedKeys, source: source)
            pass.fences.merge(read.fenceValues) { max($0, $1) }
            state.pass = pass
            state.commands += read.commands
            state.roundTrips += read.roundTrips
            // Its server time shows in the next sample of the counters, with the other reads'.
            state.cost.countRead(commands: read.commands, elapsed: ContinuousClock.now - sent)
            for lock in read.locks {
                let key = ByteKey(lock.keyBytes)
                guard !state.streamOwns(key) else { continue }
                if state.table.differs(key, from: lock) {
                    state.suspects[key] = node
                } else {
                    state.table.refresh(key, from: lock, at: sent)
                }
            }
        }
    }

    /// When every walk is over: the rows no slice saw (nor the stream read since the pass
    /// began) become suspects, the fence counters become rates, and the next pass starts at
    /// the pace the last full scan's cost and the budget allow.
    private func endPassIfComplete(_ scanners: [NodeScanner]) {
        let budget = budget
        let floor = sweepInterval
        state.withLock { state in
            guard let pass = state.pass, pass.isComplete else { return }
            let now = ContinuousClock.now
            for (key, placement) in state.table.unseen(since: pass.started) where !state.streamOwns(key) {
                guard let node = Self.node(of: placement, among: scanners) else { continue }
                state.suspects[key] = node
            }
            state.table.updateRates { pass.rate(digest: $0, at: now) }
            state.lastFullScan = pass.started
            state.passAwaitingConfirmation = true
            let cost = state.costPerKey * Double(pass.listed.reduce(0, +))
            state.pass = pass.next(period: state.cost.setPassPeriod(cost: cost, budget: budget, floor: floor), at: now)
        }
    }

    /// Which scanner holds a row placed at `placement`: the only one, or a cluster's node by its address.
    private static func node(of placement: LockPlacement?, among scanners: [NodeScanner]) -> Int? {
        if scanners.count == 1 { return 0 }
        guard case .node(let label)? = placement else { return nil }
        return scanners.firstIndex { $0.label == label }
    }
}
