/// The one check of every argument a lock takes: tokens, TTLs, owner labels, renewal
/// fractions. ``Locker``, ``Redlock`` and ``LegacyLock`` all validate through it, so a value
/// is accepted or refused with the same message whichever lock is used.
enum LockValidation {
    /// The longest TTL any lock accepts, in milliseconds: one year.
    static let maximumTTLMilliseconds: Int64 = 365 * 24 * 3_600_000

    /// 128 random bits from the system's CSPRNG, as 32 lowercase hex digits.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0 ..< 16 {
                let shift = UInt64(60 - 4 * index)
                buffer[index] = hexDigit(high >> shift)
                buffer[16 + index] = hexDigit(low >> shift)
            }
            return 32
        }
    }

    /// The ASCII lowercase hex digit of `value`'s lowest four bits.
    private static func hexDigit(_ value: UInt64) -> UInt8 {
        let nibble = UInt8(truncatingIfNeeded: value) & 0xF
        return nibble < 10 ? 0x30 + nibble : 0x57 + nibble
    }

    /// The caller's `token` checked for `layout`, or a new random one when `nil`.
    static func token(_ token: String?, layout: LockLayout) throws(LockError) -> String {
        guard let token else { return newToken() }
        switch layout {
        case .record: return try recordToken(token)
        case .legacy: return try legacyToken(token)
        }
    }

    /// A token of the Go lock's layout: Go services use free strings (host names, UUIDs, …),
    /// so any printable text, without control or format characters, up to 256 bytes.
    static func legacyToken(_ token: String) throws(LockError) -> String {
        guard !token.isEmpty, token.utf8.count <= LockLayout.maximumLegacyTokenLength, !token.hasControlOrFormatCharacters else {
            throw LockError(.invalidArgument, "a legacy lock token must be 1-\(LockLayout.maximumLegacyTokenLength) bytes of printable text, not '\(token.escapedForMessages)'")
        }
        return token
    }

    /// A token of this library's records: it is stored inside JSON and matched by a script,
    /// so letters, digits, `.`, `_`, `:` and `-` only.
    static func recordToken(_ token: String) throws(LockError) -> String {
        guard !token.isEmpty, token.utf8.count <= LockRecord.maximumTokenLength,
              token.utf8.allSatisfy({ byte in
                  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                      || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
              }) else {
            throw LockError(.invalidArgument, "a lock token must be 1-\(LockRecord.maximumTokenLength) letters, digits, '.', '_', ':' or '-'")
        }
        return token
    }

    /// The owner label: 1-``LockRecord/maximumOwnerLength`` bytes of printable text.
    static func owner(_ owner: String) throws(LockError) {
        guard !owner.isEmpty, owner.utf8.count <= LockRecord.maximumOwnerLength else {
            throw LockError(.invalidArgument, "an owner label must be 1-\(LockRecord.maximumOwnerLength) bytes")
        }
        if owner.hasControlOrFormatCharacters {
            throw LockError(.invalidArgument, "the owner label '\(owner.escapedForMessages)' contains control or format characters; use printable text")
        }
    }

    /// A renewal fraction must leave room for renewals: 0 would extend back to back, 1 or more
    /// would renew only after the lease expired.
    static func renewalFraction(_ fraction: Double) throws(LockError) {
        guard fraction > 0.01, fraction < 0.9 else {
            throw LockError(.invalidArgument, "renewalFraction must be between 0.01 and 0.9 of the TTL (default 1/3), not \(fraction)")
        }
    }

    /// The TTL in whole milliseconds (at least 1, at most one year).
    static func ttl(_ ttl: Duration) throws(LockError) -> Int64 {
        let milliseconds = ttl.milliseconds
        guard milliseconds >= 1, milliseconds <= maximumTTLMilliseconds else {
            throw LockError(.invalidArgument, "a lock TTL must be between 1 ms and one year, not \(milliseconds) ms")
        }
        return milliseconds
    }

    /// A TTL in whole seconds, as the Go lock's API takes it (1 s to one year).
    static func expireSeconds(_ seconds: Int) throws(LockError) -> Int {
        let maximum = Int(maximumTTLMilliseconds / 1000)
        guard seconds >= 1, seconds <= maximum else {
            throw LockError(.invalidArgument, "expireSeconds must be between 1 and \(maximum) (one year), not \(seconds)")
        }
        return seconds
    }

    /// The owner label escaped for a JSON string (validation already ruled out controls).
    static func jsonEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default: result.append(character)
            }
        }
        return result
    }

    /// The clock-drift allowance subtracted from a TTL when computing a lease's validity:
    /// `factor` of it plus 2 ms.
    static func drift(for ttl: Duration, factor: Double) -> Duration {
        ttl * factor + .milliseconds(2)
    }
}

extension String {
    /// Whether any scalar is a control, format or line/paragraph separator character.
    var hasControlOrFormatCharacters: Bool {
        unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: true
            default: false
            }
        }
    }
}
