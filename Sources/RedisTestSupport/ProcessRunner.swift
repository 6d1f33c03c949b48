import Foundation
import Glibc
import Synchronization

/// The outcome of a finished child process.
struct ProcessResult: Sendable {
    let status: Int32
    let standardOutput: String
    let standardError: String
    let timedOut: Bool

    /// Both output streams, for error messages.
    var combinedOutput: String {
        [standardOutput, standardError]
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
    }
}

/// Runs short-lived tools (`redis-cli`, `openssl`) synchronously and captures their output.
enum ProcessRunner {
    /// Runs `executable` and waits for it; a process still running after `timeout` is killed.
    static func run(
        _ executable: String,
        _ arguments: [String],
        timeout: Duration = .seconds(10)
    ) throws(RedisServerError) -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw RedisServerError("could not launch \(executable): \(error)")
        }

        let watchdog = Watchdog(process: process, timeout: timeout)
        let errorReader = BackgroundReader(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errorReader.wait()
        process.waitUntilExit()
        let timedOut = watchdog.finish()

        return ProcessResult(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self),
            timedOut: timedOut
        )
    }
}

/// Reads a file handle to its end on a background queue, so two pipes can be drained at once.
private final class BackgroundReader: Sendable {
    private let group = DispatchGroup()
    private let data = Mutex(Data())

    init(_ handle: FileHandle) {
        group.enter()
        DispatchQueue.global().async { [self] in
            let read = handle.readDataToEndOfFile()
            data.withLock { $0 = read }
            group.leave()
        }
    }

    func wait() -> Data {
        group.wait()
        return data.withLock { $0 }
    }
}

/// Kills a child process that outlives its deadline.
private final class Watchdog: Sendable {
    private struct State {
        var finished = false
        var fired = false
    }

    private let state = Mutex(State())

    init(process: Process, timeout: Duration) {
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { [self] in
            state.withLock { state in
                guard !state.finished, process.isRunning else { return }
                state.fired = true
                Glibc.kill(process.processIdentifier, SIGKILL)
            }
        }
    }

    /// Disarms the watchdog; returns whether it had killed the process.
    func finish() -> Bool {
        state.withLock { state in
            state.finished = true
            return state.fired
        }
    }
}
