import NIOCore
import Testing

@testable import RESP

/// The typed helpers on top of tokens: `token.decode(as:)`.
@Suite struct CodecDecodableTests {
    private func token(_ text: String) throws -> RESPToken {
        try codecDecodeOne(text)
    }

    /// The error `body` throws, or `nil` (recording an issue) when it does not throw.
    private func thrown<T>(
        _ body: () throws(RedisError) -> T,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> RedisError? {
        do {
            let value = try body()
            Issue.record("expected an error, got \(value)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// Decodes `text` as one token, then as `type`, and returns the error that throws.
    private func decodeError<T: RESPTokenDecodable>(
        _ text: String,
        as type: T.Type,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RedisError? {
        let reply = try token(text)
        return thrown({ () throws(RedisError) in try reply.decode(as: type) }, sourceLocation: sourceLocation)
    }

    // MARK: - Scalars

    @Test func int() throws {
        #expect(try token(":42\r\n").decode(as: Int.self) == 42)
        #expect(try token(":-7\r\n").decode(as: Int.self) == -7)
        #expect(try token("$3\r\n123\r\n").decode(as: Int.self) == 123)
        #expect(try token("+-5\r\n").decode(as: Int.self) == -5)
        #expect(try token(":9223372036854775807\r\n").decode(as: Int64.self) == .max)
        let inferred: Int = try token(":8\r\n").decode()
        #expect(inferred == 8)
    }

    @Test func intFromNonNumericStringIsUnexpected() throws {
        let error = try decodeError("$3\r\nabc\r\n", as: Int.self)
        #expect(error?.code == .unexpectedReply)
    }

    @Test func string() throws {
        #expect(try token("$5\r\nhello\r\n").decode(as: String.self) == "hello")
        #expect(try token("+OK\r\n").decode(as: String.self) == "OK")
        #expect(try token("=15\r\ntxt:Some string\r\n").decode(as: String.self) == "Some string")
        #expect(try token(":12\r\n").decode(as: String.self) == "12")
        #expect(try token(",1.5\r\n").decode(as: String.self) == "1.5")
        #expect(try token("(12345678901234567890\r\n").decode(as: String.self) == "12345678901234567890")
        #expect(try token("$6\r\nh\u{e9}llo\r\n").decode(as: String.self) == "h\u{e9}llo")
    }

    @Test func stringReplacesInvalidUTF8() throws {
        var input = codecBuffer("$2\r\n")
        input.writeBytes([0x61, 0xFF])
        input.writeString("\r\n")
        #expect(try codecDecodeOne(input).decode(as: String.self) == "a\u{FFFD}")
    }

    @Test func optionalStringFromNulls() throws {
        #expect(try token("$-1\r\n").decode(as: String?.self) == nil)
        #expect(try token("_\r\n").decode(as: String?.self) == nil)
        #expect(try token("*-1\r\n").decode(as: String?.self) == nil)
        #expect(try token("$2\r\nhi\r\n").decode(as: String?.self) == "hi")
    }

    @Test func nonOptionalFromNullIsUnexpected() throws {
        let error = try decodeError("$-1\r\n", as: String.self)
        #expect(error?.code == .unexpectedReply)
    }

    @Test func byteBuffer() throws {
        let bytes = try token("$4\r\n\r\n\0\u{1}\r\n").decode(as: ByteBuffer.self)
        #expect(codecBytes(bytes) == [0x0D, 0x0A, 0x00, 0x01])
    }

    @Test func bool() throws {
        #expect(try token("#t\r\n").decode(as: Bool.self) == true)
        #expect(try token("#f\r\n").decode(as: Bool.self) == false)
        #expect(try token(":1\r\n").decode(as: Bool.self) == true)
        #expect(try token(":0\r\n").decode(as: Bool.self) == false)
        let error = try decodeError(":2\r\n", as: Bool.self)
        #expect(error?.code == .unexpectedReply)
    }

    @Test func double() throws {
        #expect(try token(",inf\r\n").decode(as: Double.self) == .infinity)
        #expect(try token(",-inf\r\n").decode(as: Double.self) == -.infinity)
        #expect(try token(",1.5\r\n").decode(as: Double.self) == 1.5)
        #expect(try token(",nan\r\n").decode(as: Double.self).isNaN)
        #expect(try token(":3\r\n").decode(as: Double.self) == 3)
        #expect(try token("$4\r\n2.25\r\n").decode(as: Double.self) == 2.25)
        #expect(try token("$3\r\ninf\r\n").decode(as: Double.self) == .infinity)
        let error = try decodeError("$3\r\nabc\r\n", as: Double.self)
        #expect(error?.code == .unexpectedReply)
    }

    @Test func tokenItself() throws {
        let original = try token("*1\r\n:1\r\n")
        #expect(try original.decode(as: RESPToken.self) == original)
    }

    // MARK: - Collections

    @Test func stringArrayFromArrayAndSet() throws {
        #expect(try token("*3\r\n$1\r\na\r\n+b\r\n:3\r\n").decode(as: [String].self) == ["a", "b", "3"])
        #expect(try token("~2\r\n$1\r\nx\r\n$1\r\ny\r\n").decode(as: [String].self) == ["x", "y"])
        #expect(try token(">2\r\n+message\r\n+hi\r\n").decode(as: [String].self) == ["message", "hi"])
        #expect(try token("*0\r\n").decode(as: [String].self) == [])
    }

    @Test func arrayOfOptionals() throws {
        #expect(try token("*3\r\n$1\r\na\r\n$-1\r\n_\r\n").decode(as: [String?].self) == ["a", nil, nil])
    }

    @Test func nestedArrays() throws {
        #expect(try token("*2\r\n*2\r\n:1\r\n:2\r\n*0\r\n").decode(as: [[Int]].self) == [[1, 2], []])
    }

    @Test func arrayWithABadElementIsUnexpected() throws {
        let error = try decodeError("*2\r\n:1\r\n+x\r\n", as: [Int].self)
        #expect(error?.code == .unexpectedReply)
    }

    @Test func dictionaryFromMapAndFlatArray() throws {
        let map = try token("%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n").decode(as: [String: Int].self)
        #expect(map == ["a": 1, "b": 2])
        let flat = try token("*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$1\r\n2\r\n").decode(as: [String: Int].self)
        #expect(flat == ["a": 1, "b": 2])
        #expect(try token("%0\r\n").decode(as: [String: Int].self) == [:])
        #expect(try token("*0\r\n").decode(as: [String: Int].self) == [:])
    }

    @Test func dictionaryFromOddFlatArrayIsUnexpected() throws {
        let error = try decodeError("*3\r\n+a\r\n:1\r\n+b\r\n", as: [String: Int].self)
        #expect(error?.code == .unexpectedReply)
        #expect(error?.message.contains("map") == true)
    }

    @Test func valuesAfterAttributesDecodeNormally() throws {
        #expect(try token("|1\r\n+key\r\n+val\r\n:5\r\n").decode(as: Int.self) == 5)
    }

    // MARK: - Mismatches

    @Test(arguments: [
        ("*1\r\n:1\r\n", "array"),
        ("%0\r\n", "map"),
        ("~0\r\n", "set"),
        (">1\r\n+x\r\n", "push"),
        ("#t\r\n", "boolean"),
        ("_\r\n", "null"),
    ])
    func wrongTypeForString(input: String, actual: String) throws {
        let error = try decodeError(input, as: String.self)
        #expect(error?.code == .unexpectedReply)
        #expect(error?.message.contains("expected a string") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("got \(actual)") == true, "\(error?.message ?? "")")
    }

    @Test func wrongTypeForInt() throws {
        let error = try decodeError("+OK\r\n", as: Int.self)
        #expect(error?.code == .unexpectedReply)
        #expect(error?.message.contains("expected an integer") == true)
        #expect(error?.message.contains("got simple string") == true)
    }

    @Test func wrongTypeMessagesNameExpectedAndActual() throws {
        let error = try decodeError("$3\r\nfoo\r\n", as: [String].self)
        #expect(error?.code == .unexpectedReply)
        #expect(error?.message.contains("an array") == true)
        #expect(error?.message.contains("bulk string") == true)
        #expect(error?.message.contains("foo") == true)

        let mapError = try decodeError("~1\r\n+a\r\n", as: [String: String].self)
        #expect(mapError?.message.contains("a map") == true)
        #expect(mapError?.message.contains("set") == true)

        let boolError = try decodeError(",1.5\r\n", as: Bool.self)
        #expect(boolError?.message.contains("a boolean") == true)
        #expect(boolError?.message.contains("double") == true)
    }

    // MARK: - Error replies

    @Test(arguments: [
        ("-NOPERM this user has no permissions to run the 'get' command\r\n", RedisError.Code.permissionDenied, "NOPERM"),
        ("-WRONGPASS invalid username-password pair or user is disabled.\r\n", .authenticationFailed, "WRONGPASS"),
        ("-NOAUTH Authentication required.\r\n", .authenticationFailed, "NOAUTH"),
        ("-ERR x\r\n", .serverError, "ERR"),
        ("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", .serverError, "WRONGTYPE"),
        ("!21\r\nSYNTAX invalid syntax\r\n", .serverError, "SYNTAX"),
        ("!12\r\nNOPERM nope!\r\n", .permissionDenied, "NOPERM"),
    ])
    func errorRepliesThrowTheServerError(input: String, code: RedisError.Code, prefix: String) throws {
        let reply = try token(input)
        let decoders: [(String, () throws(RedisError) -> Void)] = [
            ("Int", { () throws(RedisError) in _ = try reply.decode(as: Int.self) }),
            ("String", { () throws(RedisError) in _ = try reply.decode(as: String.self) }),
            ("String?", { () throws(RedisError) in _ = try reply.decode(as: String?.self) }),
            ("[String]", { () throws(RedisError) in _ = try reply.decode(as: [String].self) }),
            ("[String: Int]", { () throws(RedisError) in _ = try reply.decode(as: [String: Int].self) }),
            ("Bool", { () throws(RedisError) in _ = try reply.decode(as: Bool.self) }),
            ("Double", { () throws(RedisError) in _ = try reply.decode(as: Double.self) }),
            ("ByteBuffer", { () throws(RedisError) in _ = try reply.decode(as: ByteBuffer.self) }),
            ("RESPToken", { () throws(RedisError) in _ = try reply.decode(as: RESPToken.self) }),
            ("throwIfError", { () throws(RedisError) in try reply.throwIfError() }),
        ]
        for (name, decode) in decoders {
            let error = thrown(decode)
            #expect(error?.code == code, "decoding as \(name)")
            #expect(error?.serverErrorPrefix.map(String.init) == prefix, "decoding as \(name)")
        }
    }

    @Test func errorMessageIsTheServersText() throws {
        let error = try decodeError("-ERR unknown command 'FOO'\r\n", as: String.self)
        #expect(error?.message == "ERR unknown command 'FOO'")
    }

    @Test func errorInsideAnArrayThrowsWhenThatElementIsDecoded() throws {
        let reply = try token("*2\r\n+OK\r\n-ERR inner\r\n")
        let error = thrown { () throws(RedisError) in try reply.decode(as: [String].self) }
        #expect(error?.code == .serverError)
        #expect(error?.message == "ERR inner")
    }

    @Test func throwIfErrorIgnoresNonErrors() throws {
        for input in ["+OK\r\n", ":1\r\n", "_\r\n", "*1\r\n-ERR nested\r\n"] {
            #expect(throws: Never.self) { try token(input).throwIfError() }
        }
    }
}
