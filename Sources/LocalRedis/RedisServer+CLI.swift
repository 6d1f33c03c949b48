import Foundation

extension RedisServer {
    /// Runs `redis-cli` against this server and returns its standard output, trimmed.
    ///
    /// Connection arguments are added automatically (`-h`/`-p`, or `-s` for a unix-socket-only
    /// server; `--tls --cacert --cert --key` with the test certificates when TLS is on) plus
    /// `--no-auth-warning`. Credentials are not: pass `-a PASSWORD` or
    /// `--user NAME --pass PASSWORD` in `arguments` when needed.
    /// redis-cli exits with status 0 for error replies, so those come back as text
    /// (e.g. `"NOAUTH Authentication required."`); a nil reply comes back as `""`.
    /// - Parameter arguments: further redis-cli arguments, usually a command, e.g. `["SET", "k", "v"]`.
    /// - Throws: ``RedisServerError`` if redis-cli is missing, exits with a non-zero status
    ///   (e.g. it cannot connect) or does not finish within 10 s.
    public func cli(_ arguments: [String]) throws -> String {
        let executable = try Executables.redisCLI()
        var fullArguments: [String] = []
        if launcher.options.tcp {
            fullArguments += ["-h", host, "-p", String(port)]
        } else if let unixSocketPath {
            fullArguments += ["-s", unixSocketPath]
        }
        if let certificates {
            fullArguments += [
                "--tls",
                "--cacert", certificates.caFile,
                "--cert", certificates.clientCertificateFile,
                "--key", certificates.clientKeyFile,
            ]
        }
        fullArguments.append("--no-auth-warning")
        fullArguments += arguments

        let result = try ProcessRunner.run(executable, fullArguments)
        let command = (["redis-cli"] + fullArguments).joined(separator: " ")
        if result.timedOut {
            throw RedisServerError("\(command) did not finish within 10 s and was killed")
        }
        guard result.status == 0 else {
            throw RedisServerError("\(command) failed (exit \(result.status)):\n\(result.combinedOutput)")
        }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
