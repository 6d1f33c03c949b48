import NIOCore
import Synchronization

/// A one-slot wake-up: `signal()` wakes the waiter, or the next `wait` if none waits yet, so a
/// signal that arrives between two waits is not lost.
///
/// A wait is one continuation plus one event-loop timer: no child tasks, and a signal
/// resumes the waiter directly from whichever thread sends it.
final class WakeSignal: Sendable {
    private struct State {
        var signaled = false
        var waiter: CheckedContinuation<Void, Never>?
        var timer: Scheduled<Void>?
        /// Tells the current wait's timer from an earlier, already finished one.
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    private let eventLoop: any EventLoop

    /// A signal whose timeouts run on `eventLoop`.
    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Whether a wait is asleep now (for tests).
    var isWaiting: Bool {
        state.withLock { $0.waiter != nil }
    }

    /// Wakes the waiter (or the next one).
    func signal() {
        let (waiter, timer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Scheduled<Void>?) in
            guard let waiter = state.waiter else {
                state.signaled = true
                return (nil, nil)
            }
            defer { state.waiter = nil; state.timer = nil }
            return (waiter, state.timer)
        }
        timer?.cancel()
        waiter?.resume()
    }

    /// Returns when signalled, when `duration` has passed, or when the Task is cancelled.
    func wait(atMost duration: Duration) async {
        let pending = state.withLock { state in
            defer { state.signaled = false }
            return state.signaled
        }
        if pending || duration <= .zero { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.signaled || Task.isCancelled {
                        state.signaled = false
                        return true
                    }
                    state.generation &+= 1
                    let generation = state.generation
                    state.waiter = continuation
                    state.timer = eventLoop.scheduleTask(in: TimeAmount(duration)) { self.timeOut(generation) }
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.resumeWaiter()
        }
    }

    private func timeOut(_ generation: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation else { return nil }
            defer { state.waiter = nil; state.timer = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    private func resumeWaiter() {
        let (waiter, timer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Scheduled<Void>?) in
            defer { state.waiter = nil; state.timer = nil }
            return (state.waiter, state.timer)
        }
        timer?.cancel()
        waiter?.resume()
    }
}
