import ArgumentParser
import Glibc
import LockWatchUI
import NIOCore
import NIOPosix
import RESP

/// A failed first contact with a server, as one line for the operator: what failed, where,
/// and what to do; the raw error only goes to `--verbose`.
struct ConnectFailure: Error {
    /// The line printed by default (already escaped for the terminal).
    let message: String
    /// The exit status it leads to.
    let exitCode: ExitCode
    /// Whether trying again later may succeed (the server is down, restarting or loading).
    let isTransient: Bool
    /// The error as the client reported it, for `--verbose`.
    let detail: String

    /// Server error prefixes a server sends while it cannot serve yet but will soon.
    static let transientServerErrors: Set<Substring> = ["LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN"]

    /// Makes a failure from its parts.
    init(message: String, exitCode: ExitCode, isTransient: Bool, detail: String) {
        self.message = message
        self.exitCode = exitCode
        self.isTransient = isTransient
        self.detail = detail
    }

    /// Classifies `error`, met while connecting to `endpoint` (within `connectTimeout`). A
    /// `rediss://` URL pointed at a plaintext port fails in RESP already, as a `tlsFailure`
    /// that says so.
    init(_ error: RedisError, endpoint: String, connectTimeout: Duration) {
        let endpoint = TerminalText.sanitize(endpoint)
        detail = TerminalText.sanitize(error.description)
        let said = TerminalText.sanitize(error.message)
        switch error.code {
        case .connectionFailed:
            message = "cannot connect to \(endpoint): \(Self.reason(error.underlying)); is redis-server running there?"
            exitCode = LockwatchExit.unavailable
            isTransient = true
        case .timeout:
            message = "\(endpoint) accepted the connection but did not answer within the connect timeout (\(connectTimeout)): is the server paused or overloaded, or not Redis? (set it with ?connect_timeout=… in the URL)"
            exitCode = LockwatchExit.unavailable
            isTransient = true
        case .connectionClosed:
            message = "\(endpoint) closed the connection during the handshake (a server restarting, or a port that expects TLS: then use rediss://)"
            exitCode = LockwatchExit.unavailable
            isTransient = true
        case .authenticationFailed, .permissionDenied:
            message = said
            exitCode = LockwatchExit.permission
            isTransient = false
        case .invalidURL, .invalidConfiguration:
            message = "--url: \(said)"
            exitCode = LockwatchExit.usage
            isTransient = false
        case .serverError where error.message.contains("DB index is out of range"):
            message = "--url: \(endpoint) has no such database (\(said)); the server's 'databases' setting limits the number"
            exitCode = LockwatchExit.usage
            isTransient = false
        case .serverError where error.serverErrorPrefix.map(Self.transientServerErrors.contains) == true:
            message = "\(endpoint) cannot serve yet: \(said)"
            exitCode = LockwatchExit.unavailable
            isTransient = true
        case .clusterDown:
            message = "\(endpoint): \(said)"
            exitCode = LockwatchExit.unavailable
            isTransient = true
        default:
            message = "cannot use \(endpoint): \(said)"
            exitCode = LockwatchExit.unavailable
            isTransient = false
        }
    }

    /// Why a socket could not be opened, in plain words (`connection refused`).
    private static func reason(_ error: (any Error)?) -> String {
        if let connectError = error as? NIOConnectionError {
            if let first = connectError.connectionErrors.first { return reason(first.error) }
            if connectError.dnsAAAAError != nil || connectError.dnsAError != nil { return "the host name could not be resolved" }
        }
        if let ioError = error as? IOError { return String(cString: strerror(ioError.errnoCode)).lowercased() }
        if let error, case ChannelError.connectTimeout = error { return "no answer to the connection attempt (timed out)" }
        return error.map { TerminalText.sanitize("\($0)") } ?? "unknown error"
    }

    /// Prints the line (and the detail with `--verbose`) and returns the exit status.
    func report() -> ExitCode {
        printError(message)
        if LogSetup.isVerbose { printError("detail: \(detail)") }
        return exitCode
    }
}
