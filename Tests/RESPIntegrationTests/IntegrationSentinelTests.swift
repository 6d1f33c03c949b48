import RESP
import RedisTestSupport
import Testing

/// One master, one replica and three Sentinels, all real: discovering the master, following a
/// failover, and clear errors for a master nobody knows.
@Suite("IntegrationSentinelTests", .serialized)
struct IntegrationSentinelTests {
    /// A master, its replica and three Sentinels that monitor it as `mymaster`.
    struct Deployment {
        let master: RedisServer
        let replica: RedisServer
        let sentinels: [RedisServer]

        /// `redis+sentinel://` naming every Sentinel.
        var url: String {
            "redis+sentinel://" + sentinels.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") + "/mymaster"
        }

        func stop() async {
            for server in sentinels + [replica, master] { await server.stop() }
        }
    }

    /// Starts the deployment and waits until the replica is in sync and every Sentinel knows
    /// the replica and the other Sentinels (what a failover needs).
    static func deploy() async throws -> Deployment {
        let master = try await RedisServer.start()
        let replica = try await RedisServer.start(.init(extraConfiguration: [
            "replicaof 127.0.0.1 \(master.port)", "repl-diskless-sync-delay 0",
        ]))
        var sentinels: [RedisServer] = []
        for _ in 0 ..< 3 {
            sentinels.append(try await RedisServer.start(.init(extraConfiguration: [
                "sentinel monitor mymaster 127.0.0.1 \(master.port) 2",
                "sentinel down-after-milliseconds mymaster 1000",
                "sentinel failover-timeout mymaster 5000",
            ], sentinel: true)))
        }
        let deployment = Deployment(master: master, replica: replica, sentinels: sentinels)
        let ready = await poll(for: .seconds(20)) {
            guard try replica.cli(["INFO", "replication"]).contains("master_link_status:up") else { return false }
            for sentinel in sentinels {
                let replicas = try sentinel.cli(["SENTINEL", "replicas", "mymaster"])
                let others = try sentinel.cli(["SENTINEL", "sentinels", "mymaster"])
                guard replicas.contains("\(replica.port)"), others.components(separatedBy: "127.0.0.1").count - 1 >= 2 else { return false }
            }
            return true
        }
        if !ready {
            await deployment.stop()
            Issue.record("the Sentinel deployment did not settle within 20 s")
            throw CancellationError()
        }
        return deployment
    }

    /// Re-evaluates `condition` every 100 ms until it holds or `limit` passes.
    static func poll(for limit: Duration, _ condition: () async throws -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The port of the server a client is talking to.
    static func serverPort(_ client: RedisClient) async throws -> Int {
        let info = try await client.send("INFO", "server").decode(as: String.self)
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("tcp_port:") }
        return Int(line?.dropFirst("tcp_port:".count) ?? "") ?? -1
    }

    @Test func urlNamesEverySentinelAndTheMaster() throws {
        let configuration = try RedisConfiguration(
            url: "redis+sentinel://ops:secret@10.0.0.1,10.0.0.2:5000/mymaster/2?name=app", environment: [:])
        #expect(configuration.sentinel?.sentinels == [.tcp(host: "10.0.0.1", port: 26379), .tcp(host: "10.0.0.2", port: 5000)])
        #expect(configuration.sentinel?.masterName == "mymaster")
        #expect(configuration.username == "ops")
        #expect(configuration.password == "secret")
        #expect(configuration.database == 2)
        #expect(configuration.clientName == "app")
        #expect(configuration.redactedURL == "redis+sentinel://ops@10.0.0.1:26379,10.0.0.2:5000/mymaster/2?name=app")
        #expect(!configuration.description.contains("secret"))
        let reparsed = try RedisConfiguration(url: configuration.redactedURL, environment: [:])
        #expect(reparsed.sentinel == configuration.sentinel)
    }

    @Test(arguments: [
        "redis+sentinel://10.0.0.1", "redis+sentinel://10.0.0.1/", "redis+sentinel://,10.0.0.1/m",
        "redis+sentinel://10.0.0.1:99999/m", "redis+sentinel://10.0.0.1/m/1/2", "redis+sentinel://10.0.0.1/m/x",
    ])
    func badSentinelURLsSayWhatIsWrong(url: String) {
        #expect {
            _ = try RedisConfiguration(url: url, environment: [:])
        } throws: { error in
            (error as? RedisError)?.code == .invalidURL
        }
    }

    @Test func clientFindsTheMasterAndFollowsAFailover() async throws {
        let deployment = try await Self.deploy()
        let client = RedisClient(configuration: try RedisConfiguration(url: deployment.url, environment: [:]))
        do {
            #expect(try await Self.serverPort(client) == deployment.master.port)
            #expect(try await client.send("SET", "before", "failover").decode(as: String.self) == "OK")
            let replicated = await Self.poll(for: .seconds(5)) {
                try deployment.replica.cli(["GET", "before"]).contains("failover")
            }
            #expect(replicated)

            _ = try deployment.sentinels[0].cli(["SENTINEL", "failover", "mymaster"])
            let switched = await Self.poll(for: .seconds(15)) {
                try deployment.sentinels[0].cli(["SENTINEL", "get-master-addr-by-name", "mymaster"]).contains("\(deployment.replica.port)")
            }
            #expect(switched, "Sentinel did not promote the replica")

            // Sentinel closes the demoted master's clients; the client reconnects through the
            // Sentinels and lands on the promoted replica, which has the data and takes writes.
            var landed = false
            let deadline = ContinuousClock.now + .seconds(15)
            while !landed, ContinuousClock.now < deadline {
                do {
                    let reply = try await client.send("SET", "after", "failover").decode(as: String.self)
                    let port = try await Self.serverPort(client)
                    landed = reply == "OK" && port == deployment.replica.port
                } catch let error as RedisError {
                    #expect([.connectionClosed, .connectionFailed, .serverError].contains(error.code), "\(error)")
                }
                if !landed { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(landed, "the client never wrote to the promoted replica")
            #expect(try await client.send("GET", "before").decode(as: String?.self) == "failover")
        } catch {
            Issue.record("\(error)")
        }
        await client.shutdown()
        await deployment.stop()
    }

    @Test func unknownMasterNameIsAClearError() async throws {
        // One Sentinel is enough to be asked about a master it does not monitor.
        let master = try await RedisServer.start()
        let sentinel = try await RedisServer.start(.init(
            extraConfiguration: ["sentinel monitor mymaster 127.0.0.1 \(master.port) 1"], sentinel: true))
        let url = "redis+sentinel://127.0.0.1:\(sentinel.port)/nosuchmaster"
        let client = RedisClient(configuration: try RedisConfiguration(url: url, environment: [:]))
        await #expect {
            _ = try await client.send("PING")
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.code == .connectionFailed && error.message.contains("nosuchmaster") && error.message.contains("does not know")
        }
        await client.shutdown()
        await sentinel.stop()
        await master.stop()
    }
}
