extension RedisClusterConfiguration {
    /// Parses a cluster URL: a Redis URL whose host part lists seed nodes separated by commas.
    ///
    /// `redis://[user[:password]@]host1[:port1],host2[:port2],…[?query]` (or `rediss://` for
    /// TLS). Everything but the host list means what it means for
    /// ``RedisConfiguration/init(url:environment:)`` and applies to every node; a database other
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
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let hostsStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
        let userInfo = rest[..<hostsStart]
        let hosts = authority[hostsStart...].split(separator: ",", omittingEmptySubsequences: false)
        guard !hosts.isEmpty, !hosts.contains(where: \.isEmpty) else {
            throw RedisError(.invalidURL, "the cluster URL's seed list is empty or has an empty entry; write host1:port1,host2:port2")
        }
        var node = try RedisConfiguration(url: "\(scheme)://\(userInfo)\(hosts[0])\(rest[authorityEnd...])", environment: environment)
        var seeds = [node.endpoint]
        for host in hosts.dropFirst() {
            let seed = try RedisConfiguration(url: "\(scheme)://\(host)", environment: [:]).endpoint
            if !seeds.contains(seed) { seeds.append(seed) }
        }
        node.endpoint = seeds[0]
        self.init(seeds: seeds, node: node)
        try validate()
    }
}
