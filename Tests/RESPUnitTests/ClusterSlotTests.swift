import NIOCore
@testable import RESP
import Testing

/// The pure parts of cluster support: hash slots, redirections, slot-map parsing, error
/// classification and the seed-list URL.
@Suite("ClusterSlotTests")
struct ClusterSlotTests {
    // MARK: - Hash slots

    @Test func crc16MatchesTheXmodemCheckValue() {
        #expect(HashSlot.crc16(Array("123456789".utf8)[...]) == 0x31C3)
        #expect(HashSlot.crc16(ArraySlice<UInt8>()) == 0)
    }

    /// Slots as `CLUSTER KEYSLOT` of redis-server 7.0 reports them.
    @Test(arguments: [
        ("123456789", 12739), ("foo", 12182), ("bar", 5061), ("hello", 866), ("", 0),
        ("{}", 15257), ("{", 4092), ("a{", 14311), ("foo{}{bar}", 8363), ("foo{{bar}}zap", 4015),
        ("foo{bar}{zap}", 5061), ("{user1000}.following", 3443), ("user1000", 3443), ("}{x}", 16287),
    ])
    func slotsMatchRedis(key: String, slot: Int) {
        #expect(HashSlot(key: key).rawValue == UInt16(slot))
    }

    @Test func hashTagRules() {
        #expect(HashSlot(key: "user:{42}:name") == HashSlot(key: "{42}"))
        #expect(HashSlot(key: "user:{42}:name") == HashSlot(key: "42"))
        // An empty tag does not count: the whole key is hashed.
        #expect(HashSlot(key: "foo{}{bar}") != HashSlot(key: "bar"))
        // The first `}` after the first `{` ends the tag.
        #expect(HashSlot(key: "foo{{bar}}zap") == HashSlot(key: "{bar"))
        #expect(HashSlot(key: "foo{bar}{zap}") == HashSlot(key: "bar"))
        // Bytes, not characters: a non-UTF-8 key works.
        #expect(HashSlot(key: [0xFF, UInt8(ascii: "{"), UInt8(ascii: "a"), UInt8(ascii: "}")]) == HashSlot(key: "a"))
        #expect(HashSlot(rawValue: 16_383) != nil)
        #expect(HashSlot(rawValue: 16_384) == nil)
    }

    // MARK: - Redirections

    @Test func parsesMovedAndAsk() throws {
        let moved = try #require(ClusterRedirection(errorMessage: "MOVED 3999 127.0.0.1:6381"))
        #expect(moved == ClusterRedirection(kind: .moved, slot: HashSlot(rawValue: 3999)!, endpoint: .tcp(host: "127.0.0.1", port: 6381)))
        let ask = try #require(ClusterRedirection(errorMessage: "ASK 0 redis-2.example:7000"))
        #expect(ask.kind == .ask && ask.slot.rawValue == 0 && ask.endpoint == .tcp(host: "redis-2.example", port: 7000))
        // IPv6 hosts keep their colons; an empty host means the node that answered.
        #expect(ClusterRedirection(errorMessage: "MOVED 1 ::1:6379")?.endpoint == .tcp(host: "::1", port: 6379))
        #expect(ClusterRedirection(errorMessage: "MOVED 1 :6390", currentHost: "10.0.0.7")?.endpoint == .tcp(host: "10.0.0.7", port: 6390))
        #expect(ClusterRedirection(errorMessage: "MOVED 1 :6390") == nil)
    }

    @Test(arguments: ["MOVED", "MOVED 16384 h:1", "MOVED x h:1", "MOVED 1 h", "MOVED 1 h:0", "ASK 1 h:70000", "ERR 1 h:1", "MOVED 1 h:1 extra"])
    func rejectsMalformedRedirections(_ text: String) {
        #expect(ClusterRedirection(errorMessage: text) == nil)
    }

