import Foundation
import Glibc
import RedisTestSupport

/// A command run by `lockwatch hold`, started with `posix_spawnp` so it gets a clean signal
/// mask and default signal handlers (Swift's worker threads block most signals, and a child
/// would inherit that), and shares our stdin, stdout and stderr.
struct ChildProcess: Sendable {
    /// The child's process id.
    let pid: pid_t

    /// Why a child could not start.
    struct SpawnError: Error {
        let code: Int32
        let message: String
    }

    /// Starts `arguments[0]` (looked up in `PATH`) with `environment` added to ours.
    static func spawn(_ arguments: [String], extraEnvironment: [String: String]) throws(SpawnError) -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extraEnvironment { environment[key] = value }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let result = CleanSpawnAttributes.with { attributes in
            posix_spawnp(&pid, arguments[0], nil, &attributes, argv, envp)
        }
        guard result == 0 else {
            throw SpawnError(code: result, message: String(cString: strerror(result)))
        }
        return ChildProcess(pid: pid)
    }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the child to end; returns its exit status, or 128 + the signal that killed it.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let pid = self.pid
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                let signal = status & 0x7F
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
            }
        }
    }
}
