import Foundation
import LockWatchUI
import Logging
import Synchronization

/// Sends the libraries' log messages to stderr (stdout stays clean for `list --json` and the
/// command being held), escaped like every other message. By default only warnings show, as
/// `lockwatch: warning: …`, and connection attempts not at all (the command reports a
/// connection failure itself, in one line); `--verbose` shows everything from debug up, with
/// timestamps.
enum LogSetup {
    /// The label of the loggers the Redis clients of the commands use.
    static let connectionLabel = "lockwatch.connection"

    /// The logger for the commands' Redis clients.
    static var connectionLogger: Logger { Logger(label: connectionLabel) }

    private static let verbose = Atomic<Bool>(false)

    /// Whether `--verbose` was given.
    static var isVerbose: Bool { verbose.load(ordering: .relaxed) }

    /// Called once the command line is parsed.
    static func setVerbose(_ on: Bool) {
        verbose.store(on, ordering: .relaxed)
    }

    static func bootstrap() {
        LoggingSystem.bootstrap { label in MessageLogHandler(label: label) }
    }
}

/// Writes one escaped line per message to stderr; its level follows `--verbose`.
struct MessageLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]

    /// Follows ``LogSetup/isVerbose`` (set after the loggers may have been made).
    var logLevel: Logger.Level {
        get {
            if LogSetup.isVerbose { return .debug }
            return label == LogSetup.connectionLabel ? .error : .warning
        }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let details = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let text = "\(event.message)" + (details.isEmpty ? "" : " (\(details))")
        if LogSetup.isVerbose {
            let stamp = Date().ISO8601Format()
            printError("\(stamp) \(event.level) \(label): \(TerminalText.sanitize(text))")
        } else {
            printError("\(event.level): \(TerminalText.sanitize(text))")
        }
    }
}
