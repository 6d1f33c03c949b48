import Foundation
import Glibc

/// Stops redis-server child processes and waits until Foundation has reaped them.
enum ProcessTermination {
    /// SIGTERM (plus SIGCONT in case it is paused), wait up to `grace`, then SIGKILL and wait.
    static func terminate(_ process: Process, grace: Duration = .seconds(5)) async {
        let processIdentifier = process.processIdentifier
        if process.isRunning {
            Glibc.kill(processIdentifier, SIGTERM)
            Glibc.kill(processIdentifier, SIGCONT)
        }
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline {
            await Polling.sleep(milliseconds: 10)
        }
        if process.isRunning {
            kill(process)
        }
        ProcessRegistry.unregister(processIdentifier: processIdentifier)
    }

    /// SIGKILL and block until the process has been reaped (bounded to `timeout`).
    static func kill(_ process: Process, timeout: Duration = .seconds(5)) {
        let processIdentifier = process.processIdentifier
        if process.isRunning {
            Glibc.kill(processIdentifier, SIGKILL)
        }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            usleep(2_000)
        }
        ProcessRegistry.unregister(processIdentifier: processIdentifier)
    }
}

/// Short sleeps for polling loops that keep working when the task is cancelled.
enum Polling {
    static func sleep(milliseconds: Int) async {
        do {
            try await Task.sleep(for: .milliseconds(milliseconds))
        } catch {
            // Cancelled: still wait, or the polling loop would spin.
            usleep(useconds_t(milliseconds * 1_000))
        }
    }
}
