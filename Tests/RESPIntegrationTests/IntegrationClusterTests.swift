import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// `RedisClusterClient` against a real 3-master cluster (Debian's redis-server 7.0): routing,
/// scripts, sharded pub/sub, a slot migration (ASK, then MOVED), a paused master
/// (CLUSTERDOWN) and a failover to a replica.
@Suite("IntegrationClusterTests", .serialized)
struct IntegrationClusterTests {
    /// A client for `cluster` with the given retry budget.
    static func client(_ cluster: RedisCluster, retryBudget: Duration = .seconds(5)) throws -> RedisClusterClient {
        var configuration = try RedisClusterConfiguration(url: cluster.url, environment: [:])
        configuration.retryBudget = retryBudget
        return try RedisClusterClient(configuration: configuration)
    }

    /// The node that serves `key`, as the cluster itself says.
    static func owner(of key: String, in cluster: RedisCluster) throws -> RedisServer {
        try #require(try cluster.owner(ofSlot: Int(HashSlot(key: key).rawValue), accordingTo: cluster.masters[0]))
    }

    /// `calls` of `command` in `node`'s INFO commandstats (0 when it never ran).
    static func calls(of command: String, on node: RedisServer) throws -> Int {
        let stats = try node.cli(["INFO", "commandstats"])
        guard let line = stats.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_\(command):calls=") }),
              let value = line.split(separator: "=").dropFirst().first?.split(separator: ",").first
        else { return 0 }
        return Int(value) ?? 0
    }

    @Test func routesKeysScriptsAndBatchesToTheirPrimaries() async throws {
        try await withRedisCluster { cluster in
            let client = try Self.client(cluster)
            // The client's map agrees with the cluster, and its slots with CLUSTER KEYSLOT.
            let map = try await client.slotMap()
            #expect(map.coveredSlotCount == HashSlot.count)
            #expect(Set(map.primaries.map(\.endpoint)) == Set(cluster.masters.map { RedisConfiguration.Endpoint.tcp(host: $0.host, port: $0.port) }))
            for key in ["foo", "bar", "user:{42}:name", "{}", "x{y}z"] {
                #expect(try cluster.masters[1].cli(["CLUSTER", "KEYSLOT", key]) == String(HashSlot(key: key).rawValue))
            }

            // 60 keys land on every master, each on the node that owns its slot.
            let keys = (0 ..< 60).map { "key:\($0)" }
            for key in keys { try await client.send(routedBy: key, "SET", key, "v-\(key)") }
            for key in keys {
                #expect(try await client.send(routedBy: key, "GET", key).decode(as: String?.self) == "v-\(key)")
                let owner = try Self.owner(of: key, in: cluster)
                #expect(try owner.cli(["GET", key]) == "v-\(key)")
            }
            var perNode: [Int] = []
            for primary in try await client.primaries() { perNode.append(try await primary.send("DBSIZE").decode(as: Int.self)) }
            #expect(perNode.count == 3 && perNode.allSatisfy { $0 > 0 } && perNode.reduce(0, +) == keys.count)

            // A batch spanning all nodes comes back in order, error replies in place.
            let commands = keys.map { RESPCommand("GET", $0) } + [RESPCommand("INCR", "key:0")]
            let replies = try await client.send(batch: commands, routedBy: keys + ["key:0"])
            #expect(try replies.dropLast().map { try $0.get().decode(as: String.self) } == keys.map { "v-\($0)" })
            #expect(throws: RedisError.self) { try replies.last!.get() }

            // Scripts run where their keys are; each node loads the script on its own NOSCRIPT.
            let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1]) + #KEYS")
            for key in ["a", "b", "c"] {
                #expect(try await client.run(script, keys: [key, "{\(key)}:other"], arguments: ["5"]).decode(as: Int.self) == 7)
            }
            #expect(try await client.run(script, keys: ["{t}1", "{t}2"], arguments: ["1"]).decode(as: Int.self) == 3)

            // Keys in different slots: a clear error before anything is sent.
            let before = try Self.calls(of: "evalsha", on: Self.owner(of: "foo", in: cluster))
            await #expect(throws: RedisError.self) { try await client.run(script, keys: ["foo", "bar"], arguments: ["1"]) }
            #expect(try Self.calls(of: "evalsha", on: Self.owner(of: "foo", in: cluster)) == before)
            // The server's own CROSSSLOT (a command whose keys the client does not check).
            do throws(RedisError) {
                _ = try await client.send(RESPCommand("MGET", "foo", "bar"), routedBy: "foo")
                Issue.record("MGET across slots succeeded")
            } catch {
                #expect(error.code == .crossSlot)
                #expect(error.underlying.map { "\($0)" }?.contains("CROSSSLOT") == true)
            }

