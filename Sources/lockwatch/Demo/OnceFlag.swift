import Dispatch
import Synchronization

/// True for the first caller of `claim()` only.
final class OnceFlag: Sendable {
    private let claimed = Atomic<Bool>(false)

    /// Whether this call is the first.
    func claim() -> Bool {
        !claimed.exchange(true, ordering: .acquiringAndReleasing)
    }
}

/// Keeps signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) private static var kept: [any DispatchSourceSignal] = []
    private static let lock = Mutex(())

    static func keep(_ sources: [any DispatchSourceSignal]) {
        lock.withLock { _ in kept.append(contentsOf: sources) }
    }
}
