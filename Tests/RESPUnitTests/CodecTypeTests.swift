import NIOCore
import Testing

@testable import RESP

/// Every RESP2 and RESP3 type decodes to the right `RESPToken.Value`.
@Suite struct CodecTypeTests {
    // MARK: - Line types

    @Test func simpleString() throws {
        let token = try codecDecodeOne("+OK\r\n")
        #expect(token.value == .simpleString(codecBuffer("OK")))
        #expect(token.attributes == nil)
    }

    @Test func emptySimpleString() throws {
        #expect(try codecDecodeOne("+\r\n").value == .simpleString(codecBuffer("")))
    }

    @Test func simpleStringWithSpacesAndUTF8() throws {
        #expect(try codecDecodeOne("+hello wörld ✓\r\n").value == .simpleString(codecBuffer("hello wörld ✓")))
    }

    @Test func simpleError() throws {
        let token = try codecDecodeOne("-ERR unknown command 'FOO'\r\n")
        #expect(token.value == .simpleError(codecBuffer("ERR unknown command 'FOO'")))
    }

    @Test(arguments: [
        ("0", Int64(0)),
        ("1000", 1000),
        ("-1", -1),
        ("-42", -42),
        ("+7", 7),
        ("-0", 0),
        ("9223372036854775807", Int64.max),
        ("-9223372036854775808", Int64.min),
    ])
    func integer(text: String, expected: Int64) throws {
        #expect(try codecDecodeOne(":\(text)\r\n").value == .integer(expected))
    }

    @Test func bulkString() throws {
        #expect(try codecDecodeOne("$5\r\nhello\r\n").value == .bulkString(codecBuffer("hello")))
    }

    @Test func emptyBulkString() throws {
        #expect(try codecDecodeOne("$0\r\n\r\n").value == .bulkString(codecBuffer("")))
    }

