extension LockInspector {
    /// What to look at.
    public enum Selection: Sendable, Hashable, CustomStringConvertible {
        /// Keys starting with this prefix (SCAN MATCH `prefix*`, glob characters escaped).
        case prefix(String)
        /// Keys starting with any of these prefixes (two or more; see ``watching(prefixes:)``).
        ///
        /// Scanned with one `SCAN MATCH prefix*` per prefix, one after the other, rather than
        /// one `SCAN` without `MATCH` filtered here. Measured on this machine (Redis 7, 1,000,000
        /// keys of which 80,000 `lock:` and 20,000 `DUSEPK_REDIS_LOCK_`, COUNT 1000): the server
        /// spent 1.6 s of CPU walking the keyspace twice with MATCH against 1.0 s walking it once
        /// without, but the single walk sent all 1,000,000 keys (11.7 MB) to be filtered here
        /// instead of the 100,000 locks. The walk, not the glob, is the cost, so one SCAN per
        /// prefix costs about one walk per prefix; with the usual one to three prefixes that
        /// stays below shipping a keyspace that is mostly not locks.
        case prefixes([String])
        /// Keys matching this glob.
        case glob(String)

        /// A selection of keys starting with any of `prefixes`: duplicates and prefixes that
        /// another one already covers are dropped (so no key is scanned twice), and one prefix
        /// left gives ``prefix(_:)``. An empty list, or an empty prefix, selects every key.
        public static func watching(prefixes: [String]) -> Selection {
            var kept: [String] = []
            for prefix in prefixes.sorted(by: { $0.utf8.count < $1.utf8.count }) where !kept.contains(where: { prefix.hasPrefix($0) }) {
                kept.append(prefix)
            }
            if kept.count <= 1 { return .prefix(kept.first ?? "") }
            var ordered: [String] = []  // as given, each once
            for prefix in prefixes where kept.contains(prefix) && !ordered.contains(prefix) {
                ordered.append(prefix)
            }
            return .prefixes(ordered)
        }

        /// The SCAN MATCH patterns, scanned one after the other.
        public var patterns: [String] {
            switch self {
            case .prefix(let prefix): [LockInspector.escapeGlob(prefix) + "*"]
            case .prefixes(let prefixes): prefixes.map { LockInspector.escapeGlob($0) + "*" }
            case .glob(let glob): [glob]
            }
        }

        /// The SCAN MATCH patterns as shown to people: `lock:*` or `lock:* DUSEPK_REDIS_LOCK_*`.
        public var pattern: String {
            patterns.joined(separator: " ")
        }

        /// The watched prefixes (a glob's literal start), empty for every key.
        public var prefixList: [String] {
            switch self {
            case .prefix(let prefix): [prefix]
            case .prefixes(let prefixes): prefixes
            case .glob(let glob): [String(glob.prefix { !"*?[\\".contains($0) })]
            }
        }

        /// The prefixes a change stream must track to see every watched key: each prefix, or
        /// a glob's literal start; none when that would be every key.
        public var trackedPrefixes: [String] {
            let prefixes = prefixList
            return prefixes.contains("") ? [] : prefixes
        }

        /// This selection with `more` prefixes watched as well; a glob stays as it is.
        public func adding(prefixes more: [String]) -> Selection {
            switch self {
            case .glob: self
            case .prefix, .prefixes: .watching(prefixes: prefixList + more)
            }
        }

        /// Whether `key` is one of the watched keys (as SCAN MATCH would decide).
        public func matches(_ key: [UInt8]) -> Bool {
            switch self {
            case .prefix(let prefix): key.starts(with: prefix.utf8)
            case .prefixes(let prefixes): prefixes.contains { key.starts(with: $0.utf8) }
            case .glob(let glob): KeyGlob.matches(Array(glob.utf8), key)
            }
        }

        /// The prefix or glob as given (several prefixes separated by spaces).
        public var description: String {
            switch self {
            case .prefix(let prefix): prefix
            case .prefixes(let prefixes): prefixes.joined(separator: " ")
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
