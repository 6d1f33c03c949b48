import Foundation
import Glibc

/// Launches long-running helper processes (redis-server, codis-proxy, nutcracker…) with
/// stdin from /dev/null and stdout and stderr appended to a log file.
enum LoggedProcess {
    /// Starts `executable` with `arguments` in `directory`, appending its output to `logPath`,
    /// with every signal unblocked (Swift's threads block most, and a child inherits that).
    static func launch(executable: String, arguments: [String], directory: String, logPath: String) throws(RedisServerError) -> Process {
        let descriptor = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .system("open(\(logPath))", errno: errno) }
        let logHandle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        defer { try? logHandle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
        do {
            try SignalMask.withAllSignalsUnblocked { try process.run() }
        } catch {
            throw RedisServerError("could not launch \(executable): \(error)")
        }
        return process
    }
}
