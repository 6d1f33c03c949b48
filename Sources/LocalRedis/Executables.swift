import Foundation

/// Locates the external tools the harness runs.
package enum Executables {
    package static func redisServer() throws(RedisServerError) -> String {
        try locate("redis-server", aptPackages: "redis-server redis-tools")
    }

    package static func redisCLI() throws(RedisServerError) -> String {
        try locate("redis-cli", aptPackages: "redis-server redis-tools")
    }

    package static func openSSL() throws(RedisServerError) -> String {
        try locate("openssl", aptPackages: "openssl")
    }

    /// Prefers `/usr/bin/NAME`, then the first match on `PATH`.
    private static func locate(_ name: String, aptPackages: String) throws(RedisServerError) -> String {
        let fileManager = FileManager.default
        var candidates = ["/usr/bin/\(name)"]
        if let path = ProcessInfo.processInfo.environment["PATH"] {
            candidates += path.split(separator: ":").map { "\($0)/\(name)" }
        }
        for candidate in candidates where fileManager.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw .executableNotFound(name, aptPackages: aptPackages)
    }
}
