package import Foundation
import Glibc
import RedisTestSupport
import Synchronization
package import Testing

/// Finds the `lockwatch` executable built next to the test bundle.
package enum LockwatchBinary {
    /// Searches upward from the test executable (and the main bundle) for a directory that
    /// holds an executable `lockwatch`, which works for `.build/<config>/` as well as a custom
    /// `--scratch-path`. Fails the test, telling to run `swift build`, when there is none.
    package static func path(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        var starts: [URL] = [URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()]
        starts.append(Bundle.main.bundleURL.resolvingSymlinksInPath())
        if let executable = Bundle.main.executableURL { starts.append(executable.resolvingSymlinksInPath()) }
        let fileManager = FileManager.default
        var searched: [String] = []
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<8 {
                let candidate = directory.appendingPathComponent("lockwatch").path
                searched.append(candidate)
                var isDirectory: ObjCBool = false
                if fileManager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                   fileManager.isExecutableFile(atPath: candidate) {
                    return candidate
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        Issue.record(
            "the lockwatch executable was not found next to the test bundle; run `swift build` (or `swift test`, which builds it) first. Searched: \(searched.joined(separator: ", "))",
            sourceLocation: sourceLocation)
        throw LockwatchNotFound()
    }

    package struct LockwatchNotFound: Error {}
}

/// A running `lockwatch` (or other) process whose output goes to files, so nothing blocks on
/// full pipes; waiting for it is asynchronous.
package final class SpawnedProcess: Sendable {
    package let process: Process
    package let standardOutputPath: String
    package let standardErrorPath: String
    private let exit = Locked<Int32?>(nil)

    /// Starts `executable` with `arguments`; extra environment is added to ours.
    package init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String) throws {
        let id = UUID().uuidString.prefix(8)
        standardOutputPath = directory + "/out-\(id).txt"
        standardErrorPath = directory + "/err-\(id).txt"
        _ = FileManager.default.createFile(atPath: standardOutputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: standardErrorPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var fullEnvironment = ProcessInfo.processInfo.environment
        fullEnvironment["REDIS_URL"] = nil
        fullEnvironment["REDIS_PASSWORD"] = nil
        // A crashing child should exit at once rather than spend seconds symbolicating.
        fullEnvironment["SWIFT_BACKTRACE"] = "enable=no"
        for (key, value) in environment { fullEnvironment[key] = value }
        process.environment = fullEnvironment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: standardOutputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: standardErrorPath))
        let exit = self.exit
        process.terminationHandler = { process in
            let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
            exit.withLock { $0 = status }
        }
        try SignalMask.withAllSignalsUnblocked { try process.run() }
    }

    package var pid: Int32 { process.processIdentifier }

    /// The exit status (128 + N when killed by signal N) once it has exited.
    package var exitStatus: Int32? { exit.value }

    package var hasExited: Bool { exitStatus != nil }

    /// Waits (polling) for the exit status for at most `timeout`; on timeout records an
    /// issue, kills the process and returns `nil`.
    package func waitForExit(timeout: Duration, sourceLocation: SourceLocation = #_sourceLocation) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(5))
        }
        if let status = exitStatus { return status }
        Issue.record("process \(process.arguments ?? []) did not exit within \(timeout); killed it. stderr: \(standardError)", sourceLocation: sourceLocation)
        killIfRunning()
        return nil
    }

    package func send(_ signal: Int32) {
        if !hasExited { kill(pid, signal) }
    }

    /// SIGKILL, if it still runs (clean-up after a failed test).
    package func killIfRunning() {
        if !hasExited && process.isRunning { kill(pid, SIGKILL) }
    }

    package var standardOutput: String { (try? String(contentsOfFile: standardOutputPath, encoding: .utf8)) ?? "" }
    package var standardError: String { (try? String(contentsOfFile: standardErrorPath, encoding: .utf8)) ?? "" }
}

/// Runs `lockwatch ARGUMENTS` to completion (bounded) and returns its status and output.
package func runLockwatch(
    _ arguments: [String],
    environment: [String: String] = [:],
    in directory: String,
    timeout: Duration = .seconds(20),
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> (status: Int32?, stdout: String, stderr: String) {
    let process = try SpawnedProcess(try LockwatchBinary.path(sourceLocation: sourceLocation), arguments, environment: environment, directory: directory)
    let status = await process.waitForExit(timeout: timeout, sourceLocation: sourceLocation)
    return (status, process.standardOutput, process.standardError)
}

/// A private temporary directory, removed by `remove()`.
package struct ScratchDirectory: Sendable {
    package let path: String

    package init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("redislock-tests-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    package func file(_ name: String) -> String { path + "/" + name }
}

/// Whether process `pid` exists (a zombie counts until reaped).
package func processExists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
}

/// The state letter of `/proc/PID/stat` (`T` when stopped), or `nil` when it is gone.
package func processState(_ pid: Int32) -> Character? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    return stat[close...].dropFirst(2).first
}

/// Writes `text` as a lockwatch config file in `scratch` and returns its path.
package func contextConfigFile(_ text: String, in scratch: ScratchDirectory, name: String = "config.toml") throws -> String {
    let path = scratch.file(name)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
