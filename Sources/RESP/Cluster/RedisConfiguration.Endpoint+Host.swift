extension RedisConfiguration.Endpoint {
    /// The TCP host, `nil` for a unix socket.
    var host: String? {
        if case .tcp(let host, _) = self { return host }
        return nil
    }
}
