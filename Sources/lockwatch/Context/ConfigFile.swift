import Foundation

/// Where the config file is and how it is read: `--config PATH`, else
/// `$XDG_CONFIG_HOME/lockwatch/config.toml`, else `~/.config/lockwatch/config.toml`.
enum ConfigFile {
    /// The path of the config file, given `--config` (if any) and the environment.
    static func path(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit { return explicit }
        if let base = environment["XDG_CONFIG_HOME"], base.hasPrefix("/") {
            return base + "/lockwatch/config.toml"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/lockwatch/config.toml"
    }

    /// Whether a file exists at `path`.
    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// Reads and parses the file at `path`.
    static func load(_ path: String) throws(ConfigError) -> ContextConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = exists(path) ? "cannot read it" : "no such file; write an example with `\(SelfInvocation.command) config init --config \(SelfInvocation.shellQuoted(path))`"
            throw ConfigError(code: .unreadable, message: "\(path): \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(code: .syntax, message: "\(path): not UTF-8 text")
        }
        return try ContextConfig.parse(text, source: path)
    }
}
