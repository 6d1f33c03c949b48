import Foundation
import Glibc

/// Starts one redis-server process and waits until it serves requests.
struct ServerLauncher: Sendable {
    /// How a launch attempt ended, when it did not throw.
    enum Outcome {
        /// The server is up and answering.
        case ready(Process)
        /// The port was taken by someone else; the process has exited. Try again.
        case portInUse(logTail: String)
    }

    let layout: ServerLayout
    let options: RedisServer.Options
    let certificates: ServerCertificates?
    var readinessTimeout: Duration = .seconds(10)

    /// Writes the configuration for `port`, starts redis-server and waits for readiness.
    func launch(port: Int) async throws(RedisServerError) -> Outcome {
        let configuration = ConfigurationFile.render(
            options: options, layout: layout, port: port, certificates: certificates
        )
        do {
            try configuration.write(toFile: layout.configurationFile, atomically: true, encoding: .utf8)
        } catch {
            throw RedisServerError("could not write \(layout.configurationFile): \(error)")
        }

        let log = layout.logFile
        let logOffset = log.size()
        let process = try spawn(logPath: log.path)
        ProcessRegistry.register(processIdentifier: process.processIdentifier)

        let deadline = ContinuousClock.now + readinessTimeout
        while true {
            let running = process.isRunning
            let output = log.contents(from: logOffset)
            if Self.indicatesPortInUse(output) {
                await ProcessTermination.terminate(process)
                return .portInUse(logTail: log.tail(from: logOffset))
            }
            if !running {
                ProcessRegistry.unregister(processIdentifier: process.processIdentifier)
                throw .startupFailed(
                    "exited with status \(process.terminationStatus) before it was ready",
                    logTail: log.tail(from: logOffset)
                )
            }
            // A Sentinel never logs "ready to accept connections"; it logs its ID once it listens.
            let readyLine = options.sentinel ? "Sentinel ID is" : "ready to accept connections"
            if output.range(of: readyLine, options: .caseInsensitive) != nil, probe(port: port) {
                return .ready(process)
            }
            if ContinuousClock.now >= deadline {
                ProcessTermination.kill(process)
                throw .startupFailed(
                    "was not ready within \(readinessTimeout) (port \(port), directory \(layout.directory))",
                    logTail: log.tail(from: logOffset)
                )
            }
            await Polling.sleep(milliseconds: 10)
        }
    }

    /// Launches the process with stdout and stderr appended to the log file.
    private func spawn(logPath: String) throws(RedisServerError) -> Process {
        try LoggedProcess.launch(
            executable: layout.executable, arguments: [layout.configurationFile] + (options.sentinel ? ["--sentinel"] : []),
            directory: layout.directory, logPath: logPath)
    }

    /// A TLS listener only gets a connect check; plaintext endpoints must answer PING.
    private func probe(port: Int) -> Bool {
        if options.tcp {
            return options.tls == .off
                ? SocketProbe.ping(.tcp(port: port))
                : SocketProbe.canConnect(to: .tcp(port: port))
        }
        return SocketProbe.ping(.unix(path: layout.unixSocketPath))
    }

    private static func indicatesPortInUse(_ log: String) -> Bool {
        log.contains("Address already in use") || log.contains("Failed listening on port")
    }
}
