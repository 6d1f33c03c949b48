import Foundation
import Glibc

/// The outcome of a finished child process.
public struct ProcessResult: Sendable {
    /// The exit status, or 128 + N when signal N ended the process.
    public let status: Int32
    /// Everything the process wrote to stdout.
    public let standardOutput: String
    /// Everything the process wrote to stderr.
    public let standardError: String
    /// Whether the process outlived its deadline and was killed.
    public let timedOut: Bool

    /// Both output streams, for error messages.
    public var combinedOutput: String {
        [standardOutput, standardError]
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
    }
}

/// Runs short-lived tools (`redis-cli`, `openssl`, `tmux`) synchronously and captures their
/// output.
///
/// It uses `posix_spawn` and `waitpid` rather than Foundation's `Process`: `Process` learns
/// that a child ended from a socket the child inherits, so a tool that leaves a daemon behind
/// (the first `tmux new-session` starts the tmux server) keeps that socket open and
/// `waitUntilExit` never returns. Here the child gets only stdin (`/dev/null`), stdout and
/// stderr (temporary files, so nothing blocks on a full pipe or waits for a daemon to close
/// one), an empty signal mask and default signal handlers.
public enum ProcessRunner {
    /// Runs `executable` and waits for it; a process still running after `timeout` is killed.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        timeout: Duration = .seconds(10)
    ) throws(RedisServerError) -> ProcessResult {
        let directory = try TemporaryDirectory.make(prefix: "redis-tool-")
        defer { TemporaryDirectory.remove(directory) }
        let outputPath = directory + "/stdout"
        let errorPath = directory + "/stderr"
        let pid = try spawn(executable, arguments, standardOutput: outputPath, standardError: errorPath)
        let (status, timedOut) = waitForExit(pid, timeout: timeout)
        return ProcessResult(
            status: status,
            standardOutput: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "",
            timedOut: timedOut
        )
    }

    /// Starts `executable` with only fds 0-2 open: `/dev/null` and the two output files.
    static func spawn(
        _ executable: String,
        _ arguments: [String],
        standardOutput: String,
        standardError: String
    ) throws(RedisServerError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        closeInheritedDescriptors(&actions)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let result = CleanSpawnAttributes.with { attributes in
            posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        }
        guard result == 0 else {
            throw RedisServerError("could not launch \(executable): \(SystemErrorText.describe(result))")
        }
        return pid
    }

    /// Adds a "close every descriptor from 3 up" action. glibc has it since 2.34 but its
    /// header hides it from Swift, so it is looked up at run time.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return
        }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }

    /// Reaps `pid`, killing it once `timeout` has passed; returns its status and whether it
    /// was killed for overrunning.
    static func waitForExit(_ pid: pid_t, timeout: Duration) -> (status: Int32, timedOut: Bool) {
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        var pause: useconds_t = 200
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped == -1 && errno != EINTR { return (-1, timedOut) }
            if !timedOut && ContinuousClock.now >= deadline {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        let signal = status & 0x7F
        return (signal == 0 ? (status >> 8) & 0xFF : 128 + signal, timedOut)
    }
}
