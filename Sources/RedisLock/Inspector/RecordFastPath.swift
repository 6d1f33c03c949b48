/// Reads a ``LockRecord`` in the exact shape the acquire script writes it
/// (`{"v":1,"token":"…","owner":"…","acquired_ms":N,"fence":N}`) without `JSONDecoder`, which
/// costs tens of microseconds a record: two of the seconds a 100k-lock refresh took. Anything
/// else (escapes, another order, other fields, leading zeros) is `nil`, and the caller asks the
/// real decoder. What it accepts, ``Fields/encoded`` gives back byte for byte, so a row need
/// not keep the value.
package enum RecordFastPath {
    /// A record's fields.
    package struct Fields: Sendable, Hashable {
        package var token: String
        package var owner: String
        package var acquiredAtMilliseconds: Int64
        package var fence: Int64

        /// The record's bytes as the acquire script writes them.
        package var encoded: [UInt8] {
            Array(#"{"v":1,"token":"\#(token)","owner":"\#(owner)","acquired_ms":\#(acquiredAtMilliseconds),"fence":\#(fence)}"#.utf8)
        }
    }

    /// The record's fields, or `nil` when `value` is not in the script's exact shape.
    package static func parse(_ value: [UInt8]) -> Fields? {
        value.withUnsafeBytes { parse($0) }
    }

    /// The record's fields, or `nil` when `value` is not in the script's exact shape.
    package static func parse(_ value: UnsafeRawBufferPointer) -> Fields? {
        guard value.count <= LockRecord.maximumSize else { return nil }
        var reader = Reader(bytes: value[...])
        guard reader.expect(#"{"v":1,"token":"#), let token = reader.string(),
              reader.expect(#","owner":"#), let owner = reader.string(),
              reader.expect(#","acquired_ms":"#), let acquired = reader.integer(),
              reader.expect(#","fence":"#), let fence = reader.integer(),
              reader.expect("}"), reader.bytes.isEmpty else { return nil }
        return Fields(token: token, owner: owner, acquiredAtMilliseconds: acquired, fence: fence)
    }

    private struct Reader {
        var bytes: Slice<UnsafeRawBufferPointer>

        mutating func expect(_ literal: StaticString) -> Bool {
            let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            guard bytes.starts(with: expected) else { return false }
            bytes = bytes.dropFirst(expected.count)
            return true
        }

        /// A JSON string without escapes or control characters.
        mutating func string() -> String? {
            guard bytes.first == UInt8(ascii: "\"") else { return nil }
            bytes = bytes.dropFirst()
            guard let end = bytes.firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }),
                  bytes[end] == UInt8(ascii: "\"") else { return nil }
            let text = String(validating: bytes[..<end], as: UTF8.self)
            bytes = bytes[(end + 1)...]
            return text
        }

        /// A non-negative decimal integer without leading zeros.
        mutating func integer() -> Int64? {
            let digits = bytes.prefix { $0 >= 0x30 && $0 <= 0x39 }
            guard !digits.isEmpty, digits.count <= 18, digits.count == 1 || digits.first != 0x30 else { return nil }
            bytes = bytes.dropFirst(digits.count)
            return digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
        }
    }
}