    @Test func classifiesClusterErrors() {
        func action(_ message: String) -> ClusterErrorAction {
            ClusterErrorAction(RedisError.fromServer(message: message), currentHost: "h")
        }
        #expect(action("MOVED 7 h:2") == .redirect(ClusterRedirection(kind: .moved, slot: HashSlot(rawValue: 7)!, endpoint: .tcp(host: "h", port: 2))))
        #expect(action("ASK 7 :2") == .redirect(ClusterRedirection(kind: .ask, slot: HashSlot(rawValue: 7)!, endpoint: .tcp(host: "h", port: 2))))
        #expect(action("CLUSTERDOWN The cluster is down") == .retryLater(refreshTopology: true))
        #expect(action("TRYAGAIN Multiple keys request during rehashing of slot") == .retryLater(refreshTopology: false))
        #expect(action("LOADING Redis is loading the dataset in memory") == .retryLater(refreshTopology: false))
        #expect(action("CROSSSLOT Keys in request don't hash to the same slot") == .crossSlot)
        #expect(action("ERR wrong number of arguments") == .fail)
        #expect(action("NOPERM no permissions") == .fail)
        #expect(ClusterErrorAction(RedisError(.connectionFailed, "refused"), currentHost: nil) == .nodeUnreachable)
        #expect(ClusterErrorAction(RedisError(.connectionClosed, "reset"), currentHost: nil) == .fail)
        #expect(ClusterErrorAction(RedisError(.timeout, "slow"), currentHost: nil) == .fail)
    }

    @Test func keysInDifferentSlotsFailBeforeSending() throws {
        #expect(try RedisClusterClient.slot(of: []) == nil)
        #expect(try RedisClusterClient.slot(of: ["{a}1", "{a}2"]) == HashSlot(key: "a"))
        #expect(throws: RedisError.self) { try RedisClusterClient.slot(of: ["foo", "bar"]) }
        do {
            _ = try RedisClusterClient.slot(of: ["foo", "bar"], what: "script keys")
            Issue.record("keys in two slots were accepted")
        } catch {
            #expect(error.code == .crossSlot)
            #expect(error.message.contains("'foo' (slot 12182)") && error.message.contains("'bar' (slot 5061)"))
            #expect(error.message.contains("hash tag"))
        }
    }

    // MARK: - Slot maps

    /// One node of a `CLUSTER SHARDS` reply in RESP2 form.
    private static func shardNode(id: String, port: Int, ip: String = "127.0.0.1", endpoint: String = "127.0.0.1", role: String, health: String = "online") -> String {
        "*14\r\n$2\r\nid\r\n$\(id.utf8.count)\r\n\(id)\r\n$4\r\nport\r\n:\(port)\r\n$2\r\nip\r\n$\(ip.utf8.count)\r\n\(ip)\r\n"
            + "$8\r\nendpoint\r\n$\(endpoint.utf8.count)\r\n\(endpoint)\r\n$4\r\nrole\r\n$\(role.utf8.count)\r\n\(role)\r\n"
            + "$18\r\nreplication-offset\r\n:72156\r\n$6\r\nhealth\r\n$\(health.utf8.count)\r\n\(health)\r\n"
    }

    /// One shard: its slot bounds and nodes.
    private static func shard(_ bounds: [Int], _ nodes: [String]) -> String {
        "*4\r\n$5\r\nslots\r\n*\(bounds.count)\r\n" + bounds.map { ":\($0)\r\n" }.joined()
            + "$5\r\nnodes\r\n*\(nodes.count)\r\n" + nodes.joined()
    }