    @Test func binaryBulkStringWithCRLFInside() throws {
        let payload: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF, 0x0D, 0x0D, 0x0A, 0x0A, 0x24, 0x2A]
        var input = codecBuffer("$\(payload.count)\r\n")
        input.writeBytes(payload)
        input.writeString("\r\n")
        let token = try codecDecodeOne(input)
        #expect(token.value == .bulkString(codecBuffer(bytes: payload)))
    }

    @Test func bulkStringThatLooksLikeRESP() throws {
        #expect(try codecDecodeOne("$6\r\n*1\r\n:1\r\n").value == .bulkString(codecBuffer("*1\r\n:1")))
    }

    @Test func nullBulkString() throws {
        #expect(try codecDecodeOne("$-1\r\n").value == .null)
    }

    @Test func nullArray() throws {
        #expect(try codecDecodeOne("*-1\r\n").value == .null)
    }

    @Test func resp3Null() throws {
        #expect(try codecDecodeOne("_\r\n").value == .null)
    }

    @Test func booleans() throws {
        #expect(try codecDecodeOne("#t\r\n").value == .boolean(true))
        #expect(try codecDecodeOne("#f\r\n").value == .boolean(false))
    }

    @Test(arguments: [
        ("1.5", 1.5),
        ("-2e10", -2e10),
        ("0", 0.0),
        ("10", 10.0),
        ("3.14159", 3.14159),
        ("1E3", 1000.0),
        ("1e-5", 1e-5),
        ("-1.5e+2", -150.0),
        ("inf", Double.infinity),
        ("+inf", Double.infinity),
        ("-inf", -Double.infinity),
    ])
    func double(text: String, expected: Double) throws {
        #expect(try codecDecodeOne(",\(text)\r\n").value == .double(expected))
    }

    @Test(arguments: ["nan", "-nan"])
    func doubleNaN(text: String) throws {
        guard case .double(let value) = try codecDecodeOne(",\(text)\r\n").value else {
            Issue.record("not a double")
            return
        }
        #expect(value.isNaN)
    }

    @Test func bigNumber() throws {
        let digits = "3492890328409238509324850943850943825024385"
        #expect(try codecDecodeOne("(\(digits)\r\n").value == .bigNumber(codecBuffer(digits)))
        #expect(try codecDecodeOne("(-\(digits)\r\n").value == .bigNumber(codecBuffer("-" + digits)))
    }

    @Test func bulkError() throws {
        let token = try codecDecodeOne("!21\r\nSYNTAX invalid syntax\r\n")
        #expect(token.value == .bulkError(codecBuffer("SYNTAX invalid syntax")))
    }

    @Test func emptyBulkError() throws {
        #expect(try codecDecodeOne("!0\r\n\r\n").value == .bulkError(codecBuffer("")))
    }

    @Test func verbatimString() throws {
        let token = try codecDecodeOne("=15\r\ntxt:Some string\r\n")
        #expect(token.value == .verbatimString(format: codecBuffer("txt"), text: codecBuffer("Some string")))
    }

    @Test func verbatimStringWithEmptyTextAndCRLFInside() throws {
        #expect(try codecDecodeOne("=4\r\nmkd:\r\n").value == .verbatimString(format: codecBuffer("mkd"), text: codecBuffer("")))
        #expect(
            try codecDecodeOne("=8\r\ntxt:a\r\nb\r\n").value
                == .verbatimString(format: codecBuffer("txt"), text: codecBuffer("a\r\nb"))
        )
    }

    // MARK: - Aggregates

    @Test func array() throws {
        let token = try codecDecodeOne("*3\r\n:1\r\n$3\r\nfoo\r\n+bar\r\n")
        guard case .array(let elements) = token.value else {
            Issue.record("not an array: \(token.value)")
            return
        }
        #expect(elements.count == 3)
        #expect(!elements.isEmpty)
        #expect(elements.map(\.value) == [.integer(1), .bulkString(codecBuffer("foo")), .simpleString(codecBuffer("bar"))])
        #expect(elements.map { codecString($0.base) } == [":1\r\n", "$3\r\nfoo\r\n", "+bar\r\n"])
    }

    @Test func emptyArray() throws {
        guard case .array(let elements) = try codecDecodeOne("*0\r\n").value else {
            Issue.record("not an array")
            return
        }
        #expect(elements.count == 0)
        #expect(elements.isEmpty)
        #expect(Array(elements).isEmpty)
    }

    @Test func nestedArrays() throws {
        let token = try codecDecodeOne("*3\r\n*2\r\n:1\r\n:2\r\n*0\r\n*1\r\n*1\r\n$-1\r\n")
        guard case .array(let outer) = token.value else {
            Issue.record("not an array")
            return
        }
        let children = Array(outer)
        #expect(children.count == 3)
        #expect(children.map { codecString($0.base) } == ["*2\r\n:1\r\n:2\r\n", "*0\r\n", "*1\r\n*1\r\n$-1\r\n"])
        guard case .array(let first) = children[0].value else {
            Issue.record("first child is not an array")
            return
        }
        #expect(first.map(\.value) == [.integer(1), .integer(2)])
        guard case .array(let third) = children[2].value, let inner = third.first(where: { _ in true }),
              case .array(let innermost) = inner.value
        else {
            Issue.record("third child is not an array of an array")
            return
        }
        #expect(innermost.map(\.value) == [.null])
    }

    @Test func arrayContainingNullsOfEveryKind() throws {
        let token = try codecDecodeOne("*4\r\n$-1\r\n*-1\r\n_\r\n:0\r\n")
        guard case .array(let elements) = token.value else {
            Issue.record("not an array")
            return
        }
        #expect(elements.map(\.value) == [.null, .null, .null, .integer(0)])
    }

    @Test func map() throws {
        let token = try codecDecodeOne("%2\r\n+first\r\n:1\r\n+second\r\n*1\r\n#t\r\n")
        guard case .map(let pairs) = token.value else {
            Issue.record("not a map")
            return
        }
        #expect(pairs.count == 2)
        let list = Array(pairs)
        #expect(list.count == 2)
        #expect(list[0].key.value == .simpleString(codecBuffer("first")))
        #expect(list[0].value.value == .integer(1))
        #expect(list[1].key.value == .simpleString(codecBuffer("second")))
        #expect(codecString(list[1].value.base) == "*1\r\n#t\r\n")
    }

    @Test func emptyMap() throws {
        guard case .map(let pairs) = try codecDecodeOne("%0\r\n").value else {
            Issue.record("not a map")
            return
        }
        #expect(pairs.isEmpty)
        #expect(Array(pairs).isEmpty)
    }

    @Test func set() throws {
        let token = try codecDecodeOne("~3\r\n+a\r\n+b\r\n:3\r\n")
        guard case .set(let elements) = token.value else {
            Issue.record("not a set")
            return
        }
        #expect(elements.map(\.value) == [.simpleString(codecBuffer("a")), .simpleString(codecBuffer("b")), .integer(3)])
    }

    @Test func attribute() throws {
        let token = try codecDecodeOne("|1\r\n+key\r\n+val\r\n:5\r\n")
        #expect(token.value == .integer(5))
        let attributes = try #require(token.attributes)
        #expect(attributes.count == 1)
        let pairs = Array(attributes)
        #expect(pairs.count == 1)
        #expect(pairs[0].key.value == .simpleString(codecBuffer("key")))
        #expect(pairs[0].value.value == .simpleString(codecBuffer("val")))
    }

    @Test func attributeOnAnAggregate() throws {
        let token = try codecDecodeOne("|1\r\n+ttl\r\n:3600\r\n*2\r\n:1\r\n:2\r\n")
        #expect(token.attributes?.count == 1)
        guard case .array(let elements) = token.value else {
            Issue.record("not an array: \(token.value)")
            return
        }
        #expect(elements.map(\.value) == [.integer(1), .integer(2)])
    }

    @Test func attributeInsideAnArrayBelongsToItsElement() throws {
        let token = try codecDecodeOne("*2\r\n|1\r\n+k\r\n+v\r\n:1\r\n:2\r\n")
        guard case .array(let elements) = token.value else {
            Issue.record("not an array")
            return
        }
        let children = Array(elements)
        #expect(children.count == 2)
        #expect(codecString(children[0].base) == "|1\r\n+k\r\n+v\r\n:1\r\n")
        #expect(children[0].value == .integer(1))
        #expect(children[0].attributes?.count == 1)
        #expect(children[1].value == .integer(2))
        #expect(children[1].attributes == nil)
    }

    @Test func emptyAttribute() throws {
        let token = try codecDecodeOne("|0\r\n:5\r\n")
        #expect(token.value == .integer(5))
        #expect(token.attributes?.isEmpty == true)
    }

    @Test func emptyAttributeInsideAnArray() throws {
        // Regression: the element walker treated `|0` as a leaf, splitting it from its value.
        let token = try codecDecodeOne("*2\r\n|0\r\n:5\r\n:6\r\n")
        guard case .array(let elements) = token.value else {
            Issue.record("not an array")
            return
        }
        let children = Array(elements)
        #expect(children.map { codecString($0.base) } == ["|0\r\n:5\r\n", ":6\r\n"])
        #expect(children.map(\.value) == [.integer(5), .integer(6)])
    }

    @Test func push() throws {
        let token = try codecDecodeOne(">3\r\n+message\r\n+ch\r\n+hi\r\n")
        guard case .push(let elements) = token.value else {
            Issue.record("not a push")
            return
        }
        #expect(
            elements.map(\.value) == [
                .simpleString(codecBuffer("message")), .simpleString(codecBuffer("ch")), .simpleString(codecBuffer("hi")),
            ]
        )
    }

    // MARK: - Streams

    @Test func severalTokensBackToBack() throws {
        var buffer = codecBuffer("+OK\r\n:1\r\n$3\r\nabc\r\n*1\r\n_\r\n%1\r\n#t\r\n#f\r\n>1\r\n,1.5\r\n")
        let tokens = try codecDecodeAll(&buffer)
        #expect(buffer.readableBytes == 0)
        #expect(tokens.map { codecString($0.base) } == ["+OK\r\n", ":1\r\n", "$3\r\nabc\r\n", "*1\r\n_\r\n", "%1\r\n#t\r\n#f\r\n", ">1\r\n,1.5\r\n"])
        #expect(tokens[0].value == .simpleString(codecBuffer("OK")))
        #expect(tokens[2].value == .bulkString(codecBuffer("abc")))
    }

    @Test(arguments: ["+OK", "+OK\r", ":12", "$5\r\nhel", "$5\r\nhello", "$5\r\nhello\r", "*2\r\n:1\r\n", "*2\r\n:1\r\n$3\r\nab", "%1\r\n+k\r\n", "|1\r\n+k\r\n+v\r\n", "*", "$"])
    func trailingPartialBytesAreLeftUntouched(partial: String) throws {
        var buffer = codecBuffer("+first\r\n:2\r\n" + partial)
        let readerBefore = buffer.readerIndex
        let tokens = try codecDecodeAll(&buffer)
        #expect(tokens.map { codecString($0.base) } == ["+first\r\n", ":2\r\n"])
        #expect(buffer.readerIndex == readerBefore + 12)
        #expect(codecString(buffer) == partial)
    }

    @Test func decodingAnEmptyBufferReturnsNil() throws {
        var buffer = ByteBuffer()
        var decoder = RESPTokenDecoder()
        #expect(try decoder.decode(&buffer) == nil)
        #expect(buffer.readerIndex == 0)
    }

    @Test func decodingWorksAtANonZeroReaderIndex() throws {
        var buffer = codecBuffer("garbage+OK\r\n")
        buffer.moveReaderIndex(forwardBy: 7)
        var decoder = RESPTokenDecoder()
        let token = try #require(try decoder.decode(&buffer))
        #expect(token.value == .simpleString(codecBuffer("OK")))
        #expect(buffer.readableBytes == 0)
    }

    // MARK: - RESPToken API

    @Test func validatingInitializer() {
        #expect(RESPToken(validating: codecBuffer("*1\r\n:1\r\n"))?.value != nil)
        #expect(RESPToken(validating: codecBuffer("*1\r\n:1\r\n:2\r\n")) == nil, "trailing bytes")
        #expect(RESPToken(validating: codecBuffer("*2\r\n:1\r\n")) == nil, "incomplete")
        #expect(RESPToken(validating: codecBuffer(":x\r\n")) == nil, "malformed")
        #expect(RESPToken(validating: codecBuffer("")) == nil, "empty")
        #expect(RESPToken(validating: codecBuffer("$4\r\nabcd\r\n"), limits: RESPLimits(maxBulkLength: 3)) == nil, "over limit")
    }

    @Test func tokensCompareByBytes() throws {
        let a = try codecDecodeOne("*1\r\n:1\r\n")
        let b = try codecDecodeOne("*1\r\n:1\r\n")
        let c = try codecDecodeOne("*1\r\n:2\r\n")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != c)
    }

    @Test func descriptionIsEscapedAndTruncated() throws {
        #expect(try codecDecodeOne("+OK\r\n").description == "+OK\\x0d\\x0a")
        let long = try codecDecodeOne("$40\r\n" + codecRepeat("x", 40) + "\r\n")
        #expect(long.description == "$40\\x0d\\x0a" + codecRepeat("x", 27) + "…")
    }
}
