import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// Pub/sub through ``RedisClient`` under RESP3 (pushes on the command connection) and RESP2
/// (a dedicated subscriber connection).
@Suite("IntegrationPubSubTests")
struct IntegrationPubSubTests {
    static let protocols: [RedisConfiguration.ProtocolPreference] = [.resp2, .resp3WithFallback]

    /// A subscriber client with `preference` and a publisher client (RESP3).
    private static func clients(
        _ server: RedisServer, _ preference: RedisConfiguration.ProtocolPreference
    ) throws -> (subscriber: RedisClient, publisher: RedisClient) {
        (RedisClient(configuration: try Integration.configuration(server, protocol: preference)),
         RedisClient(configuration: try Integration.configuration(server)))
    }

    /// How many subscribers the server counts for `channel` (`PUBSUB NUMSUB` or `SHARDNUMSUB`).
    private static func subscriberCount(_ client: RedisClient, _ channel: String, shard: Bool = false) async throws -> Int {
        let reply = try await client.send(RESPCommand("PUBSUB", shard ? "SHARDNUMSUB" : "NUMSUB", channel))
        return try reply.decode(as: [String: Int].self)[channel] ?? -1
    }

    @Test(arguments: protocols)
    func twoChannelsDeliverInOrder(preference: RedisConfiguration.ProtocolPreference) async throws {
        try await withRedisServer { server in
            let (subscriber, publisher) = try Self.clients(server, preference)
            let subscription = try await subscriber.subscribe(to: ["alpha", "beta"])
            // subscribe returns once the server confirmed: publishing now must reach it.
            #expect(try await publisher.publish("a1", to: "alpha") == 1)
            #expect(try await publisher.publish("b1", to: "beta") == 1)
            #expect(try await publisher.publish(ByteBuffer(bytes: [0, 255, 13, 10]), to: "alpha") == 1)
            #expect(try await publisher.publish("b2", to: "beta") == 1)
            #expect(try await publisher.publish("elsewhere", to: "gamma") == 0)

            let messages = try await Integration.messages(subscription, count: 4)
            #expect(messages.map(\.channel) == ["alpha", "beta", "alpha", "beta"])
            #expect(messages.map(\.payload) == [
                ByteBuffer(string: "a1"), ByteBuffer(string: "b1"), ByteBuffer(bytes: [0, 255, 13, 10]), ByteBuffer(string: "b2"),
            ])
            #expect(messages.allSatisfy { $0.kind == .channel && $0.pattern == nil })

