extension RedisConfiguration {
    /// The configuration as a URL without the password, for display and logging:
    /// e.g. `redis://ops@127.0.0.1:6379/2`.
    ///
    /// The port is always present; the database only when it is not 0. Settings that differ from
    /// the defaults (client name, protocol, timeouts, TLS files and options) follow as query
    /// items, so ``init(url:environment:)-(String,_)`` reads the result back into the same configuration,
    /// minus the password.
    public var redactedURL: String {
        let defaults = RedisConfiguration(endpoint: endpoint)
        var url: String
        var query: [(String, String)] = []
        switch endpoint {
        case .tcp where sentinel != nil:
            url = tls == nil ? "redis+sentinel://" : "rediss+sentinel://"
            if let username { url += RedisURLParser.percentEncode(username) + "@" }
            url += (sentinel?.sentinels ?? []).map(\.description).joined(separator: ",")
            url += "/" + RedisURLParser.percentEncode(sentinel?.masterName ?? "")
            if database != 0 { url += "/\(database)" }
        case .tcp(let host, let port):
            url = tls == nil ? "redis://" : "rediss://"
            if let username { url += RedisURLParser.percentEncode(username) + "@" }
            if host.contains(":") {
                url += "[" + host.replacingPercent() + "]"
            } else {
                url += host.replacingPercent()
            }
            url += ":\(port)"
            if database != 0 { url += "/\(database)" }
        case .unixSocket(let path):
            url = "unix://" + RedisURLParser.percentEncode(path, keeping: "/")
            if database != 0 { query.append(("db", "\(database)")) }
            if let username { query.append(("user", username)) }
        }
        if let clientName { query.append(("name", clientName)) }
        if protocolPreference != defaults.protocolPreference {
            query.append(("protocol", protocolPreference == .resp2 ? "2" : "3"))
        }
        if let proxy { query.append(("proxy", proxy.rawValue)) }
        if commandTimeout != defaults.commandTimeout {
            query.append(("timeout", commandTimeout.parsableDescription))
        }
        if connectTimeout != defaults.connectTimeout {
            query.append(("connect_timeout", connectTimeout.parsableDescription))
        }
        if let tls {
            if let caFile = tls.caFile { query.append(("ca", caFile)) }
            if let certificateFile = tls.certificateFile { query.append(("cert", certificateFile)) }
            if let keyFile = tls.keyFile { query.append(("key", keyFile)) }
            if !tls.verifyPeer { query.append(("verify", "none")) }
            if let serverName = tls.serverName { query.append(("sni", serverName)) }
        }
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\(RedisURLParser.percentEncode($0.1, keeping: "/"))" }
                .joined(separator: "&")
        }
        return url
    }
}

extension String {
    /// The string with every `%` written as `%25`, for hosts (IPv6 zone ids) in a URL.
    fileprivate func replacingPercent() -> String {
        var result = ""
        for character in self { result += character == "%" ? "%25" : String(character) }
        return result
    }
}
