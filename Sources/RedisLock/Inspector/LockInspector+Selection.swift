extension LockInspector {
    /// What to look at.
    public enum Selection: Sendable, Hashable, CustomStringConvertible {
        /// Keys starting with this prefix (SCAN MATCH `prefix*`, glob characters escaped).
        case prefix(String)
        /// Keys matching this glob.
        case glob(String)

        /// The SCAN MATCH pattern.
        public var pattern: String {
            switch self {
            case .prefix(let prefix): LockInspector.escapeGlob(prefix) + "*"
            case .glob(let glob): glob
            }
        }

        /// Whether `key` is one of the watched keys (as SCAN MATCH would decide).
        public func matches(_ key: [UInt8]) -> Bool {
            switch self {
            case .prefix(let prefix): key.starts(with: prefix.utf8)
            case .glob(let glob): KeyGlob.matches(Array(glob.utf8), key)
            }
        }

        /// The prefix or glob as given.
        public var description: String {
            switch self {
            case .prefix(let prefix): prefix
            case .glob(let glob): glob
            }
        }
    }

    /// Escapes SCAN glob characters in a literal prefix.
    static func escapeGlob(_ text: String) -> String {
        var result = ""
        for character in text {
            if "*?[]\\".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
