/// Redis's glob matching (`SCAN MATCH`, `KEYS`), on bytes: `*`, `?`, `[abc]`, `[^a-z]` and
/// `\` escapes. Lets a notification's key be checked against the watched glob without asking
/// the server.
enum KeyGlob {
    /// Whether `key` matches `pattern`, as the server would decide.
    static func matches(_ pattern: [UInt8], _ key: [UInt8]) -> Bool {
        matches(pattern[...], key[...])
    }

    private static let star = UInt8(ascii: "*")
    private static let question = UInt8(ascii: "?")
    private static let open = UInt8(ascii: "[")
    private static let close = UInt8(ascii: "]")
    private static let caret = UInt8(ascii: "^")
    private static let dash = UInt8(ascii: "-")
    private static let backslash = UInt8(ascii: "\\")

    private static func matches(_ pattern: ArraySlice<UInt8>, _ key: ArraySlice<UInt8>) -> Bool {
        var pattern = pattern
        var key = key
        while let first = pattern.first {
            switch first {
            case star:
                while pattern.first == star { pattern = pattern.dropFirst() }
                if pattern.isEmpty { return true }
                var rest = key
                while true {
                    if matches(pattern, rest) { return true }
                    if rest.isEmpty { return false }
                    rest = rest.dropFirst()
                }
            case question:
                guard !key.isEmpty else { return false }
                key = key.dropFirst()
                pattern = pattern.dropFirst()
            case open:
                guard let byte = key.first else { return false }
                let (matched, rest) = matchClass(pattern.dropFirst(), byte)
                guard matched else { return false }
                pattern = rest
                key = key.dropFirst()
            default:
                var literal = first
                if first == backslash, pattern.count >= 2 {
                    pattern = pattern.dropFirst()
                    literal = pattern.first!
                }
                guard key.first == literal else { return false }
                key = key.dropFirst()
                pattern = pattern.dropFirst()
            }
        }
        return key.isEmpty
    }

    /// Matches `byte` against the class that starts after `[`; returns the pattern after `]`.
    private static func matchClass(_ pattern: ArraySlice<UInt8>, _ byte: UInt8) -> (Bool, ArraySlice<UInt8>) {
        var pattern = pattern
        let negated = pattern.first == caret
        if negated { pattern = pattern.dropFirst() }
        var matched = false
        while let first = pattern.first, first != close {
            if first == backslash, pattern.count >= 2 {
                pattern = pattern.dropFirst()
                if pattern.first == byte { matched = true }
                pattern = pattern.dropFirst()
            } else if pattern.count >= 3, pattern[pattern.startIndex + 1] == dash {
                let low = min(first, pattern[pattern.startIndex + 2])
                let high = max(first, pattern[pattern.startIndex + 2])
                if (low...high).contains(byte) { matched = true }
                pattern = pattern.dropFirst(3)
            } else {
                if first == byte { matched = true }
                pattern = pattern.dropFirst()
            }
        }
        return (matched != negated, pattern.dropFirst())
    }
}
