import RESP
import Synchronization

/// Live mode's change stream: a change announced by a server marks its key pending, and one
/// reader per server reads the pending keys in pipelined batches (at most every
/// ``LiveInspector/readSpacing``) and turns what changed into events.
extension LiveInspector {
    func receive(_ change: ChangeStream.Change, node: Int, generation: Int) {
        let selection = inspector.selection
        let wake = state.withLock { state -> Bool in
            guard state.generation == generation else { return false }
            switch change {
            case .keys(let keys):
                var added = false
                for key in keys {
                    // An auxiliary key's change (a fair lock's queue, a holder's expiry) is its
                    // lock's: re-read the lock's row too (same hash tag, same node).
                    for changed in [key, HelperKeyOwner.lockKey(of: key)].compactMap({ $0 }) where selection.matches(changed) {
                        state.addPending(ByteKey(changed), node: node)
                        added = true
                    }
                }
                return added
            case .flushed:
                if state.lostReason == nil { state.lostReason = "the server's data was flushed (FLUSHALL/FLUSHDB)" }
                return false
            case .lost(let reason):
                if state.lostReason == nil { state.lostReason = "change stream lost: \(reason)" }
                return false
            }
        }
        if wake { wakeReaders() }
    }

    func wakeReaders() {
        for waker in wakers.withLock({ $0 }) { waker.yield() }
    }

    /// One task per server reads the changed keys, a batch at a time.
    func startReaders(_ scanners: [NodeScanner], generation: Int) {
        var tasks: [Task<Void, Never>] = []
        var continuations: [AsyncStream<Void>.Continuation] = []
        for (node, scanner) in scanners.enumerated() {
            let (wake, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            continuations.append(continuation)
            tasks.append(Task { [weak self] in
                var lastRead = ContinuousClock.now - Self.readSpacing
                for await _ in wake {
                    guard let self else { return }
                    repeat {
                        // A lone change is read at once; a burst waits out the spacing and is
                        // read as one batch (a key changed many times meanwhile, once).
                        let wait = lastRead + Self.readSpacing - .now
                        if wait > .zero { try? await Task.sleep(for: wait) }
                        lastRead = .now
                    } while await self.readBatch(scanner, node: node, generation: generation)
                }
            })
        }
        wakers.withLock { $0 = continuations }
        readers.withLock { $0 = tasks }
        wakeReaders()  // keys announced during the first scan
    }

    /// Reads one batch of changed keys of `node` and applies it; `false` when there was none
    /// (or a full scan holds the reads back, or the read failed).
    func readBatch(_ scanner: NodeScanner, node: Int, generation: Int) async -> Bool {
        let keys = state.withLock { $0.takePending(node: node, limit: scanner.batchSize * 8) }
        guard !keys.isEmpty else { return false }
        // Dated when the read is sent: a PTTL counted from then ends no later than the key
        // does, so a key that vanishes at the end of its TTL is never taken for released.
        let instant = ContinuousClock.now
        let read: NodeScan
        do {
            read = try await scanner.read(keys.map(\.bytes))
            let elapsed = ContinuousClock.now - instant
            state.withLock { $0.cost.countRead(commands: read.commands, elapsed: elapsed) }
        } catch {
            state.withLock { state in
                if state.generation == generation, state.lostReason == nil {
                    state.lostReason = "re-reading changed keys failed: \(error.message)"
                }
            }
            return false
        }
        var found: [ByteKey: InspectedLock] = [:]
        for lock in read.locks { found[ByteKey(lock.keyBytes)] = lock }
        let (events, reshaped) = state.withLock { state -> ([LockEvent], Bool) in
            guard state.generation == generation else { return ([], false) }
            state.commands += read.commands
            state.roundTrips += read.roundTrips
            let serverTime = state.serverTime(at: instant)
            var events: [LockEvent] = []
            var reshaped = false
            for key in keys {
                let before = state.table.rows[key]?.lock.kind
                if let event = state.table.apply(key, read: found[key], at: instant, serverTime: serverTime) {
                    events.append(event)
                } else if let before, let after = found[key]?.kind, !before.hasSameShape(as: after) {
                    reshaped = true  // a queue or holder changed while the lock's own value did not
                }
            }
            state.finishRead(node: node)
            return (events, reshaped)
        }
        emit(events)
        if events.isEmpty && reshaped { notifyWatchers() }
        return true
    }

    func emit(_ events: [LockEvent]) {
        guard !events.isEmpty else { return }
        state.withLock { state in
            state.events.append(contentsOf: events)
            if state.events.count > Self.eventLimit { state.events.removeFirst(state.events.count - Self.eventLimit) }
        }
        if let onEvent { for event in events { onEvent(event) } }
        notifyWatchers()
    }

    func closeStreams() async {
        for task in readers.withLock({ $0 }) { task.cancel() }
        for waker in wakers.withLock({ $0 }) { waker.finish() }
        readers.withLock { $0 = [] }
        wakers.withLock { $0 = [] }
        for stream in streams.withLock({ $0 }) { await stream.close() }
        streams.withLock { $0 = [] }
    }
}
