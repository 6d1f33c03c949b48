/// An error from the Redis client or the RESP codec: a stable ``Code`` to match on, a message
/// that says what happened and what to do, and the underlying error when there is one.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Match on it; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidURL, invalidConfiguration, protocolViolation, limitExceeded
            case unexpectedReply, serverError, connectionFailed, connectionClosed
            case timeout, cancelled, authenticationFailed, permissionDenied, tlsFailure
            case clientShutDown
            case crossSlot, clusterDown
        }
        private let base: Base

        /// A URL that cannot be parsed; the message names the part that is wrong.
        public static let invalidURL = Code(base: .invalidURL)
        /// A configuration value that is out of range or contradicts another.
        public static let invalidConfiguration = Code(base: .invalidConfiguration)
        /// The server sent bytes that are not valid RESP.
        public static let protocolViolation = Code(base: .protocolViolation)
        /// A reply is bigger or deeper than the configured ``RESPLimits`` allow.
        public static let limitExceeded = Code(base: .limitExceeded)
        /// A reply had a different type or shape than the caller asked for.
        public static let unexpectedReply = Code(base: .unexpectedReply)
        /// The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`, …).
        public static let serverError = Code(base: .serverError)
        /// A connection could not be established.
        public static let connectionFailed = Code(base: .connectionFailed)
        /// The connection closed or reset while the command was pending.
        public static let connectionClosed = Code(base: .connectionClosed)
        /// The command did not complete within its timeout.
        public static let timeout = Code(base: .timeout)
        /// The calling Task was cancelled.
        public static let cancelled = Code(base: .cancelled)
        /// Wrong user name or password (`WRONGPASS`, `NOAUTH`).
        public static let authenticationFailed = Code(base: .authenticationFailed)
        /// The ACL user may not run this command or touch this key (`NOPERM`).
        public static let permissionDenied = Code(base: .permissionDenied)
        /// The TLS handshake or certificate setup failed.
        public static let tlsFailure = Code(base: .tlsFailure)
        /// The client was shut down; no further commands are accepted.
        public static let clientShutDown = Code(base: .clientShutDown)
        /// A cluster command's keys hash to different slots (`CROSSSLOT`); give them one
        /// `{hash tag}`.
        public static let crossSlot = Code(base: .crossSlot)
        /// The cluster kept answering `CLUSTERDOWN`, `TRYAGAIN` or `LOADING`, redirecting, or
        /// could not be reached, for longer than the client's retry budget.
        public static let clusterDown = Code(base: .clusterDown)

        /// The code's name, for logs.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human-readable explanation, naming what to do where possible.
    public var message: String
    /// The lower-level error that caused this one, if any.
    public var underlying: (any Error)?

    /// Makes an error from a code, a message and an optional cause.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// `code: message`, plus the underlying error when there is one.
    public var description: String {
        if let underlying { return "\(code): \(message) (\(underlying))" }
        return "\(code): \(message)"
    }
}

extension RedisError {
    /// For ``Code/serverError`` and its refinements: the error's prefix word as the server sent
    /// it (`ERR`, `WRONGTYPE`, `NOSCRIPT`, `NOPERM`, `MOVED`, …), otherwise `nil`.
    public var serverErrorPrefix: Substring? {
        guard code == .serverError || code == .permissionDenied || code == .authenticationFailed,
              let word = message.split(separator: " ", maxSplits: 1).first else { return nil }
        return word
    }

    /// Classifies an error reply's text into the most specific code.
    package static func fromServer(message: String) -> RedisError {
        if message.hasPrefix("NOPERM") { return RedisError(.permissionDenied, message) }
        if message.hasPrefix("WRONGPASS") || message.hasPrefix("NOAUTH") {
            return RedisError(.authenticationFailed, message)
        }
        return RedisError(.serverError, message)
    }
}
