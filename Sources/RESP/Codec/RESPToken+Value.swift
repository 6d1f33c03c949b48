public import NIOCore

extension RESPToken {
    /// A token's value, one level deep: aggregates hold further tokens.
    public enum Value: Sendable, Hashable {
        /// `+OK`: a short status line.
        case simpleString(ByteBuffer)
        /// `-ERR …`: an error line, including its prefix word.
        case simpleError(ByteBuffer)
        /// `:42`.
        case integer(Int64)
        /// `$5\r\nhello`: a binary-safe string.
        case bulkString(ByteBuffer)
        /// RESP3 `_`, RESP2's null bulk string `$-1` and null array `*-1`.
        case null
        /// RESP3 `#t` / `#f`.
        case boolean(Bool)
        /// RESP3 `,3.14`, including `inf`, `-inf` and `nan`.
        case double(Double)
        /// RESP3 `(1234…`: an integer of any size, as its decimal digits.
        case bigNumber(ByteBuffer)
        /// RESP3 `!`: a binary-safe error.
        case bulkError(ByteBuffer)
        /// RESP3 `=`: a string with a three-letter format such as `txt` or `mkd`.
        case verbatimString(format: ByteBuffer, text: ByteBuffer)
        /// `*`: an ordered list.
        case array(Array)
        /// RESP3 `%`: key-value pairs.
        case map(Map)
        /// RESP3 `~`: an unordered collection.
        case set(Array)
        /// RESP3 `>`: an out-of-band message such as a pub/sub delivery.
        case push(Array)
    }

    /// The decoded outermost value, after skipping any attributes.
    public var value: Value {
        let start = valueStart
        let header = Self.header(of: base, at: start)
        let content = header.contentStart
        let lineLength = header.lineEnd - start - 1
        switch header.type {
        case .simpleString:
            return .simpleString(base.getSlice(at: start + 1, length: lineLength)!)
        case .simpleError:
            return .simpleError(base.getSlice(at: start + 1, length: lineLength)!)
        case .bigNumber:
            return .bigNumber(base.getSlice(at: start + 1, length: lineLength)!)
        case .integer:
            return .integer(RESPLineParsing.integer(in: base, from: start + 1, to: header.lineEnd)!)
        case .null:
            return .null
        case .boolean:
            return .boolean(base.getInteger(at: start + 1, as: UInt8.self) == UInt8(ascii: "t"))
        case .double:
            return .double(Self.parseDouble(base, from: start + 1, to: header.lineEnd)!)
        case .bulkString:
            if header.length < 0 { return .null }
            return .bulkString(base.getSlice(at: content, length: header.length)!)
        case .bulkError:
            return .bulkError(base.getSlice(at: content, length: header.length)!)
        case .verbatimString:
            return .verbatimString(
                format: base.getSlice(at: content, length: 3)!,
                text: base.getSlice(at: content + 4, length: header.length - 4)!
            )
        case .array, .set, .push:
            if header.length < 0 { return .null }
            let elements = Array(count: header.length, elements: children(from: content))
            switch header.type {
            case .set: return .set(elements)
            case .push: return .push(elements)
            default: return .array(elements)
            }
        case .map:
            return .map(Map(count: header.length, elements: children(from: content)))
        case .attribute:
            preconditionFailure("valueStart skips attributes")
        }
    }

    /// The bytes from `index` to the end of this token.
    private func children(from index: Int) -> ByteBuffer {
        base.getSlice(at: index, length: base.writerIndex - index)!
    }

    /// Parses a RESP3 double line (`1.5`, `-2e10`, `inf`, `-inf`, `nan`); `nil` when malformed.
    static func parseDouble(_ buffer: ByteBuffer, from start: Int, to end: Int) -> Double? {
        guard end > start, end - start <= 512, let bytes = buffer.getBytes(at: start, length: end - start) else {
            return nil
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "f"),
                UInt8(ascii: "a"):
                continue
            default:
                return nil
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "-nan", "+nan": return .nan
        default:
            // Reject the spellings Swift accepts but RESP does not ("infinity", hex, "1e").
            guard text.contains(where: { $0.isNumber }), !text.contains("n"), !text.contains("i") else {
                return nil
            }
            return Double(text)
        }
    }
}
