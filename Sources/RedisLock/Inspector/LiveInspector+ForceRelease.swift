extension LiveInspector {
    /// Force-releases `lock` like ``LockInspector/forceRelease(_:expecting:audit:)``; the
    /// change stream then reports its disappearance as force-released (marked before the
    /// delete, since the stream may announce it before the delete's reply arrives).
    public func forceRelease(_ lock: InspectedLock, expecting expectation: ForceRelease.Expectation? = nil, audit: ForceRelease.Audit) async -> ForceReleaseOutcome {
        state.withLock { $0.table.noteForceRelease(lock.keyBytes) }
        let outcome = await inspector.forceRelease(lock, expecting: expectation, audit: audit)
        switch outcome {
        case .released, .releasedCopies: break
        default: state.withLock { $0.table.forgetForceRelease(lock.keyBytes) }
        }
        return outcome
    }
}