            // A keyless command goes to some primary.
            #expect(try await client.send(RESPCommand("PING")).decode(as: String.self) == "PONG")
            await client.shutdown()
            await #expect(throws: RedisError.self) { try await client.send(routedBy: "a", "GET", "a") }
        }
    }

    @Test func shardedPubSubReachesSubscribersOfTheChannelsSlot() async throws {
        try await withRedisCluster { cluster in
            let client = try Self.client(cluster)
            let channel = "lock:{resource-7}:released"
            let subscription = try await client.subscribe(.shard, to: [channel, "lock:{resource-7}:other"])
            // The subscription lives on the channel's primary.
            let owner = try Self.owner(of: channel, in: cluster)
            #expect(try owner.cli(["PUBSUB", "SHARDNUMSUB", channel]).split(separator: "\n").last == "1")
            #expect(try await client.spublish("wake", to: channel) == 1)
            var iterator = subscription.makeAsyncIterator()
            let message = try #require(try await iterator.next())
            #expect(message.kind == .shard && message.channel == channel && String(buffer: message.payload) == "wake")

            await #expect(throws: RedisError.self) { try await client.subscribe(.shard, to: ["a", "b"]) }
            await client.shutdown()
        }
    }

    @Test func followsAskDuringAMigrationAndMovedAfterIt() async throws {
        try await withRedisCluster { cluster in
            let client = try Self.client(cluster)
            let key = "{migrating}:a"
            let slot = Int(HashSlot(key: key).rawValue)
            let source = try Self.owner(of: key, in: cluster)
            let others = cluster.masters.filter { $0.port != source.port }
            let target = others[0]
            let sourceID = try cluster.nodeID(of: source)
            let targetID = try cluster.nodeID(of: target)
            try await client.send(routedBy: key, "SET", key, "1")
            #expect(try await client.slotMap().primary(for: HashSlot(key: key))?.endpoint == .tcp(host: source.host, port: source.port))

            // Open the migration; a new key in the slot goes to the target by ASK.
            #expect(try target.cli(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID]) == "OK")
            #expect(try source.cli(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID]) == "OK")
            let asksBefore = try Self.calls(of: "asking", on: target)
            try await client.send(routedBy: "{migrating}:b", "SET", "{migrating}:b", "2")
            #expect(try Self.calls(of: "asking", on: target) == asksBefore + 1)
            #expect(try target.cli(["CLUSTER", "COUNTKEYSINSLOT", String(slot)]) == "1")

            // Move the existing key; reading it and running a script on it follow ASK too
            // (the target has never seen the script: SCRIPT LOAD, ASKING, EVALSHA).
            #expect(try source.cli(["MIGRATE", target.host, String(target.port), "", "0", "5000", "KEYS", key]) == "OK")
            #expect(try await client.send(routedBy: key, "GET", key).decode(as: String?.self) == "1")
            let script = RedisScript("return redis.call('INCR', KEYS[1])")
            #expect(try await client.run(script, keys: [key]).decode(as: Int.self) == 2)
            // GET: ASKING once; the script: ASKING, NOSCRIPT, then SCRIPT LOAD + ASKING + EVALSHA.
            #expect(try Self.calls(of: "asking", on: target) == asksBefore + 4)
            // ASK does not change the map.
            #expect(try await client.slotMap().primary(for: HashSlot(key: key))?.endpoint == .tcp(host: source.host, port: source.port))

            // Finish: every node learns the new owner; the next command gets MOVED and the map follows.
            for node in [target, source, others[1]] {
                #expect(try node.cli(["CLUSTER", "SETSLOT", String(slot), "NODE", targetID]) == "OK")
            }
            #expect(try await client.send(routedBy: key, "GET", key).decode(as: String?.self) == "2")
            #expect(try await client.slotMap().primary(for: HashSlot(key: key))?.endpoint == .tcp(host: target.host, port: target.port))
            #expect(try Self.calls(of: "asking", on: target) == asksBefore + 4)
            await client.shutdown()
        }
    }

    @Test func aPausedMasterMeansClusterDownUntilItResumes() async throws {
        try await withRedisCluster { cluster in
            let impatient = try Self.client(cluster, retryBudget: .milliseconds(300))
            let patient = try Self.client(cluster, retryBudget: .seconds(20))
            let paused = cluster.masters[2]
            let key = try #require((0 ..< 100).map { "k\($0)" }.first { try Self.owner(of: $0, in: cluster).port != paused.port })
            try await impatient.send(routedBy: key, "SET", key, "before")

            paused.pause()
            try await cluster.waitForState("fail", on: cluster.masters[0])
            do throws(RedisError) {
                _ = try await impatient.send(routedBy: key, "GET", key)
                Issue.record("a read succeeded while the cluster was down")
            } catch {
                #expect(error.code == .clusterDown)
                #expect(error.underlying.map { "\($0)" }?.contains("CLUSTERDOWN") == true)
            }

            // A command sent while the cluster is still down waits it out.
            async let read = patient.send(routedBy: key, "GET", key)
            paused.resume()
            #expect(try await read.decode(as: String?.self) == "before")
            try await cluster.waitUntilHealthy()
            await impatient.shutdown()
            await patient.shutdown()
        }
    }

    @Test func followsAFailoverToThePromotedReplica() async throws {
        try await withRedisCluster { cluster in
            let key = "{failover}:counter"
            let master = try Self.owner(of: key, in: cluster)
            let replica = try await cluster.addReplica(of: master)
            let client = try Self.client(cluster, retryBudget: .seconds(20))
            #expect(try await client.send(routedBy: key, "INCR", key).decode(as: Int.self) == 1)
            // WAIT counts the writes of the connection it runs on: send it on the client's own
            // connection to the master (redis-cli's would return at once, replicated or not).
            #expect(try await client.send(routedBy: key, "WAIT", 1, 5000).decode(as: Int.self) == 1, "the replica never acknowledged the first INCR")

            master.kill()
            // One command, sent right after the kill: it retries until the replica is promoted.
            #expect(try await client.send(routedBy: key, "INCR", key).decode(as: Int.self) == 2)
            #expect(try await client.slotMap().primary(for: HashSlot(key: key))?.endpoint == .tcp(host: replica.host, port: replica.port))
            #expect(try replica.cli(["ROLE"]).hasPrefix("master"))
            await client.shutdown()
        }
    }
}
