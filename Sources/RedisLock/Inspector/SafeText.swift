/// Escapes text that came from Redis so it is safe on a terminal and in a log: the one
/// sanitizer behind the dashboard, `list`, `release`'s messages and the audit entries.
///
/// Escaped: C0 controls and DEL (`\x1b`; tab, newline and carriage return as `\t`, `\n`,
/// `\r`), C1 controls and every other scalar of General_Category `Cc`, `Cf`, `Cs`, `Co`, `Cn`,
/// `Zl` or `Zp` (`\u202e`, `\u{e0001}`), and a combining mark with nothing to combine with. A
/// backslash becomes `\\`, so an escape can never be mistaken for the text itself.
public enum SafeText {
    /// `text` with every unsafe character escaped.
    public static func escape(_ text: String) -> String {
        var output = SanitizedOutput(capacity: text.utf8.count)
        for scalar in text.unicodeScalars {
            output.append(scalar)
        }
        return output.text
    }

    /// `bytes` decoded as UTF-8 and escaped like ``escape(_:)-(String)``; every byte that is
    /// not part of valid UTF-8 is shown as `\xNN`, so different bytes never look alike.
    public static func escape(_ bytes: [UInt8]) -> String {
        var output = SanitizedOutput(capacity: bytes.count)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        decoding: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                output.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case .error(let length):
                for byte in bytes[offset..<(offset + length)] {
                    output.appendHex(byte)
                }
                offset += length
            case .emptyInput:
                break decoding
            }
        }
        return output.text
    }

    /// Whether `scalar` must never reach a terminal as itself.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 || (0x7F...0x9F).contains(value) { return true }
        if value < 0x7F { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
            return true
        default:
            return false
        }
    }

    /// Whether `scalar` takes no column of its own (it combines with the character before).
    public static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) { return true }
        if value == 0x200B { return true }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format:
            return true
        default:
            return false
        }
    }
}

/// Accumulates sanitized text scalar by scalar.
private struct SanitizedOutput {
    var text: String
    /// Whether the last thing written can carry a combining mark (a visible base character).
    private var hasBase = false

    init(capacity: Int) {
        text = ""
        text.reserveCapacity(capacity)
    }

    mutating func append(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x5C:
            text += "\\\\"
            hasBase = false
        case 0x09:
            text += "\\t"
            hasBase = false
        case 0x0A:
            text += "\\n"
            hasBase = false
        case 0x0D:
            text += "\\r"
            hasBase = false
        default:
            if SafeText.isUnsafe(scalar) || (!hasBase && SafeText.isZeroWidth(scalar)) {
                appendEscaped(scalar)
            } else {
                text.unicodeScalars.append(scalar)
                if !SafeText.isZeroWidth(scalar) { hasBase = true }
            }
        }
    }

    mutating func appendHex(_ byte: UInt8) {
        text += "\\x" + Self.hex(UInt32(byte), digits: 2)
        hasBase = false
    }

    private mutating func appendEscaped(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 {
            appendHex(UInt8(value))
            return
        }
        if value <= 0xFFFF {
            text += "\\u" + Self.hex(value, digits: 4)
        } else {
            text += "\\u{" + String(value, radix: 16) + "}"
        }
        hasBase = false
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let raw = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - raw.count)) + raw
    }
}