            // Ordinary commands keep working on the subscribing client while it is subscribed.
            _ = try await subscriber.send("SET", "k", "v")
            #expect(try await subscriber.send("GET", "k").decode(as: String?.self) == "v")
            #expect(try await subscriber.publish("from-self", to: "beta") == 1)
            #expect(try await Integration.messages(subscription, count: 1).map(\.text) == ["from-self"])
            await subscriber.shutdown()
            await publisher.shutdown()
        }
    }

    @Test(arguments: protocols)
    func patternSubscriptionSetsPattern(preference: RedisConfiguration.ProtocolPreference) async throws {
        try await withRedisServer { server in
            let (subscriber, publisher) = try Self.clients(server, preference)
            let patterns = try await subscriber.subscribe(.pattern, to: ["news.*"])
            let plain = try await subscriber.subscribe(to: ["news.tech"])
            // One client listening via a pattern and via the channel: Redis delivers twice.
            #expect(try await publisher.publish("hello", to: "news.tech") == 2)
            #expect(try await publisher.publish("sport!", to: "news.sport") == 1)

            let matched = try await Integration.messages(patterns, count: 2)
            #expect(matched.map(\.kind) == [.pattern, .pattern])
            #expect(matched.map(\.pattern) == ["news.*", "news.*"])
            #expect(matched.map(\.channel) == ["news.tech", "news.sport"])
            #expect(matched.map(\.text) == ["hello", "sport!"])

            let direct = try await Integration.messages(plain, count: 1)
            #expect(direct.map(\.kind) == [.channel])
            #expect(direct.map(\.pattern) == [nil])
            #expect(direct.map(\.text) == ["hello"])
            await subscriber.shutdown()
            await publisher.shutdown()
        }
    }

    /// Two subscribers of one channel on one client share the server subscription; the
    /// server unsubscribes only when both are gone.
    @Test(arguments: protocols)
    func sharedChannelSurvivesOneSubscriberLeaving(preference: RedisConfiguration.ProtocolPreference) async throws {
        try await withRedisServer { server in
            let (subscriber, publisher) = try Self.clients(server, preference)
            let first = try await subscriber.subscribe(to: ["shared"])
            var second: RedisSubscription? = try await subscriber.subscribe(to: ["shared"])
            #expect(try await Self.subscriberCount(publisher, "shared") == 1)

            // The first subscriber is read by a task that forwards what it receives.
            let (forwarded, forward) = AsyncStream<RedisPubSubMessage>.makeStream()
            let reader = Task {
                for try await message in first { forward.yield(message) }
            }
            #expect(try await publisher.publish("one", to: "shared") == 1)
            let firstReceived = try await Integration.within(.seconds(5), "the first subscriber's message") {
                var iterator = forwarded.makeAsyncIterator()
                return await iterator.next()
            }
            #expect(firstReceived?.text == "one")
            #expect(try await Integration.messages(second!, count: 1).map(\.text) == ["one"])

            // Cancel the first subscriber's task: the second still receives.
            reader.cancel()
            _ = await reader.result
            #expect(try await publisher.publish("two", to: "shared") == 1)
            #expect(try await Integration.messages(second!, count: 1).map(\.text) == ["two"])
            #expect(try await Self.subscriberCount(publisher, "shared") == 1)

            // Drop the second subscription: nobody listens, so the server unsubscribes.
            second = nil
            try await Integration.poll("PUBSUB NUMSUB shared reaching 0") {
                try await Self.subscriberCount(publisher, "shared") == 0
            }
            #expect(try await publisher.publish("three", to: "shared") == 0)

            // The client can subscribe to the same channel again afterwards.
            let again = try await subscriber.subscribe(to: ["shared"])
            #expect(try await publisher.publish("four", to: "shared") == 1)
            #expect(try await Integration.messages(again, count: 1).map(\.text) == ["four"])
            await subscriber.shutdown()
            await publisher.shutdown()
        }
    }

    @Test(arguments: protocols)
    func shardedPubSub(preference: RedisConfiguration.ProtocolPreference) async throws {
        try await withRedisServer { server in
            let (subscriber, publisher) = try Self.clients(server, preference)
            var subscription: RedisSubscription? = try await subscriber.subscribe(.shard, to: ["orders"])
            #expect(try await Self.subscriberCount(publisher, "orders", shard: true) == 1)
            #expect(try await publisher.publish("o-1", to: "orders", sharded: true) == 1)
            #expect(try await publisher.publish("o-2", to: "orders", sharded: true) == 1)
            // A plain PUBLISH does not reach shard subscribers.
            #expect(try await publisher.publish("plain", to: "orders") == 0)

            let messages = try await Integration.messages(subscription!, count: 2)
            #expect(messages.map(\.kind) == [.shard, .shard])
            #expect(messages.map(\.channel) == ["orders", "orders"])
            #expect(messages.map(\.text) == ["o-1", "o-2"])
            #expect(messages.allSatisfy { $0.pattern == nil })

            subscription = nil
            try await Integration.poll("PUBSUB SHARDNUMSUB orders reaching 0") {
                try await Self.subscriberCount(publisher, "orders", shard: true) == 0
            }
            await subscriber.shutdown()
            await publisher.shutdown()
        }
    }

    /// Subscribing directly on a RESP3 connection; commands are interleaved with messages.
    @Test func connectionLevelSubscriptionInterleavesWithCommands() async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server)
            let publisher = try await Integration.connect(server)
            let subscription = try await connection.subscribe(.channel, to: ["mixed"])
            for index in 0 ..< 50 {
                async let published = publisher.publish("m\(index)", to: "mixed")
                async let echoed = connection.send("ECHO", "e\(index)")
                #expect(try await echoed.decode(as: String.self) == "e\(index)")
                #expect(try await published == 1)
            }
            let messages = try await Integration.messages(subscription, count: 50)
            #expect(messages.map(\.text) == (0 ..< 50).map { "m\($0)" })
            try await Integration.expectError(.invalidConfiguration, "subscribe to nothing") {
                try await connection.subscribe(.channel, to: [])
            }
            await connection.close()
            await publisher.close()
        }
    }

    /// The subscription ends with an error when the connection goes away.
    @Test(arguments: protocols)
    func subscriptionEndsWhenServerDies(preference: RedisConfiguration.ProtocolPreference) async throws {
        try await withRedisServer { server in
            let subscriber = RedisClient(configuration: try Integration.configuration(server, protocol: preference))
            let subscription = try await subscriber.subscribe(to: ["doomed"])
            server.kill()
            let outcome = try await Integration.within(.seconds(3), "the subscription ending") {
                do {
                    for try await _ in subscription {}
                    return "finished without error"
                } catch let error as RedisError {
                    return "\(error.code)"
                }
            }
            #expect(outcome == "connectionClosed")
            await subscriber.shutdown()
        }
    }
}
