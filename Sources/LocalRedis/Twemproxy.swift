import Foundation

/// A real twemproxy (Debian's `nutcracker`) for tests, in front of `backends` redis-servers
/// (each a ``RedisServer``), configured as a client needs it: `redis: true`, `hash_tag: "{}"`
/// (every key of one script shares its tag, so one backend runs it), ketama distribution,
/// no host ejection. Its stats port answers on loopback (see ``poolStatistic(_:)``).
///
/// Prefer ``withTwemproxy(backends:isolation:_:)``, which always stops every process.
public final class Twemproxy: Sendable {
    /// The redis-servers behind the proxy.
    public let backends: [RedisServer]
    /// The port clients connect to.
    public let port: Int
    /// The stats port (JSON on connect, refreshed every 100 ms).
    public let statsPort: Int
    /// The private directory: configuration and log.
    public let directory: String
    private let process: ProxyProcess

    /// The name of the pool in the configuration.
    public static let poolName = "lockwatch"

    /// `redis://127.0.0.1:PORT`: the proxy.
    public var url: String { "redis://127.0.0.1:\(port)" }

    private init(backends: [RedisServer], port: Int, statsPort: Int, directory: String, process: ProxyProcess) {
        self.backends = backends
        self.port = port
        self.statsPort = statsPort
        self.directory = directory
        self.process = process
    }

    /// Starts `backends` redis-servers and nutcracker in front of them, and waits until the
    /// proxy answers `PING`.
    /// - Throws: ``RedisServerError`` when nutcracker is missing (`apt-get install nutcracker`)
    ///   or does not start (the message includes its log).
    public static func start(backends count: Int = 2) async throws -> Twemproxy {
        let executable = try ProxyTools.locate("nutcracker", aptPackages: "nutcracker")
        var backends: [RedisServer] = []
        let directory = try TemporaryDirectory.make(prefix: "twemproxy-test-")
        do {
            for _ in 0 ..< count { backends.append(try await RedisServer.start()) }
            let port = try FreePort.find()
            let statsPort = try FreePort.find()
            let configuration = "\(directory)/nutcracker.yml"
            let servers = backends.enumerated().map { "    - 127.0.0.1:\($1.port):1 backend\($0 + 1)" }
            let text = """
                \(poolName):
                  listen: 127.0.0.1:\(port)
                  hash: murmur
                  hash_tag: "{}"
                  distribution: ketama
                  redis: true
                  auto_eject_hosts: false
                  timeout: 5000
                  servers:
                \(servers.joined(separator: "\n"))

                """
            do {
                try text.write(toFile: configuration, atomically: true, encoding: .utf8)
            } catch {
                throw RedisServerError("could not write \(configuration): \(error)")
            }
            let process = try ProxyProcess.launch(
                "nutcracker", executable: executable,
                arguments: [
                    "-c", configuration, "-o", "\(directory)/nutcracker.log", "-s", String(statsPort), "-a", "127.0.0.1",
                    "-i", "100", "-p", "\(directory)/nutcracker.pid",
                ],
                directory: directory)
            let proxy = Twemproxy(backends: backends, port: port, statsPort: statsPort, directory: directory, process: process)
            let cli = try ProxyTools.locate("redis-cli", aptPackages: "redis-tools")
            try await ProxyTools.poll("nutcracker answers PING on port \(port)", limit: .seconds(10)) {
                guard process.isRunning else { throw process.exited() }
                return try ProcessRunner.run(cli, ["-p", String(port), "PING"]).standardOutput.hasPrefix("PONG")
            }
            return proxy
        } catch {
            for backend in backends { await backend.stop() }
            TemporaryDirectory.remove(directory)
            throw error
        }
    }

    /// The backend that stores `key`: the one where it exists (ask after writing it).
    public func backend(holding key: String) throws -> RedisServer? {
        try backends.first { try $0.cli(["EXISTS", key]) == "1" }
    }

    /// A pool-level counter from the stats port, e.g. `client_err` (connections twemproxy
    /// closed because of a request it could not parse or does not know) or
    /// `client_connections`. The stats are aggregated every 100 ms: poll for a change.
    public func poolStatistic(_ name: String) throws -> Int? {
        let text = try StatsReader.read(port: statsPort)
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let pool = object[Self.poolName] as? [String: Any]
        else { throw RedisServerError("nutcracker's stats are not the expected JSON: \(text.prefix(200))") }
        return (pool[name] as? NSNumber)?.intValue
    }

    /// Stops nutcracker and the backends, and deletes the directory.
    public func stop() async {
        await process.stop()
        for backend in backends { await backend.stop() }
        TemporaryDirectory.remove(directory)
    }
}
