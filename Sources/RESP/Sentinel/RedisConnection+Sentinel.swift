import NIOCore

extension RedisConnection {
    /// Asks the Sentinels for the master's address, connects there and checks with `ROLE` that
    /// it is a master (a Sentinel can answer with the old address while a failover is still
    /// running). Fails with ``RedisError/Code/connectionFailed`` when no Sentinel knows the
    /// master or the server found is not one; the client's reconnect backoff then retries.
    static func connectThroughSentinel(
        _ configuration: RedisConfiguration,
        sentinel: RedisSentinelConfiguration,
        on group: any EventLoopGroup,
        subscriber: Bool
    ) async throws(RedisError) -> RedisConnection {
        let address = try await SentinelResolver.masterAddress(sentinel, configuration: configuration, on: group)
        var master = configuration
        master.endpoint = address
        master.sentinel = nil
        let connection = try await connect(master, on: group, subscriber: subscriber)
        let role: String?
        do {
            role = try await connection.send("ROLE").decode(as: [RESPToken].self).first?.decode(as: String.self)
        } catch {
            await connection.close()
            throw RedisError(.connectionFailed, "could not check the role of \(address), the master Sentinel named for '\(sentinel.masterName)': \(error.message)")
        }
        guard role == "master" else {
            await connection.close()
            throw RedisError(
                .connectionFailed,
                "\(address), named by Sentinel as master '\(sentinel.masterName)', is a \(role ?? "server of unknown role"): a failover is probably in progress; retrying")
        }
        return connection
    }
}

/// Finds a master's address by asking Sentinels.
enum SentinelResolver {
    /// Asks each Sentinel in turn; the first that names the master wins.
    static func masterAddress(
        _ sentinel: RedisSentinelConfiguration,
        configuration: RedisConfiguration,
        on group: any EventLoopGroup
    ) async throws(RedisError) -> RedisConfiguration.Endpoint {
        var problems: [String] = []
        for endpoint in sentinel.sentinels {
            var settings = RedisConfiguration(
                endpoint: endpoint, tls: configuration.tls, username: sentinel.username, password: sentinel.password,
                protocolPreference: .resp2, commandTimeout: configuration.commandTimeout,
                connectTimeout: configuration.connectTimeout, limits: configuration.limits)
            settings.clientName = configuration.clientName
            do throws(RedisError) {
                let connection = try await RedisConnection.connect(settings, on: group)
                let reply: [String]?
                do throws(RedisError) {
                    reply = try await connection.send("SENTINEL", "get-master-addr-by-name", sentinel.masterName).decode(as: [String]?.self)
                } catch {
                    await connection.close()
                    throw error
                }
                await connection.close()
                guard let pair = reply else {
                    problems.append("\(endpoint) does not know master '\(sentinel.masterName)'")
                    continue
                }
                guard pair.count == 2, let port = Int(pair[1]), (1 ... 65535).contains(port), !pair[0].isEmpty else {
                    problems.append("\(endpoint) answered an address that is not host and port: \(pair)")
                    continue
                }
                return .tcp(host: pair[0], port: port)
            } catch {
                problems.append("\(endpoint): \(error.message)")
            }
        }
        throw RedisError(
            .connectionFailed,
            "no Sentinel named a master for '\(sentinel.masterName)' (\(problems.joined(separator: "; "))): check the Sentinel addresses and the master name")
    }
}
