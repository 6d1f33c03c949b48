extension Locker {
    /// 128 random bits from the system's CSPRNG, as 32 lowercase hex digits.
    static func makeToken() -> String {
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

    /// A caller's token for this locker's layout: see ``validateToken(_:)`` and
    /// ``validateLegacyToken(_:)``.
    func validateToken(_ token: String) throws(LockError) -> String {
        switch configuration.layout {
        case .record: try Self.validateToken(token)
        case .legacy: try Self.validateLegacyToken(token)
        }
    }

    /// A token of the Go lock's layout: Go services use free strings (host names, UUIDs, …),
    /// so any printable text, without control or format characters, up to 256 bytes.
    static func validateLegacyToken(_ token: String) throws(LockError) -> String {
        guard !token.isEmpty, token.utf8.count <= LockLayout.maximumLegacyTokenLength, !token.hasControlOrFormatCharacters else {
            throw LockError(.invalidArgument, "a legacy lock token must be 1-\(LockLayout.maximumLegacyTokenLength) bytes of printable text, not '\(token.escapedForMessages)'")
        }
        return token
    }

    static func validateToken(_ token: String) throws(LockError) -> String {
        guard !token.isEmpty, token.utf8.count <= LockRecord.maximumTokenLength,
              token.utf8.allSatisfy({ byte in
                  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                      || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
              }) else {
            throw LockError(.invalidArgument, "a lock token must be 1-\(LockRecord.maximumTokenLength) letters, digits, '.', '_', ':' or '-'")
        }
        return token
    }

    static func validateOwner(_ owner: String) throws(LockError) {
        guard !owner.isEmpty, owner.utf8.count <= LockRecord.maximumOwnerLength else {
            throw LockError(.invalidArgument, "an owner label must be 1-\(LockRecord.maximumOwnerLength) bytes")
        }
        if owner.hasControlOrFormatCharacters {
            throw LockError(.invalidArgument, "the owner label '\(owner.escapedForMessages)' contains control or format characters; use printable text")
        }
    }

    /// A renewal fraction must leave room for renewals: 0 would extend back to back, 1 or more
    /// would renew only after the lease expired.
    static func validateRenewalFraction(_ fraction: Double) throws(LockError) {
        guard fraction > 0.01, fraction < 0.9 else {
            throw LockError(.invalidArgument, "renewalFraction must be between 0.01 and 0.9 of the TTL (default 1/3), not \(fraction)")
        }
    }

    /// The TTL in whole milliseconds (at least 1).
    static func validateTTL(_ ttl: Duration) throws(LockError) -> Int64 {
        let milliseconds = ttl.milliseconds
        guard milliseconds >= 1, milliseconds <= 365 * 24 * 3_600_000 else {
            throw LockError(.invalidArgument, "a lock TTL must be between 1 ms and one year, not \(milliseconds) ms")
        }
        return milliseconds
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
