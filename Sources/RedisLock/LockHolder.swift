/// Who holds a lock, as far as its stored value tells.
public struct LockHolder: Sendable, Hashable, CustomStringConvertible {
    /// The raw stored value.
    public var value: String
    /// The time left before the lock expires; `nil` when the key has no TTL.
    public var remaining: Duration?

    /// Makes a holder description.
    public init(value: String, remaining: Duration?) {
        self.value = value
        self.remaining = remaining
    }

    /// The value parsed as this library's record, when it is one. Parsed on each use, so a
    /// waiter's failed attempts cost no JSON decoding.
    public var record: LockRecord? { LockRecord(parsing: value) }

    /// The owner label, or a short form of the raw value for foreign locks.
    public var owner: String {
        record?.owner ?? String(value.prefix(40))
    }

    /// `owner (fence N), expires in …`, for messages.
    public var description: String {
        var text = "'\(owner.escapedForMessages)'"
        if let fence = record?.fence { text += " (fence \(fence))" }
        if let remaining {
            text += ", expires in \(remaining.formattedMilliseconds)"
        } else {
            text += ", with no TTL (it never expires by itself)"
        }
        return text
    }
}

extension String {
    /// The string with control and format characters escaped, safe in a terminal message.
    var escapedForMessages: String {
        var result = ""
        for scalar in unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                result += scalar.value < 0x100
                    ? "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                    : "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
