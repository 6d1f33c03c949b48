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
        /// Something failed after the acquire was written (a closed connection, a timeout, an
        /// unreadable reply): the lock may or may not have been taken. The library then
        /// releases it best-effort, and a retry with the same token waits for that first.
        public static let outcomeUnknown = Code(name: "outcomeUnknown")
        /// The server refused the command (`NOPERM`, `OOM`, `READONLY`, `CROSSSLOT`, …).
        public static let refusedByServer = Code(name: "refusedByServer")
        /// Redis could not be reached, the connection failed before the command was sent, or
        /// the server was not ready (`LOADING`, `TRYAGAIN`, …): trying again later may succeed.
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

    /// Classifies a Redis error met during a lock operation. A server that is still loading
    /// its data or failing over (`LOADING`, `TRYAGAIN`, `BUSY`, `MASTERDOWN`, `CLUSTERDOWN`)
    /// is unavailable for now, not refusing: ``Code/connectionFailed``.
    static func from(_ error: RedisError, during operation: String) -> LockError {
        if error.isTransientServerError {
            return LockError(.connectionFailed, "\(operation) failed: the server is not ready (\(error.message.escapedForMessages)); try again shortly", underlying: error)
        }
        switch error.code {
        case .serverError, .permissionDenied, .authenticationFailed:
            return LockError(.refusedByServer, "the server refused \(operation): \(error.message.escapedForMessages)", underlying: error)
        default:
            return LockError(.connectionFailed, "\(operation) failed: \(error.message.escapedForMessages)", underlying: error)
        }
    }

    /// Whether trying again later may succeed: Redis was unreachable or not ready, or the
    /// acquire's outcome was unknown (its clean-up runs before the next try with its token).
    var isTransient: Bool {
        code == .connectionFailed || code == .outcomeUnknown
    }
}

extension RedisError {
    /// An error reply that a restarting or failing-over server sends for a while.
    var isTransientServerError: Bool {
        guard let prefix = serverErrorPrefix else { return false }
        return ["LOADING", "TRYAGAIN", "BUSY", "MASTERDOWN", "CLUSTERDOWN"].contains(prefix)
    }
}
