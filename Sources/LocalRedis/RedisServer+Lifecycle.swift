import Foundation
import Glibc

extension RedisServer {
    /// How many fresh ports ``start(_:)`` tries when the chosen one is taken meanwhile.
    private static let portAttempts = 5

    /// Starts a server and waits (up to 10 s) until it answers.
    ///
    /// Picks a free port on 127.0.0.1 and retries with another one if the port was taken
    /// before redis-server could bind it.
    /// - Throws: ``RedisServerError`` when redis-server is missing, the options are
    ///   inconsistent, or the server does not become ready (the error includes the log tail).
    public static func start(_ options: Options = Options()) async throws -> RedisServer {
        try options.validate()
        let executable = try Executables.redisServer()
        let certificates = options.tls == .off ? nil : options.certificates
        let directory = try TemporaryDirectory.make()
        let launcher = ServerLauncher(
            layout: ServerLayout(executable: executable, directory: directory),
            options: options,
            certificates: certificates
        )
        do {
            var lastLog = ""
            for _ in 1...portAttempts {
                let port = options.tcp ? try FreePort.find() : 0
                switch try await launcher.launch(port: port) {
                case .ready(let process):
                    return RedisServer(launcher: launcher, port: port, process: process)
                case .portInUse(let logTail):
                    lastLog = logTail
                }
            }
            throw RedisServerError.startupFailed(
                "could not bind a free port in \(portAttempts) attempts", logTail: lastLog
            )
        } catch {
            TemporaryDirectory.remove(directory)
            throw error
        }
    }

    /// Stops the server: SIGTERM, wait up to 5 s (then SIGKILL), reap it, delete the directory.
    ///
    /// Idempotent; after it the server cannot be restarted.
    public func stop() async {
        let (process, wasStopped) = takeProcess(markingStopped: true)
        if let process {
            await ProcessTermination.terminate(process)
        }
        if !wasStopped {
            TemporaryDirectory.remove(directory)
        }
    }

    /// Kills the process with SIGKILL right away and reaps it. The directory is kept and the
    /// server stays down until ``restart()``.
    public func kill() {
        if let process = takeProcess().process {
            ProcessTermination.kill(process)
        }
    }

    /// Starts the server again on the same port and socket with the same configuration and
    /// waits until it answers. A running server is terminated first; data is not persisted,
    /// so the new server starts empty.
    ///
    /// Retries for about 3 s if the port is momentarily taken.
    /// - Throws: ``RedisServerError`` if the server was stopped, the port stays taken,
    ///   or the server does not become ready.
    public func restart() async throws {
        let (process, wasStopped) = takeProcess()
        if wasStopped {
            throw RedisServerError("cannot restart a RedisServer after stop() (directory \(directory) is gone)")
        }
        if let process {
            await ProcessTermination.terminate(process)
        }
        let deadline = ContinuousClock.now + .seconds(3)
        while true {
            switch try await launcher.launch(port: port) {
            case .ready(let newProcess):
                guard install(newProcess) else {
                    ProcessTermination.kill(newProcess)
                    throw RedisServerError("RedisServer was stopped or restarted concurrently with restart()")
                }
                return
            case .portInUse(let logTail):
                if ContinuousClock.now >= deadline {
                    throw RedisServerError.startupFailed("could not bind port \(port) again within 3 s", logTail: logTail)
                }
                await Polling.sleep(milliseconds: 50)
            }
        }
    }

    /// Suspends the process with SIGSTOP and returns once it is stopped: connections stay
    /// open but nothing is answered until ``resume()``.
    public func pause() {
        guard let process = currentProcess(), process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGSTOP)
        ProcessState.waitUntilStopped(process.processIdentifier)
    }

    /// Resumes a process suspended by ``pause()`` with SIGCONT.
    public func resume() {
        guard let process = currentProcess(), process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGCONT)
    }
}
