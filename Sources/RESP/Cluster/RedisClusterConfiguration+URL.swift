extension RedisClusterConfiguration {
    /// Parses a cluster URL: a Redis URL whose host part lists seed nodes separated by commas.
    ///
    /// `redis://[user[:password]@]host1[:port1],host2[:port2],…[?query]` (or `rediss://` for
    /// TLS). Everything but the host list means what it means for
    /// ``RedisConfiguration/init(url:environment:)-(String,_)`` and applies to every node; a database other
    /// than 0 is rejected (a cluster has only database 0). Percent-encode `/`, `?` and `@` in
    /// the user name and password.
    ///
    /// - Throws: ``RedisError/Code/invalidURL`` naming the part that is wrong, or
    ///   ``RedisError/Code/invalidConfiguration`` for a unix socket or a database.
    public init(url: String, environment: [String: String] = RedisConfiguration.processEnvironment) throws(RedisError) {
        guard let schemeEnd = url.range(of: "://") else {
            throw RedisError(.invalidURL, "a cluster URL starts with redis:// or rediss:// and lists host:port seeds separated by commas")
        }
        let scheme = url[..<schemeEnd.lowerBound]
        guard scheme == "redis" || scheme == "rediss" else {
            throw RedisError(.invalidURL, "a cluster URL must use redis:// or rediss://, not \(scheme)://")
        }
        try self.init(url: RedisURL(parsing: url), environment: environment)
    }

    /// The cluster whose seeds `url` lists (one host is one seed); every other part of the URL
    /// applies to every node, as for one server.
    ///
    /// - Throws: ``RedisError/Code/invalidURL`` for a scheme other than `redis://` or
    ///   `rediss://` or an item that is wrong, ``RedisError/Code/invalidConfiguration`` for a
    ///   database.
    public init(url: RedisURL, environment: [String: String] = RedisConfiguration.processEnvironment) throws(RedisError) {
        guard url.scheme == .redis || url.scheme == .rediss else {
            throw RedisError(.invalidURL, "a cluster URL must use redis:// or rediss://, not \(url.scheme.rawValue)://")
        }
        var seeds: [RedisConfiguration.Endpoint] = []
        for host in url.hosts where !seeds.contains(host) { seeds.append(host) }
        self.init(seeds: seeds, node: try RedisConfiguration(node: url, endpoint: seeds[0], environment: environment))
        try validate()
    }
}
