extension Duration {
    /// The forms ``init(parsing:)`` accepts, for error messages and help texts.
    static let acceptedParsingForms =
        "a non-negative number with unit ms, s or m, e.g. 500ms, 5s, 1.5s or 2m (a bare number means seconds)"

    /// The largest duration ``init(parsing:)`` accepts: `Int64.max` nanoseconds (about 292 years),
    /// so every parsed value converts to a NIO `TimeAmount` and to clock deadlines without overflow.
    static let maxParsedAttoseconds = Int128(Int64.max) * 1_000_000_000

    /// Parses a duration as written in a URL query or on a command line.
    ///
    /// Accepted: ASCII digits, optionally a `.` and more digits, then a unit: `ms`
    /// (milliseconds), `s` (seconds), `m` (minutes) or none (seconds). Examples: `500ms`, `10s`,
    /// `1.5s`, `2m`, `30`. No sign, spaces, exponent or upper-case units. The value may be zero and
    /// at most `Int64.max` nanoseconds (about 292 years).
    ///
    /// - Parameter text: The text to parse, for example `"500ms"`.
    /// - Throws: ``RedisError`` with code ``RedisError/Code/invalidConfiguration`` when `text` is
    ///   empty, negative, malformed or too large; the message quotes `text` and lists the
    ///   accepted forms.
    public init(parsing text: String) throws(RedisError) {
        func failure(_ problem: String) -> RedisError {
            RedisError(.invalidConfiguration, "\(problem): use \(Duration.acceptedParsingForms)")
        }
        if text.isEmpty { throw failure("duration is empty") }

        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") { throw failure("duration '\(text)' is negative") }

        // The unit, as attoseconds per unit.
        let unit: Int128
        if bytes.count >= 2, bytes.suffix(2).elementsEqual("ms".utf8) {
            unit = 1_000_000_000_000_000
            bytes = bytes.dropLast(2)
        } else if bytes.last == UInt8(ascii: "s") {
            unit = 1_000_000_000_000_000_000
            bytes = bytes.dropLast()
        } else if bytes.last == UInt8(ascii: "m") {
            unit = 60 * 1_000_000_000_000_000_000
            bytes = bytes.dropLast()
        } else {
            unit = 1_000_000_000_000_000_000
        }

        // The number: digits, optionally followed by '.' and digits.
        let integerDigits: ArraySlice<UInt8>
        var fractionDigits: ArraySlice<UInt8> = []
        if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) {
            integerDigits = bytes[..<dot]
            fractionDigits = bytes[(dot + 1)...]
            if fractionDigits.isEmpty { throw failure("duration '\(text)' is not valid") }
        } else {
            integerDigits = bytes
        }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard !integerDigits.isEmpty, integerDigits.allSatisfy(isDigit), fractionDigits.allSatisfy(isDigit)
        else { throw failure("duration '\(text)' is not valid") }

        let tooLarge = failure("duration '\(text)' is too large (the maximum is about 292 years)")
        let limit = Duration.maxParsedAttoseconds
        var whole: Int128 = 0
        for digit in integerDigits {
            whole = whole * 10 + Int128(digit - UInt8(ascii: "0"))
            if whole > limit / unit { throw tooLarge }
        }
        // Digits beyond the 18th decimal place are below an attosecond per unit; drop them.
        var fraction: Int128 = 0
        var scale: Int128 = 1
        for digit in fractionDigits.prefix(18) {
            fraction = fraction * 10 + Int128(digit - UInt8(ascii: "0"))
            scale *= 10
        }
        let total = whole * unit + fraction * unit / scale
        if total > limit { throw tooLarge }
        let second: Int128 = 1_000_000_000_000_000_000
        self.init(secondsComponent: Int64(total / second), attosecondsComponent: Int64(total % second))
    }

    /// The duration in the shortest form ``init(parsing:)`` reads back exactly: `2m`, `5s`,
    /// `500ms`, or decimal seconds such as `0.0000015s`.
    var parsableDescription: String {
        let (seconds, attoseconds) = components
        let total = Int128(seconds) * 1_000_000_000_000_000_000 + Int128(attoseconds)
        let sign = total < 0 ? "-" : ""
        let magnitude = total < 0 ? -total : total
        let second: Int128 = 1_000_000_000_000_000_000
        if magnitude != 0, magnitude % (60 * second) == 0 { return "\(sign)\(magnitude / (60 * second))m" }
        if magnitude % second == 0 { return "\(sign)\(magnitude / second)s" }
        if magnitude % 1_000_000_000_000_000 == 0 { return "\(sign)\(magnitude / 1_000_000_000_000_000)ms" }
        var fraction = String(magnitude % second)
        fraction = String(repeating: "0", count: 18 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(magnitude / second).\(fraction)s"
    }
}
