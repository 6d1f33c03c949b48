/// The files of one test server, all inside its private temporary directory.
struct ServerLayout: Sendable {
    /// Path of the `redis-server` binary.
    let executable: String
    /// The private temporary directory (also redis' `dir`).
    let directory: String

    var configurationFile: String { "\(directory)/redis.conf" }
    var logFile: LogFile { LogFile(path: "\(directory)/redis.log") }
    var unixSocketPath: String { "\(directory)/redis.sock" }
}
