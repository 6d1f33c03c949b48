import ArgumentParser
import Foundation
import RESP

/// The options every command uses to reach Redis: one server, a cluster, or a Redlock set.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "redis://[user@]host[:port][/db], rediss://…, unix:///path, redis+sentinel://host:26379[,host:port…]/MASTER, or a cluster's redis://host1:port1,host2:port2. Repeat it for a Redlock set of independent servers. (Default: $REDIS_URL, else redis://127.0.0.1:6379.) Put no password here: use $REDIS_URL, $REDIS_PASSWORD or --password-file. One connection attempt, handshake included, gives up after the URL's connect_timeout (default 5s).",
        valueName: "url"))
    var url: [String] = []

    @Flag(help: "Treat a single --url as a seed of a Redis Cluster (found out by itself when the server says it is one).")
    var cluster = false

    @Option(name: .long, help: "Read the password from this file (first line); it applies to every node.")
    var passwordFile: String?

    @Flag(help: "On connection failures, show the underlying error and every attempt (timestamped), not only the one-line summary.")
    var verbose = false

    @Option(name: .customLong("context"), help: ArgumentHelp(
        "Use this context of the config file: its URL, password reference, prefixes, read-only, interval and header label (see `lockwatch contexts`). Command-line options win over it; not with --url.",
        valueName: "name"))
    var contextName: String?

    @OptionGroup var configFile: ConfigFileOption

    func validate() throws {
        if contextName != nil && !url.isEmpty {
            throw ValidationError("give --context or --url, not both (the context names its URL)")
        }
        if cluster && url.count > 1 {
            throw ValidationError("--cluster takes one seed list (--url redis://h1:p1,h2:p2); several --url mean a Redlock set")
        }
    }

    /// What these options point at, or a usage error naming what is wrong.
    func target() throws -> RedisTarget {
        LogSetup.setVerbose(verbose)
        let context = try selectedContext()
        let contextPassword = try context.flatMap { try Self.password(of: $0) }
        let url = context?.url.map { [$0] } ?? self.url
        if url.count > 1 {
            var nodes: [RedisConfiguration] = []
            for (index, text) in url.enumerated() {
                let parsed = try Self.parse(text)
                if parsed.isSeedList {
                    throw ValidationError("--url #\(index + 1): a Redlock set takes one server per --url, not a seed list")
                }
                nodes.append(try configuration(from: parsed, password: contextPassword))
            }
            return .redlock(nodes)
        }
        guard let text = url.first else {
            if cluster { throw ValidationError("--cluster needs --url with the cluster's seed nodes") }
            do {
                return .single(try finish(try RedisConfiguration(), password: contextPassword))
            } catch let error as RedisError {
                throw ValidationError("$REDIS_URL: \(error.message)")
            }
        }
        let parsed = try Self.parse(text)
        if parsed.isSeedList || cluster {
            do {
                var configuration = try RedisClusterConfiguration(url: parsed)
                configuration.node = try finish(configuration.node, password: contextPassword)
                return .cluster(configuration)
            } catch let error as RedisError {
                throw ValidationError("--url: \(error.message)")
            }
        }
        return .single(try configuration(from: parsed, password: contextPassword))
    }

    /// `text` parsed once, without a password (other users can read command lines).
    private static func parse(_ text: String) throws -> RedisURL {
        let url: RedisURL
        do {
            url = try RedisURL(parsing: text)
        } catch {
            throw ValidationError("--url: \(error.message)")
        }
        if url.hasPassword { throw passwordInURL }
        return url
    }

    /// The configuration of one server from `url`.
    private func configuration(from url: RedisURL, password: String?) throws -> RedisConfiguration {
        do {
            return try finish(try RedisConfiguration(url: url), password: password)
        } catch let error as RedisError {
            throw ValidationError("--url: \(error.message)")
        }
    }

    /// Applies the context's password, --password-file (which wins) and the client name.
    private func finish(_ configuration: RedisConfiguration, password: String?) throws -> RedisConfiguration {
        var configuration = configuration
        if let password { configuration.password = password }
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ValidationError("--password-file: cannot read '\(passwordFile)'")
            }
            configuration.password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        configuration.clientName = configuration.clientName ?? "lockwatch"
        return configuration
    }

    private static let passwordInURL = ValidationError(
        "--url must not contain a password (other users can read command lines): put it in $REDIS_URL, $REDIS_PASSWORD or --password-file")
}
