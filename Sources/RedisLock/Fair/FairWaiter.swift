import Synchronization

/// One task waiting for a fair lock in this process: its wake-up signal and the record the
/// lock was handed to it with, once a hand-off message (or this process's own release)
/// delivered it.
final class FairWaiter: Sendable {
    /// Woken by a hand-off to this waiter, a release message, or its timers.
    let signal: WakeSignal
    private let granted = Mutex<String?>(nil)

    init(signal: WakeSignal) {
        self.signal = signal
    }

    /// Records that the lock was handed over with `value` and wakes the waiter.
    func deliver(_ value: String) {
        granted.withLock { $0 = value }
        signal.signal()
    }

    /// The record of a hand-off delivered since the last call, if any.
    func takeGrant() -> String? {
        granted.withLock { granted in
            defer { granted = nil }
            return granted
        }
    }
}
