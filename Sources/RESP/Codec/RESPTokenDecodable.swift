public import NIOCore

/// A type that can be read from a reply, so call sites say what they expect:
/// `let n = try await client.send("INCR", key).decode(as: Int.self)`.
public protocol RESPTokenDecodable {
    /// Reads the value from `token`, throwing ``RedisError/Code/unexpectedReply`` when the reply
    /// has another type, or the server's error when the reply is an error.
    init(fromRESP token: RESPToken) throws(RedisError)
}

extension RESPToken {
    /// Reads this reply as `type`; see ``RESPTokenDecodable``.
    @inlinable
    public func decode<T: RESPTokenDecodable>(as type: T.Type = T.self) throws(RedisError) -> T {
        try T(fromRESP: self)
    }

    /// Throws the server's error when this token is an error reply; otherwise does nothing.
    public func throwIfError() throws(RedisError) {
        switch value {
        case .simpleError(let text), .bulkError(let text):
            throw RedisError.fromServer(message: String(buffer: text))
        default:
            return
        }
    }

    /// An error for a reply that is not what the caller expected, naming both.
    public func unexpected(_ expected: String) -> RedisError {
        if case .simpleError(let text) = value { return RedisError.fromServer(message: String(buffer: text)) }
        if case .bulkError(let text) = value { return RedisError.fromServer(message: String(buffer: text)) }
        return RedisError(.unexpectedReply, "expected \(expected), got \(kindDescription) '\(description)'")
    }

    /// The RESP type name of the value, for messages.
    var kindDescription: String {
        RESPTypeByte(rawValue: base.getInteger(at: valueStart, as: UInt8.self)!)!.description
    }
}

extension RESPToken: RESPTokenDecodable {
    /// Returns the token itself.
    public init(fromRESP token: RESPToken) throws(RedisError) {
        try token.throwIfError()
        self = token
    }
}

extension ByteBuffer: RESPTokenDecodable {
    /// Reads a bulk, simple or verbatim string's bytes without copying.
    public init(fromRESP token: RESPToken) throws(RedisError) {
        switch token.value {
        case .bulkString(let bytes), .simpleString(let bytes), .verbatimString(_, let bytes), .bigNumber(let bytes):
            self = bytes
        default:
            throw token.unexpected("a string")
        }
    }
}

extension String: RESPTokenDecodable {
    /// Reads a bulk, simple or verbatim string as UTF-8 (invalid bytes become U+FFFD), or an
    /// integer or double as its decimal text.
    public init(fromRESP token: RESPToken) throws(RedisError) {
        switch token.value {
        case .bulkString(let bytes), .simpleString(let bytes), .verbatimString(_, let bytes), .bigNumber(let bytes):
            self = String(buffer: bytes)
        case .integer(let number):
            self = String(number)
        case .double(let number):
            self = String(number)
        default:
            throw token.unexpected("a string")
        }
    }
}

extension Int64: RESPTokenDecodable {
    /// Reads an integer, or a string holding a decimal integer.
    public init(fromRESP token: RESPToken) throws(RedisError) {
        switch token.value {
        case .integer(let number):
            self = number
        case .bulkString(let bytes), .simpleString(let bytes):
            guard let number = RESPLineParsing.integer(in: bytes, from: bytes.readerIndex, to: bytes.writerIndex) else {
                throw token.unexpected("an integer")
            }
            self = number
        default:
            throw token.unexpected("an integer")
        }
    }
}

extension Int: RESPTokenDecodable {
    /// Reads an integer, or a string holding a decimal integer.
    public init(fromRESP token: RESPToken) throws(RedisError) {
        self = Int(try Int64(fromRESP: token))
    }
}

extension Double: RESPTokenDecodable {
    /// Reads a double, an integer, or a string holding a number.
    public init(fromRESP token: RESPToken) throws(RedisError) {
        switch token.value {
        case .double(let number):
            self = number
        case .integer(let number):
            self = Double(number)
        case .bulkString(let bytes), .simpleString(let bytes):
            guard let number = RESPToken.parseDouble(bytes, from: bytes.readerIndex, to: bytes.writerIndex) else {
                throw token.unexpected("a number")
            }
            self = number
        default:
            throw token.unexpected("a number")
        }
    }
}

extension Bool: RESPTokenDecodable {
    /// Reads a RESP3 boolean, or the RESP2 convention of integer 1 / 0.
    public init(fromRESP token: RESPToken) throws(RedisError) {
        switch token.value {
        case .boolean(let flag): self = flag
        case .integer(let number) where number == 0 || number == 1: self = number == 1
        default: throw token.unexpected("a boolean")
        }
    }
}

extension Optional: RESPTokenDecodable where Wrapped: RESPTokenDecodable {
    /// Reads `nil` from a null (RESP3 `_`, RESP2 `$-1` / `*-1`), else the wrapped type.
    public init(fromRESP token: RESPToken) throws(RedisError) {
        if case .null = token.value {
            self = .none
        } else {
            self = .some(try Wrapped(fromRESP: token))
        }
    }
}

extension Array: RESPTokenDecodable where Element: RESPTokenDecodable {
    /// Reads every element of an array, set or push as `Element`.
    public init(fromRESP token: RESPToken) throws(RedisError) {
        switch token.value {
        case .array(let elements), .set(let elements), .push(let elements):
            var result: [Element] = []
            result.reserveCapacity(elements.count)
            for element in elements { result.append(try Element(fromRESP: element)) }
            self = result
        default:
            throw token.unexpected("an array")
        }
    }
}

extension Dictionary: RESPTokenDecodable where Key: RESPTokenDecodable, Value: RESPTokenDecodable {
    /// Reads a RESP3 map, or a RESP2 array of alternating keys and values.
    public init(fromRESP token: RESPToken) throws(RedisError) {
        var result: [Key: Value] = [:]
        switch token.value {
        case .map(let pairs):
            result.reserveCapacity(pairs.count)
            for (key, value) in pairs { result[try Key(fromRESP: key)] = try Value(fromRESP: value) }
        case .array(let elements) where elements.count % 2 == 0:
            var iterator = elements.makeIterator()
            while let key = iterator.next(), let value = iterator.next() {
                result[try Key(fromRESP: key)] = try Value(fromRESP: value)
            }
        default:
            throw token.unexpected("a map")
        }
        self = result
    }
}
