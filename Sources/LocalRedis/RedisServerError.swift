/// An error raised by the redis test harness: a missing tool, a server that did not
/// become ready, a failed `redis-cli` or `openssl` invocation, or invalid options.
///
/// The ``description`` is meant to be read by a human in a test failure; where it helps,
/// it includes the last lines of the server log or the failing command's output.
public struct RedisServerError: Error, CustomStringConvertible, Sendable {
    /// A human-readable explanation of what went wrong.
    public let message: String

    /// The same text as ``message``.
    public var description: String { message }

    package init(_ message: String) {
        self.message = message
    }
}

extension RedisServerError {
    static func executableNotFound(_ name: String, aptPackages: String) -> RedisServerError {
        RedisServerError("\(name) not found: install it with `sudo apt-get install -y \(aptPackages)`")
    }

    package static func system(_ call: String, errno code: Int32) -> RedisServerError {
        RedisServerError("\(call) failed: \(SystemErrorText.describe(code))")
    }

    static func startupFailed(_ reason: String, logTail: String) -> RedisServerError {
        let log = logTail.isEmpty ? "(the server log is empty)" : logTail
        return RedisServerError("redis-server \(reason)\n--- last lines of the server log ---\n\(log)")
    }
}
