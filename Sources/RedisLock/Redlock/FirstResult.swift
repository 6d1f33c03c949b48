import Synchronization

/// Runs `operation` in a Task of its own and returns its result, or `nil` when `limit` passes
/// first. The operation is then cancelled but not awaited: a node that hangs (SIGSTOPped,
/// unreachable) must not hold up the caller beyond `limit`.
func firstResult<T: Sendable>(within limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    let slot = Mutex<CheckedContinuation<T?, Never>?>(nil)
    let tasks = Mutex<[Task<Void, Never>]>([])
    let result: T? = await withCheckedContinuation { continuation in
        slot.withLock { $0 = continuation }
        let resume: @Sendable (T?) -> Void = { value in
            slot.withLock { pending in
                pending?.resume(returning: value)
                pending = nil
            }
        }
        let work = Task { resume(await operation()) }
        let timer = Task {
            try? await Task.sleep(for: limit)
            resume(nil)
        }
        tasks.withLock { $0 = [work, timer] }
    }
    for task in tasks.withLock({ $0 }) { task.cancel() }
    return result
}
