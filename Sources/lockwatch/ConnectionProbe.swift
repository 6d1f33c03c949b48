import Logging
import RESP

/// A command's first contact with a server: connect (handshake included) and `PING`, tried
/// again after failures that may pass (refused, timed out, closed, `LOADING`, …) until a
/// deadline, so `hold --wait 10s` rides out a server that is briefly down or restarting.
///
/// The first attempt may take up to the URL's connect timeout even when the deadline is
/// sooner (so `--wait 0` still connects to a healthy server); later attempts only start
/// before the deadline and each ends by it.
enum ConnectionProbe {
    /// What a successful probe learned about the server.
    struct Reached: Sendable {
        /// The server says it is a cluster node (`cluster_enabled:1`).
        let isClusterNode: Bool
    }

    /// Probes the servers of `configurations` in turn (one is enough: a cluster's seeds)
    /// until one answers or `deadline` passes.
    static func reach(
        _ configurations: [RedisConfiguration],
        until deadline: ContinuousClock.Instant,
        logger: Logger
    ) async -> Result<Reached, ConnectFailure> {
        var pause = Duration.milliseconds(50)
        var attempts = 0
        while true {
            let configuration = configurations[attempts % configurations.count]
            var attempt = configuration
            if attempts >= configurations.count {
                attempt.connectTimeout = max(min(configuration.connectTimeout, deadline - .now), .milliseconds(100))
            }
            attempts += 1
            let failure: ConnectFailure
            switch await probeOnce(attempt) {
            case .success(let reached):
                return .success(reached)
            case .failure(let error):
                failure = ConnectFailure(
                    error, endpoint: configuration.endpoint.description, connectTimeout: attempt.connectTimeout)
            }
            logger.debug("connect attempt \(attempts) failed", metadata: ["endpoint": "\(configuration.endpoint)", "error": "\(failure.detail)"])
            guard failure.isTransient else { return .failure(failure) }
            if attempts % configurations.count == 0 {
                guard deadline - .now > pause else { return .failure(failures(failure, attempts: attempts)) }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(1))
            }
        }
    }

    /// The failure to report: the last one, saying how long it was tried when more than once.
    private static func failures(_ last: ConnectFailure, attempts: Int) -> ConnectFailure {
        guard attempts > 1 else { return last }
        return ConnectFailure(
            message: last.message + " (tried \(attempts) times within --wait)",
            exitCode: last.exitCode, isTransient: last.isTransient, detail: last.detail)
    }

    private static func probeOnce(_ configuration: RedisConfiguration) async -> Result<Reached, RedisError> {
        let connection: RedisConnection
        do throws(RedisError) {
            connection = try await RedisConnection.connect(configuration)
        } catch {
            return .failure(error)
        }
        let result = await check(connection, timeout: configuration.connectTimeout)
        await connection.close()
        return result
    }

    private static func check(_ connection: RedisConnection, timeout: Duration) async -> Result<Reached, RedisError> {
        do throws(RedisError) {
            // `LOADING` comes back to PING (not to the handshake) while a restarted server reads
            // its data.
            _ = try await connection.send(RESPCommand("PING"), timeout: timeout)
        } catch {
            // An ACL user without PING still shows the server answers.
            if error.code != .permissionDenied { return .failure(error) }
        }
        let info = try? await connection.send(RESPCommand("INFO", "cluster"), timeout: timeout).decode(as: String.self)
        return .success(Reached(isClusterNode: info?.contains("cluster_enabled:1") == true))
    }
}
