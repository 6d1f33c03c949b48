import Foundation
import Glibc

/// A long-running helper process of a proxy setup (codis-dashboard, codis-proxy, nutcracker)
/// with stdout and stderr appended to a log file; registered so that a test process that
/// exits without stopping it still kills it.
struct ProxyProcess: Sendable {
    /// What the process is, for messages (e.g. `codis-proxy`).
    let name: String
    /// Where its stdout and stderr go.
    let logFile: LogFile
    private let process: Process

    /// Starts `executable` with `arguments` in `directory`, logging to `directory/name.out`.
    static func launch(_ name: String, executable: String, arguments: [String], directory: String) throws(RedisServerError) -> ProxyProcess {
        let log = LogFile(path: "\(directory)/\(name).out")
        let process = try LoggedProcess.launch(executable: executable, arguments: arguments, directory: directory, logPath: log.path)
        ProcessRegistry.register(processIdentifier: process.processIdentifier)
        return ProxyProcess(name: name, logFile: log, process: process)
    }

    /// Whether the process is still alive.
    var isRunning: Bool { process.isRunning }

    /// An error saying the process exited, with its log tail.
    func exited() -> RedisServerError {
        RedisServerError("\(name) exited with status \(process.terminationStatus)\n--- last lines of its log ---\n\(logFile.tail(from: 0))")
    }

    /// SIGTERM, then SIGKILL after `grace`, and reaps it.
    func stop(grace: Duration = .seconds(5)) async {
        await ProcessTermination.terminate(process, grace: grace)
    }
}

/// Locates the tools of the proxy setups, also in `/usr/sbin` (Debian's `nutcracker`).
enum ProxyTools {
    static func locate(_ name: String, aptPackages: String) throws(RedisServerError) -> String {
        var candidates = ["/usr/bin/\(name)", "/usr/sbin/\(name)"]
        if let path = ProcessInfo.processInfo.environment["PATH"] {
            candidates += path.split(separator: ":").map { "\($0)/\(name)" }
        }
        guard let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw .executableNotFound(name, aptPackages: aptPackages)
        }
        return found
    }

    /// Polls `condition` every 50 ms until it holds; throws naming `what` after `limit`.
    static func poll(_ what: String, limit: Duration, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while try !condition() {
            if ContinuousClock.now >= deadline { throw RedisServerError("timed out after \(limit): \(what)") }
            await Polling.sleep(milliseconds: 50)
        }
    }
}