    @Test func parsesClusterShardsInRESP2() throws {
        let reply = "*3\r\n"
            + Self.shard([0, 5460], [Self.shardNode(id: "a", port: 7000, role: "master"), Self.shardNode(id: "d", port: 7003, role: "replica")])
            + Self.shard([5461, 10922, 16000, 16001], [
                Self.shardNode(id: "b", port: 7001, role: "replica", health: "failed"),
                Self.shardNode(id: "e", port: 7004, endpoint: "?", role: "master"),
            ])
            + Self.shard([10923, 15999, 16002, 16383], [Self.shardNode(id: "c", port: 7002, ip: "10.0.0.3", endpoint: "", role: "master")])
        let map = try ClusterSlotMap(shardsReply: try codecDecodeOne(reply), tls: false)
        #expect(map.shards.count == 3)
        #expect(map.coveredSlotCount == HashSlot.count)
        #expect(map.primary(for: HashSlot(rawValue: 0)!)?.endpoint == .tcp(host: "127.0.0.1", port: 7000))
        #expect(map.primary(for: HashSlot(rawValue: 5460)!)?.id == "a")
        // A failed-over shard: the promoted replica is the primary, the old master a failed replica.
        #expect(map.primary(for: HashSlot(rawValue: 5461)!)?.endpoint == .tcp(host: "127.0.0.1", port: 7004))
        #expect(map.primary(for: HashSlot(rawValue: 16_001)!)?.id == "e")
        #expect(map.shards[1].replicas == [ClusterSlotMap.Node(endpoint: .tcp(host: "127.0.0.1", port: 7001), id: "b", isHealthy: false)])
        // No usable endpoint: the ip is used.
        #expect(map.primary(for: HashSlot(rawValue: 16_383)!)?.endpoint == .tcp(host: "10.0.0.3", port: 7002))
        // Failed nodes go last when asking for the topology.
        #expect(map.nodes.last?.id == "b")
        #expect(map.primaries.map(\.id) == ["a", "e", "c"])
    }

    @Test func parsesClusterShardsInRESP3AndSkipsShardsWithoutSlots() throws {
        let node = "%4\r\n$2\r\nid\r\n$1\r\nx\r\n$4\r\nport\r\n:7000\r\n$8\r\ntls-port\r\n:7100\r\n$8\r\nendpoint\r\n$9\r\nlocalhost\r\n"
        let primary = "%5\r\n$2\r\nid\r\n$1\r\nx\r\n$4\r\nport\r\n:7000\r\n$8\r\ntls-port\r\n:7100\r\n$8\r\nendpoint\r\n$9\r\nlocalhost\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
        let reply = "*2\r\n%2\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n" + primary
            + "%2\r\n$5\r\nslots\r\n*0\r\n$5\r\nnodes\r\n*1\r\n" + node
        let plain = try ClusterSlotMap(shardsReply: try codecDecodeOne(reply), tls: false)
        #expect(plain.shards.count == 1)
        #expect(plain.primary(for: HashSlot(key: "anything"))?.endpoint == .tcp(host: "localhost", port: 7000))
        let tls = try ClusterSlotMap(shardsReply: try codecDecodeOne(reply), tls: true)
        #expect(tls.primary(for: HashSlot(key: "anything"))?.endpoint == .tcp(host: "localhost", port: 7100))
    }

    @Test func parsesClusterSlots() throws {
        // Two ranges of one primary (merged into one shard), an empty host (= the node asked),
        // and a replica.
        let reply = "*3\r\n"
            + "*4\r\n:0\r\n:99\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$1\r\na\r\n*3\r\n$9\r\n127.0.0.1\r\n:7003\r\n$1\r\nd\r\n"
            + "*3\r\n:100\r\n:16000\r\n*3\r\n$0\r\n\r\n:7001\r\n$1\r\nb\r\n"
            + "*3\r\n:16001\r\n:16383\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$1\r\na\r\n"
        let map = try ClusterSlotMap(slotsReply: try codecDecodeOne(reply), currentHost: "10.1.1.1")
        #expect(map.shards.count == 2)
        #expect(map.shards[0].slots == [0 ... 99, 16_001 ... 16_383])
        #expect(map.shards[0].replicas.map(\.endpoint) == [.tcp(host: "127.0.0.1", port: 7003)])
        #expect(map.primary(for: HashSlot(rawValue: 100)!)?.endpoint == .tcp(host: "10.1.1.1", port: 7001))
        #expect(map.primary(for: HashSlot(rawValue: 16_383)!)?.id == "a")
        #expect(map.coveredSlotCount == HashSlot.count)
    }

