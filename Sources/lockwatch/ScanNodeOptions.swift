import ArgumentParser
import Foundation
import Logging
import RESP

/// `--scan-node URL` (repeatable): the servers behind a proxy whose keys are listed with `SCAN`
/// directly, while values are still read through the proxy `--url` names. twemproxy needs it
/// (it has no way to list keys); for Codis it replaces `SLOTSSCAN` through the proxy.
struct ScanNodeOptions: ParsableArguments {
    @Option(name: .customLong("scan-node"), help: ArgumentHelp(
        "A server behind the proxy to list keys on with SCAN (repeat it for every one; needed for twemproxy, optional for Codis, which is listed with SLOTSSCAN through the proxy). Values are still read through --url. The password applies as for --url.",
        valueName: "url"))
    var urls: [String] = []

    /// A client per `--scan-node`, with the password of `--password-file` or the environment;
    /// a usage error for a URL that does not parse or carries a password.
    func clients(passwordFile: String?, logger: Logger = LogSetup.connectionLogger) throws -> [RedisClient] {
        var password: String?
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ValidationError("--password-file: cannot read '\(passwordFile)'")
            }
            password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        return try urls.map { text in
            var configuration: RedisConfiguration
            do {
                if try RedisConfiguration(url: text, environment: [:]).password != nil {
                    throw ValidationError("--scan-node must not contain a password: put it in $REDIS_PASSWORD or --password-file")
                }
                configuration = try RedisConfiguration(url: text)
            } catch let error as RedisError {
                throw ValidationError("--scan-node \(text): \(error.message)")
            }
            if let password { configuration.password = password }
            configuration.clientName = configuration.clientName ?? "lockwatch"
            return RedisClient(configuration: configuration, logger: logger)
        }
    }
}
