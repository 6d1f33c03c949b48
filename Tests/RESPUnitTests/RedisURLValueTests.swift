import RESP
import Testing

/// `RedisURL`: a URL parsed once into its parts, which every configuration then reads.
@Suite("RedisURLValueTests")
struct RedisURLValueTests {
    @Test func holdsEveryPartOfASeedList() throws {
        let url = try RedisURL(parsing: "rediss://ops:s%40cret@10.0.0.1:7000,[::1],cache-2/2?timeout=2s&name=app")
        #expect(url.scheme == .rediss)
        #expect(url.scheme.usesTLS && !url.scheme.isSentinel)
        #expect(url.hosts == [.tcp(host: "10.0.0.1", port: 7000), .tcp(host: "::1", port: 6379), .tcp(host: "cache-2", port: 6379)])
        #expect(url.username == "ops")
        #expect(url.hasPassword)
        #expect(url.database == 2)
        #expect(url.queryItems.map(\.name) == ["timeout", "name"])
        #expect(url.queryValue("timeout") == "2s")
        #expect(url.queryValue("db") == nil)
        #expect(url.isSeedList)
        #expect(url.masterName == nil)
    }

    @Test func holdsTheSentinelsAndTheMaster() throws {
        let url = try RedisURL(parsing: "REDIS+SENTINEL://ops@s1,s2:5000/my%2Dmaster/3?name=worker")
        #expect(url.scheme == .redisSentinel)
        #expect(url.hosts == [.tcp(host: "s1", port: 26379), .tcp(host: "s2", port: 5000)])
        #expect(url.masterName == "my-master")
        #expect(url.database == 3)
        #expect(!url.hasPassword)
        #expect(!url.isSeedList, "Sentinels are not a cluster's seeds")
    }

    @Test func holdsAUnixSocket() throws {
        let url = try RedisURL(parsing: "unix:///run/redis%20a.sock?db=4&user=app")
        #expect(url.scheme == .unix)
        #expect(url.hosts == [.unixSocket(path: "/run/redis a.sock")])
        #expect(url.database == nil, "a unix URL's database is a query item")
        #expect(url.queryValue("db") == "4")
        #expect(url.username == nil)
    }

    @Test(arguments: [
        ("redis://:pw@host", true), ("redis://host?password=pw", true), ("redis://ops@host", false),
        ("redis://ops:@host", false), ("unix:///s.sock?password=pw", true), ("redis+sentinel://s1/m", false),
    ])
    func tellsWhetherAPasswordIsInTheURL(text: String, expected: Bool) throws {
        #expect(try RedisURL(parsing: text).hasPassword == expected, "\(text)")
    }

    @Test func neverShowsThePasswordOrQueryValues() throws {
        let url = try RedisURL(parsing: "redis://ops:hunter2@h1:7000,h2/1?password=hunter2&name=x")
        #expect(url.description == "redis://ops@h1:7000,h2:6379/1?password=…&name=…")
        var dumped = ""
        dump(url, to: &dumped)
        #expect(!dumped.contains("hunter2"), "\(dumped)")
    }

    @Test func oneParseFeedsTheServerAndTheClusterConfigurations() throws {
        let single = try RedisURL(parsing: "redis://ops@10.0.0.1:7000/2?timeout=3s")
        let server = try RedisConfiguration(url: single, environment: [:])
        #expect(server.endpoint == .tcp(host: "10.0.0.1", port: 7000))
        #expect(server.database == 2)
        #expect(server.commandTimeout == .seconds(3))

        let seeds = try RedisURL(parsing: "redis://ops@10.0.0.1:7000,10.0.0.2:7000,10.0.0.1:7000?timeout=3s")
        let cluster = try RedisClusterConfiguration(url: seeds, environment: [:])
        #expect(cluster.seeds == [.tcp(host: "10.0.0.1", port: 7000), .tcp(host: "10.0.0.2", port: 7000)])
        #expect(cluster.node.username == "ops")
        #expect(cluster.node.commandTimeout == .seconds(3))
    }

    @Test func oneServerRefusesAHostListAndSaysItIsACluster() {
        #expect {
            _ = try RedisConfiguration(url: "redis://10.0.0.1:7000,10.0.0.2:7000", environment: [:])
        } throws: { error in
            let error = error as? RedisError
            return error?.code == .invalidURL && error?.message.contains("cluster's seeds") == true
        }
    }

    @Test(arguments: [
        ("redis://a:1,,b:2", "seed list is empty or has an empty entry"),
        ("redis+sentinel://s1,,s2/m", "at least one Sentinel host"),
        ("redis://a:1,b:x", "port 'x' is not a number"),
        ("redis+sentinel://s1", "no master name"),
        ("redis://h?color=red", "unknown query item 'color'"),
    ])
    func badURLsSayWhichPartIsWrong(text: String, expected: String) {
        #expect {
            _ = try RedisURL(parsing: text)
        } throws: { error in
            let error = error as? RedisError
            return error?.code == .invalidURL && error?.message.contains(expected) == true
        }
    }

    @Test func aClusterTakesOnlyRedisSchemes() throws {
        let sentinel = try RedisURL(parsing: "redis+sentinel://s1,s2/m")
        #expect {
            _ = try RedisClusterConfiguration(url: sentinel, environment: [:])
        } throws: { error in
            (error as? RedisError)?.message == "a cluster URL must use redis:// or rediss://, not redis+sentinel://"
        }
    }
}
