import LockWatchUI
import RESP
import TOMLKit

/// The contexts of a config file, parsed and checked, in the file's order.
///
/// ```toml
/// [contexts.prod]
/// url = "rediss://redis.prod.internal:6380"
/// password_env = "PROD_REDIS_PASSWORD"
/// prefixes = ["lock:"]
/// readonly = true
/// interval = "2s"
/// label = "PRODUCTION"
/// colour = "red"
/// ```
struct ContextConfig: Sendable, Equatable {
    /// The contexts, in the order the file names them.
    var contexts: [LockwatchContext]

    /// The keys a context may have.
    static let contextKeys = ["url", "password_env", "password_file", "prefixes", "readonly", "interval", "label", "colour", "color"]

    /// The colour names `colour` accepts.
    static let colourNames: [String: TerminalColor] = [
        "red": .red, "green": .green, "yellow": .yellow, "blue": .blue, "magenta": .magenta, "cyan": .cyan, "white": .white,
    ]

    /// Parses `text`; `source` (the file's path) is named in every error.
    static func parse(_ text: String, source: String) throws(ConfigError) -> ContextConfig {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(code: .syntax, message: "\(source): line \(error.source.begin.line): \(error.description)")
        } catch {
            throw ConfigError(code: .syntax, message: "\(source): not valid TOML")
        }
        for key in root.keys where key != "contexts" {
            throw ConfigError(code: .unknownKey, message: "\(source): unknown top-level key '\(key)'; contexts go in [contexts.NAME] tables")
        }
        guard let contextsValue = root["contexts"] else { return ContextConfig(contexts: []) }
        guard let contexts = contextsValue.table else {
            throw ConfigError(code: .invalidValue, message: "\(source): 'contexts' must be tables: [contexts.NAME]")
        }
        var parsed: [LockwatchContext] = []
        for name in contexts.keys {
            guard let table = contexts[name]?.table else {
                throw ConfigError(code: .invalidValue, message: "\(source): 'contexts.\(name)' must be a table: [contexts.\(name)]")
            }
            parsed.append(try context(name, from: table, source: source))
        }
        return ContextConfig(contexts: parsed)
    }

    /// The context called `name`, or an error listing the known ones.
    func context(named name: String, source: String) throws(ConfigError) -> LockwatchContext {
        if let found = contexts.first(where: { $0.name == name }) { return found }
        let known = contexts.isEmpty ? "it has no contexts" : "known: " + contexts.map(\.name).joined(separator: ", ")
        throw ConfigError(code: .missingContext, message: "no context '\(name)' in \(source) (\(known))")
    }

    private static func context(_ name: String, from table: TOMLTable, source: String) throws(ConfigError) -> LockwatchContext {
        let place = "\(source): [contexts.\(name)]"
        var context = LockwatchContext(name: name)
        for key in table.keys {
            guard let value = table[key] else { continue }
            switch key {
            case "password":
                throw ConfigError(code: .inlinePassword, message: "\(place): an inline password is refused (config files get copied and shared); use password_env = \"VARIABLE\" or password_file = \"/path/to/file\"")
            case "url":
                let url = try string(value, key, place)
                try checkURL(url, place: place)
                context.url = url
            case "password_env":
                context.password = try passwordSource(context.password, .environment(string(value, key, place)), place)
            case "password_file":
                context.password = try passwordSource(context.password, .file(string(value, key, place)), place)
            case "prefixes":
                guard let array = value.array else {
                    throw ConfigError(code: .invalidValue, message: "\(place): prefixes must be a list of strings, e.g. prefixes = [\"lock:\"]")
                }
                var prefixes: [String] = []
                for element in array {
                    guard let prefix = element.string else {
                        throw ConfigError(code: .invalidValue, message: "\(place): prefixes must be a list of strings, e.g. prefixes = [\"lock:\"]")
                    }
                    prefixes.append(prefix)
                }
                context.prefixes = prefixes
            case "readonly":
                guard let flag = value.bool else {
                    throw ConfigError(code: .invalidValue, message: "\(place): readonly must be true or false")
                }
                context.readOnly = flag
            case "interval":
                let text = try string(value, key, place)
                guard let interval = DurationOption(argument: text), interval.duration >= .milliseconds(100) else {
                    throw ConfigError(code: .invalidValue, message: "\(place): interval must be a duration of at least 100ms, like \"2s\" (got '\(text)')")
                }
                context.interval = interval.duration
            case "label":
                context.label = try string(value, key, place)
            case "colour", "color":
                let text = try string(value, key, place)
                guard let colour = colourNames[text.lowercased()] else {
                    throw ConfigError(code: .invalidValue, message: "\(place): \(key) '\(text)' is not one of \(colourNames.keys.sorted().joined(separator: ", "))")
                }
                context.colour = colour
            default:
                throw ConfigError(code: .unknownKey, message: "\(place): unknown key '\(key)'; known keys: \(contextKeys.joined(separator: ", "))")
            }
        }
        return context
    }

    private static func string(_ value: any TOMLValueConvertible, _ key: String, _ place: String) throws(ConfigError) -> String {
        guard let text = value.string else {
            throw ConfigError(code: .invalidValue, message: "\(place): \(key) must be a string in quotes")
        }
        return text
    }

    private static func passwordSource(
        _ existing: LockwatchContext.PasswordSource?, _ new: LockwatchContext.PasswordSource, _ place: String
    ) throws(ConfigError) -> LockwatchContext.PasswordSource {
        guard existing == nil else {
            throw ConfigError(code: .invalidValue, message: "\(place): give password_env or password_file, not both")
        }
        return new
    }

    /// Refuses a URL that carries a password, or that lockwatch cannot parse.
    private static func checkURL(_ url: String, place: String) throws(ConfigError) {
        let hasPassword: Bool
        do {
            if RedisTarget.isSeedList(url) {
                hasPassword = try RedisClusterConfiguration(url: url, environment: [:]).node.password != nil
            } else {
                hasPassword = try RedisConfiguration(url: url, environment: [:]).password != nil
            }
        } catch {
            throw ConfigError(code: .invalidValue, message: "\(place): url: \(error.message)")
        }
        if hasPassword {
            throw ConfigError(code: .inlinePassword, message: "\(place): the url must not contain a password; use password_env = \"VARIABLE\" or password_file = \"/path/to/file\"")
        }
    }
}
