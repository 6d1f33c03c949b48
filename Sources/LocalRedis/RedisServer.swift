import Foundation
import Synchronization

/// A real `redis-server` process for tests, running from a private temporary directory
/// with a generated `redis.conf` (no persistence, bound to 127.0.0.1).
///
/// Start one with ``start(_:)`` or, preferably, ``withRedisServer(_:isolation:_:)``, which
/// always stops it. ``stop()`` terminates the process and deletes the directory; if it is
/// never called, `deinit` kills the process and deletes the directory as a fallback, and an
/// `atexit` handler does the same for servers that are still alive when the test process ends.
public final class RedisServer: Sendable {
    private struct State {
        /// The running process; `nil` while the server is down (after ``kill()``) or stopped.
        var process: Process?
        /// The identifier of the most recently launched process.
        var processIdentifier: Int32
        /// Set by ``stop()``; the directory is gone and the server cannot be restarted.
        var isStopped = false
    }

    private let state: Mutex<State>
    let launcher: ServerLauncher

    /// The TCP port (the TLS port when TLS is on); stays the same across ``restart()``.
    /// `0` for a unix-socket-only server.
    public let port: Int

    /// The address the server listens on: always `"127.0.0.1"`.
    public var host: String { SocketAddress.loopback }

    /// Path of the unix socket, when ``Options/unixSocket`` is set.
    public var unixSocketPath: String? { launcher.options.unixSocket ? launcher.layout.unixSocketPath : nil }

    /// The server's private temporary directory (its `dir`), deleted by ``stop()``.
    public var directory: String { launcher.layout.directory }

    /// Path of the server log (redis-server's stdout and stderr, kept across restarts).
    public var logFilePath: String { launcher.layout.logFile.path }

    /// The options the server was started with.
    public var options: Options { launcher.options }

    /// A URL without credentials: `redis://127.0.0.1:PORT`, `rediss://127.0.0.1:PORT` with TLS,
    /// or `unix://PATH` for a unix-socket-only server.
    public var url: String {
        if !launcher.options.tcp, let unixSocketPath {
            return "unix://\(unixSocketPath)"
        }
        let scheme = launcher.options.tls == .off ? "redis" : "rediss"
        return "\(scheme)://\(host):\(port)"
    }

    /// The CA, server and client certificates when TLS is on; `nil` otherwise.
    public var certificates: ServerCertificates? { launcher.certificates }

    /// The process identifier of the most recently launched redis-server
    /// (it may have exited, e.g. after ``kill()``).
    public var pid: Int32 { state.withLock { $0.processIdentifier } }

    /// Whether the redis-server process is currently alive (it may be paused).
    public var isRunning: Bool { state.withLock { $0.process?.isRunning ?? false } }

    init(launcher: ServerLauncher, port: Int, process: Process) {
        self.launcher = launcher
        self.port = port
        state = Mutex(State(process: process, processIdentifier: process.processIdentifier))
    }

    deinit {
        let (process, wasStopped) = state.withLock { ($0.process, $0.isStopped) }
        if let process {
            ProcessTermination.kill(process)
        }
        if !wasStopped {
            TemporaryDirectory.remove(directory)
        }
    }

    /// Takes the process out of the state (marking the server down) and returns it.
    func takeProcess(markingStopped: Bool = false) -> (process: Process?, wasStopped: Bool) {
        state.withLock { state in
            let taken = (state.process, state.isStopped)
            state.process = nil
            if markingStopped { state.isStopped = true }
            return taken
        }
    }

    /// Installs a freshly launched process; `false` if the server was stopped or
    /// restarted concurrently in the meantime.
    func install(_ process: Process) -> Bool {
        state.withLock { state in
            guard !state.isStopped, state.process == nil else { return false }
            state.process = process
            state.processIdentifier = process.processIdentifier
            return true
        }
    }

    /// The running process, if any.
    func currentProcess() -> Process? {
        state.withLock { $0.process }
    }
}