    @Test(arguments: [
        "+OK\r\n",
        "*1\r\n*3\r\n:0\r\n:16384\r\n*3\r\n$1\r\nh\r\n:1\r\n$1\r\na\r\n",
        "*1\r\n*3\r\n:5\r\n:4\r\n*3\r\n$1\r\nh\r\n:1\r\n$1\r\na\r\n",
        "*1\r\n*1\r\n:0\r\n",
    ])
    func rejectsMalformedSlotReplies(_ text: String) throws {
        let token = try codecDecodeOne(text)
        #expect(throws: RedisError.self) { try ClusterSlotMap(slotsReply: token, currentHost: nil) }
    }

    @Test func rejectsMalformedShardReplies() throws {
        let oddBounds = "*1\r\n*4\r\n$5\r\nslots\r\n*1\r\n:0\r\n$5\r\nnodes\r\n*0\r\n"
        let missingNodes = "*1\r\n*2\r\n$5\r\nslots\r\n*0\r\n"
        for text in [oddBounds, missingNodes, ":1\r\n"] {
            let token = try codecDecodeOne(text)
            #expect(throws: RedisError.self) { try ClusterSlotMap(shardsReply: token, tls: false) }
        }
    }

    @Test func movedPatchesOneSlot() {
        let a = ClusterSlotMap.Node(endpoint: .tcp(host: "h", port: 1))
        let b = ClusterSlotMap.Node(endpoint: .tcp(host: "h", port: 2))
        var map = ClusterSlotMap(shards: [.init(slots: [0 ... 8191], primary: a), .init(slots: [8192 ... 16383], primary: b)])
        let slot = HashSlot(rawValue: 100)!
        map.assign(slot, to: b.endpoint)
        #expect(map.primary(for: slot) == b)
        #expect(map.primary(for: HashSlot(rawValue: 101)!) == a)
        #expect(map.shards.count == 2)
        // A node the map does not know becomes a shard of its own.
        map.assign(slot, to: .tcp(host: "h", port: 3))
        #expect(map.primary(for: slot)?.endpoint == .tcp(host: "h", port: 3))
        #expect(map.shards.count == 3)
    }

    @Test func refreshCandidatesPreferHealthyPrimariesThenSeeds() {
        let map = ClusterSlotMap(shards: [
            .init(slots: [0 ... 16383], primary: .init(endpoint: .tcp(host: "p", port: 1)),
                  replicas: [.init(endpoint: .tcp(host: "r", port: 2)), .init(endpoint: .tcp(host: "dead", port: 3), isHealthy: false)]),
        ])
        let candidates = ClusterTopology.candidates(map: map, seeds: [.tcp(host: "p", port: 1), .tcp(host: "s", port: 9)])
        #expect(candidates == [.tcp(host: "p", port: 1), .tcp(host: "r", port: 2), .tcp(host: "s", port: 9)])
    }

    // MARK: - Seed-list URLs

    @Test func parsesSeedListURLs() throws {
        let configuration = try RedisClusterConfiguration(
            url: "rediss://ops:s%40cret@10.0.0.1:7000,10.0.0.2,[::1]:7002?timeout=2s&verify=none", environment: [:])
        #expect(configuration.seeds == [.tcp(host: "10.0.0.1", port: 7000), .tcp(host: "10.0.0.2", port: 6379), .tcp(host: "::1", port: 7002)])
        #expect(configuration.node.username == "ops")
        #expect(configuration.node.password == "s@cret")
        #expect(configuration.node.commandTimeout == .seconds(2))
        #expect(configuration.node.tls?.verifyPeer == false)
        #expect(configuration.configuration(for: .tcp(host: "x", port: 1)).endpoint == .tcp(host: "x", port: 1))
    }

    @Test(arguments: [
        ("redis://a:1,,b:2", RedisError.Code.invalidURL),
        ("unix:///tmp/redis.sock", .invalidURL),
        ("redis://a:1,b:x", .invalidURL),
        ("redis://a:1,b:2/3", .invalidConfiguration),
        ("a:1,b:2", .invalidURL),
    ])
    func rejectsBadSeedListURLs(url: String, code: RedisError.Code) {
        do {
            let configuration = try RedisClusterConfiguration(url: url, environment: [:])
            Issue.record("expected an error for \(url), got \(configuration.seeds)")
        } catch {
            #expect(error.code == code, "\(url): \(error)")
        }
    }
}
