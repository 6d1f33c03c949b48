import Logging

/// Sends the libraries' log messages to stderr at warning level, so stdout stays clean for
/// `list --json` and the command being held.
enum LogSetup {
    static func bootstrap() {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
    }
}
