extension LiveInspector {
    /// Force-releases `lock` like ``LockInspector/forceRelease(_:expecting:audit:)``; the
    /// change stream then reports its disappearance as force-released (marked before the
    /// delete, since the stream may announce it before the delete's reply arrives).
    ///
    /// One holder of a read-write lock or semaphore (``ForceRelease/Expectation/holder(field:value:)``)
    /// is not marked: the key usually stays with its other holders, and a mark left on it
    /// would report its later, ordinary release as force-released.
    public func forceRelease(_ lock: InspectedLock, expecting expectation: ForceRelease.Expectation? = nil, audit: ForceRelease.Audit) async -> ForceReleaseOutcome {
        if case .holder = expectation { return await inspector.forceRelease(lock, expecting: expectation, audit: audit) }
        state.withLock { $0.table.noteForceRelease(lock.keyBytes) }
        let outcome = await inspector.forceRelease(lock, expecting: expectation, audit: audit)
        switch outcome {
        case .released, .releasedCopies: break
        default: state.withLock { $0.table.forgetForceRelease(lock.keyBytes) }
        }
        return outcome
    }
}
