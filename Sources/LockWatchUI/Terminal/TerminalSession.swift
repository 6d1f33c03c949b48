import Foundation
import Synchronization

/// What the terminal thread reports.
enum TerminalEvent: Sendable, Equatable {
    /// The terminal is ours; this is its size.
    case ready(width: Int, height: Int)
    /// A key.
    case key(KeyPress)
    /// The terminal is now this size.
    case resized(width: Int, height: Int)
    /// The terminal could not be taken over.
    case failed(String)
}

/// Runs a ``TerminalScreen`` on a dedicated thread, because ncurses is not thread-safe and a
/// blocking read must not hold up the async executor. The thread paints the latest frame,
/// reads the keys waiting, then sleeps in `poll` until a key arrives, ``show(_:)`` hands it a
/// new frame (through a wake-up pipe, so a frame is painted at once rather than after the
/// read times out) or 30 ms pass. Keys reach the async side through the callback. ``stop()``
/// waits until the terminal has been given back.
final class TerminalSession: Sendable {
    private let pendingFrame = Mutex<CellGrid?>(nil)
    private let wake = WakePipe()
    private let stopRequested = Atomic<Bool>(false)
    private let completion = Mutex<Completion>(Completion())

    private struct Completion {
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Starts the terminal thread; `onEvent` is called on it.
    func start(onEvent: @escaping @Sendable (TerminalEvent) -> Void) {
        let thread = Thread { [self] in
            self.run(onEvent: onEvent)
        }
        thread.name = "lockwatch-terminal"
        thread.start()
    }

    /// Paints `grid` at the next chance (a newer frame replaces one not yet painted).
    func show(_ grid: CellGrid) {
        pendingFrame.withLock { $0 = grid }
        wake.signal()
    }

    /// Asks the thread to give the terminal back and waits until it has.
    func stop() async {
        stopRequested.store(true, ordering: .releasing)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = completion.withLock { state -> Bool in
                if state.finished { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func run(onEvent: @Sendable (TerminalEvent) -> Void) {
        defer { finish() }
        let screen: TerminalScreen
        do {
            screen = try TerminalScreen(inputTimeoutMilliseconds: 0)
        } catch {
            onEvent(.failed(error.description))
            return
        }
        defer { screen.close() }
        onEvent(.ready(width: screen.width, height: screen.height))
        while !stopRequested.load(ordering: .acquiring) {
            if let frame = pendingFrame.withLock({ frame -> CellGrid? in
                defer { frame = nil }
                return frame
            }) {
                screen.paint(frame)
            }
            switch screen.read() {
            case .key(let key): onEvent(.key(key))
            case .resize: onEvent(.resized(width: screen.width, height: screen.height))
            case nil: wake.wait(orInputOn: STDIN_FILENO, milliseconds: 30)  // nothing waiting
            }
        }
    }

    private func finish() {
        let waiters = completion.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
