public import RESP

/// A lock operation's failure: a ``Code`` to match on, a message that says what happened,
/// the holder when another client holds the lock, and the Redis error underneath.
public struct LockError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// Someone else holds the lock (see ``LockError/holder``).
        public static let notAcquired = Code(name: "notAcquired")
        /// `lock(…, wait:)` waited the whole time without getting the lock.
        public static let waitTimedOut = Code(name: "waitTimedOut")
        /// The lease ended before its holder released it (it expired or was taken over).
        public static let leaseLost = Code(name: "leaseLost")
        /// The connection failed while acquiring: the lock may or may not have been taken.
        /// The library then releases it best-effort.
        public static let outcomeUnknown = Code(name: "outcomeUnknown")
        /// The server refused the command (`NOPERM`, `OOM`, `READONLY`, `CROSSSLOT`, …).
        public static let refusedByServer = Code(name: "refusedByServer")
        /// Redis could not be reached or the connection failed.
        public static let connectionFailed = Code(name: "connectionFailed")
        /// The waiting Task was cancelled.
        public static let cancelled = Code(name: "cancelled")
        /// A name, token, owner or duration is not acceptable.
        public static let invalidArgument = Code(name: "invalidArgument")

        /// The code's name.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened and what to do.
    public var message: String
    /// Who holds the lock, for ``Code/notAcquired`` and ``Code/waitTimedOut``.
    public var holder: LockHolder?
    /// The Redis error underneath, if any.
    public var underlying: RedisError?

    /// Makes an error.
    public init(_ code: Code, _ message: String, holder: LockHolder? = nil, underlying: RedisError? = nil) {
        self.code = code
        self.message = message
        self.holder = holder
        self.underlying = underlying
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// Classifies a Redis error met during a lock operation.
    static func from(_ error: RedisError, during operation: String) -> LockError {
        switch error.code {
        case .serverError, .permissionDenied, .authenticationFailed:
            return LockError(.refusedByServer, "the server refused \(operation): \(error.message)", underlying: error)
        default:
            return LockError(.connectionFailed, "\(operation) failed: \(error.message)", underlying: error)
        }
    }
}
