import Foundation
import Glibc

/// Reads a process' scheduler state, so ``RedisServer/pause()`` can return only once the
/// SIGSTOP has actually taken effect (signal delivery is asynchronous).
enum ProcessState {
    /// Waits (up to `timeout`) until the process is stopped or has gone away.
    static func waitUntilStopped(_ processIdentifier: Int32, timeout: Duration = .seconds(2)) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let state = state(of: processIdentifier), state != "T", state != "t" else { return }
            usleep(1_000)
        }
    }

    /// The state letter from `/proc/PID/stat`, or `nil` if unavailable (no procfs, process gone).
    private static func state(of processIdentifier: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(processIdentifier)/stat", encoding: .utf8),
              let endOfName = stat.range(of: ") ", options: .backwards)
        else { return nil }
        return stat[endOfName.upperBound...].first
    }
}
