import RESP

extension LockInspector {
    /// Force-releases `lock` as an operator asked: compare-and-delete against what was shown
    /// (or `expectation`), with an audit entry, on the server that holds it: the server, the
    /// cluster primary of its slot, or every node of a Redlock set that holds a copy (each
    /// copy against its own value). The next refresh reports it as force-released.
    public func forceRelease(
        _ lock: InspectedLock, expecting expectation: ForceRelease.Expectation? = nil, audit: ForceRelease.Audit
    ) async -> ForceReleaseOutcome {
        let backend: any LockBackend
        switch servers {
        case .single(let client): backend = client
        case .cluster(let cluster): backend = cluster
        case .redlock(let clients):
            guard case .copies(let copies) = lock.placement, !copies.copies.isEmpty else { return .vanished }
            return noted(await Self.releaseCopies(copies, of: lock.keyBytes, on: clients, expecting: expectation, audit: audit), lock)
        }
        return noted(await ForceRelease(backend: backend, audit: audit).release(key: lock.keyBytes, expecting: expectation ?? .exactly(lock.hashFields, lock.value)), lock)
    }

    /// Remembers a successful force-release for the next refresh's events; returns `outcome`.
    private func noted(_ outcome: ForceReleaseOutcome, _ lock: InspectedLock) -> ForceReleaseOutcome {
        switch outcome {
        case .released, .releasedCopies: noteForceRelease(lock.keyBytes)
        default: break
        }
        return outcome
    }

    /// Releases each copy on its node side by side and sums up.
    private static func releaseCopies(
        _ copies: RedlockCopies, of key: [UInt8], on clients: [RedisClient],
        expecting expectation: ForceRelease.Expectation?, audit: ForceRelease.Audit
    ) async -> ForceReleaseOutcome {
        let outcomes = await withTaskGroup(of: (RedlockCopies.Copy, ForceReleaseOutcome).self) { group in
            for copy in copies.copies where clients.indices.contains(copy.node) {
                group.addTask {
                    let releaser = ForceRelease(backend: clients[copy.node], audit: audit, node: copy.address)
                    return (copy, await releaser.release(key: key, expecting: expectation ?? .exactly(copy.hashFields, copy.value)))
                }
            }
            var outcomes: [(RedlockCopies.Copy, ForceReleaseOutcome)] = []
            for await result in group { outcomes.append(result) }
            return outcomes.sorted { $0.0.node < $1.0.node }
        }
        var released = 0
        var others: [String] = []
        for (copy, outcome) in outcomes {
            switch outcome {
            case .released, .releasedCopies: released += 1
            case .changedHands: others.append("\(copy.address): changed hands")
            case .vanished: others.append("\(copy.address): already gone")
            case .failed(let message): others.append("\(copy.address): \(message)")
            }
        }
        if released > 0 { return .releasedCopies(released: released, held: outcomes.count, others: others) }
        // Nothing deleted: say what stopped it, the most telling first.
        if let failed = outcomes.first(where: { if case .failed = $0.1 { true } else { false } }) { return failed.1 }
        if let changed = outcomes.first(where: { if case .changedHands = $0.1 { true } else { false } }) { return changed.1 }
        return .vanished
    }
}

extension ForceRelease.Expectation {
    /// What a row showed, to be compared exactly: a hash's fields, else a string's bytes.
    static func exactly(_ hashFields: [HashField]?, _ value: [UInt8]) -> Self {
        hashFields.map { .hash($0) } ?? .value(value)
    }
}
