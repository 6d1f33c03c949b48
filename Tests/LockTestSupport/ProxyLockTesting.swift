import Foundation
package import Logging
package import RESP
package import RedisLock
package import RedisTestSupport
import Synchronization
import Testing

/// Helpers of the lock-through-a-proxy tests (`ProxyLockTests`, `LegacyInteropTests`): a real
/// Codis 3.2 (two groups) or a real twemproxy (two redis-servers), clients through it that
/// are shut down at the end, and the backends to look at directly.
package enum ProxyLockTesting {
    /// Which proxy a test runs through.
    package enum Proxy: String, CaseIterable, Sendable, CustomStringConvertible {
        case codis, twemproxy
        package var description: String { rawValue }
    }

    /// A running proxy and the clients made through it.
    package final class Target: Sendable {
        package let url: String
        /// The servers behind the proxy.
        package let backends: [RedisServer]
        private let clients = Mutex<[RedisClient]>([])

        package init(url: String, backends: [RedisServer]) {
            self.url = url
            self.backends = backends
        }

        /// A fresh client through the proxy.
        package func client() throws -> RedisClient {
            let client = try RedisClient(url: url)
            clients.withLock { $0.append(client) }
            return client
        }

        /// A locker on a fresh client through the proxy.
        package func locker(_ configuration: LockConfiguration = LockConfiguration(owner: "proxy-test", acceptedRisks: [.noPersistence]), logger: Logger = Logger(label: "RedisLock")) throws -> Locker {
            try Locker(client: try client(), configuration: configuration, logger: logger)
        }

        /// How many scripts (`EVAL` and `EVALSHA`) the backends have run so far.
        package func scriptCalls() throws -> Int {
            try backends.reduce(0) { total, server in
                let stats = try server.cli(["INFO", "commandstats"])
                return total + stats.split(whereSeparator: \.isNewline).reduce(0) { sum, line in
                    guard line.hasPrefix("cmdstat_eval:") || line.hasPrefix("cmdstat_evalsha:"),
                          let field = line.split(separator: ":", maxSplits: 1).last?.split(separator: ",").first(where: { $0.hasPrefix("calls=") })
                    else { return sum }
                    return sum + (Int(field.dropFirst("calls=".count)) ?? 0)
                }
            }
        }

        package func shutdown() async {
            for client in clients.withLock({ clients in defer { clients = [] }; return clients }) {
                await client.shutdown()
            }
        }
    }

    /// Starts `proxy` (Codis with two groups, or twemproxy with two backends), runs `body`,
    /// then shuts the clients down and stops everything.
    package static func with<T>(_ proxy: Proxy, isolation: isolated (any Actor)? = #isolation, _ body: (Target) async throws -> T) async throws -> T {
        switch proxy {
        case .codis:
            return try await withCodisCluster(groups: 2) { codis in
                try await run(Target(url: codis.url, backends: codis.servers), body)
            }
        case .twemproxy:
            return try await withTwemproxy(backends: 2) { twemproxy in
                try await run(Target(url: twemproxy.url, backends: twemproxy.backends), body)
            }
        }
    }

    package static func run<T>(_ target: Target, isolation: isolated (any Actor)? = #isolation, _ body: (Target) async throws -> T) async throws -> T {
        do {
            let result = try await body(target)
            await target.shutdown()
            return result
        } catch {
            await target.shutdown()
            throw error
        }
    }

    /// Two lock names whose keys land on different backends (Codis groups or twemproxy
    /// servers), found by writing probe keys with the same hash tags.
    package static func namesOnBothBackends(_ target: Target, prefix: String = "lock:") async throws -> [String] {
        let admin = try target.client()
        var byBackend: [Int: String] = [:]
        for index in 0 ..< 64 where byBackend.count < 2 {
            let name = "orders:\(index)"
            let probe = prefix + "{" + name + "}:probe"
            _ = try await admin.send("SET", probe, "1")
            guard let backend = try target.backends.firstIndex(where: { try $0.cli(["EXISTS", probe]) == "1" }) else { continue }
            byBackend[backend] = byBackend[backend] ?? name
            _ = try await admin.send("DEL", probe)
        }
        try #require(byBackend.count == 2, "no two names on different backends among 64")
        return byBackend.sorted { $0.key < $1.key }.map(\.value)
    }
}
