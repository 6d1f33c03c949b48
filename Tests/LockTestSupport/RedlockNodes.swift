package import RESP
package import RedisLock
package import RedisTestSupport

/// `count` independent servers, a client for each and an admin client for each.
package final class RedlockNodes: Sendable {
    package let servers: [RedisServer]
    package let admins: [RedisClient]
    private let made = Locked<[RedisClient]>([])

    package init(servers: [RedisServer]) throws {
        self.servers = servers
        self.admins = try servers.map { try RedisClient(url: $0.url) }
    }

    /// A Redlock on fresh clients (fresh connections). The default node timeout is generous:
    /// tests that are not about timeouts must not fail because a loaded machine paused.
    package func redlock(owner: String, nodeTimeout: Duration = .seconds(1)) throws -> Redlock {
        let clients = try servers.map { try RedisClient(url: $0.url) }
        made.withLock { $0 += clients }
        return try Redlock(
            clients: clients, lockConfiguration: LockConfiguration(owner: owner, acceptedRisks: [.noPersistence]),
            configuration: RedlockConfiguration(nodeTimeout: nodeTimeout))
    }

    /// The value of lock `name` on every node.
    package func values(_ name: String) async throws -> [String?] {
        var values: [String?] = []
        for admin in admins { values.append(try await admin.send("GET", "lock:{\(name)}").decode(as: String?.self)) }
        return values
    }

    package func shutdown() async {
        for client in admins + made.value { await client.shutdown() }
        for server in servers { await server.stop() }
    }
}

/// Starts `count` independent servers, runs `body` with them, and always shuts them down.
package func withRedlockNodes<T>(_ count: Int, _ body: (RedlockNodes) async throws -> T) async throws -> T {
    var servers: [RedisServer] = []
    for _ in 0 ..< count {
        servers.append(try await ServerStarts.shared.oneAtATime { try await RedisServer.start() })
    }
    let nodes = try RedlockNodes(servers: servers)
    do {
        let result = try await body(nodes)
        await nodes.shutdown()
        return result
    } catch {
        await nodes.shutdown()
        throw error
    }
}
