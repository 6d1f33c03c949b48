import ArgumentParser
import Foundation
import RESP

/// The options every command uses to reach Redis.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "redis://[user@]host[:port][/db], rediss://…, unix:///path or redis+sentinel://host:26379[,host:port…]/MASTER (default: $REDIS_URL, else redis://127.0.0.1:6379). Put no password here: use $REDIS_URL, $REDIS_PASSWORD or --password-file.")
    var url: String?

    @Option(name: .long, help: "Read the password from this file (first line).")
    var passwordFile: String?

    /// The configuration these options describe, or a usage error naming what is wrong.
    func redisConfiguration() throws -> RedisConfiguration {
        var configuration: RedisConfiguration
        do {
            if let url {
                if try RedisConfiguration(url: url, environment: [:]).password != nil {
                    throw ValidationError("--url must not contain a password (other users can read command lines): put it in $REDIS_URL, $REDIS_PASSWORD or --password-file")
                }
                configuration = try RedisConfiguration(url: url)
            } else {
                configuration = try RedisConfiguration()
            }
        } catch let error as RedisError {
            throw ValidationError("\(url == nil ? "$REDIS_URL" : "--url"): \(error.message)")
        }
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ValidationError("--password-file: cannot read '\(passwordFile)'")
            }
            configuration.password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        configuration.clientName = configuration.clientName ?? "lockwatch"
        return configuration
    }
}
