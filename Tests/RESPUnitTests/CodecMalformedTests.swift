import NIOCore
import Testing

@testable import RESP

/// Input that is not valid RESP, or that breaks `RESPLimits`, throws the right code.
@Suite struct CodecMalformedTests {
    // MARK: - Protocol violations

    @Test(arguments: [
        ("?", "bad type byte"),
        ("\r\n", "bare CRLF"),
        ("OK\r\n", "missing type byte"),
        ("@1\r\n", "another bad type byte"),
        ("$abc\r\nabc\r\n", "non-numeric bulk length"),
        ("$\r\n\r\n", "empty bulk length"),
        ("$-\r\n", "bare minus bulk length"),
        ("$1x\r\nx\r\n", "bulk length with junk"),
        ("*abc\r\n", "non-numeric array count"),
        ("*\r\n", "empty array count"),
        ("%x\r\n", "non-numeric map count"),
        ("$-2\r\n", "negative bulk length"),
        ("*-5\r\n", "negative array count"),
        ("*-2\r\n", "array count -2"),
        ("%-1\r\n", "map cannot be null"),
        ("~-1\r\n", "set cannot be null"),
        (">-1\r\n", "push cannot be null"),
        ("|-1\r\n", "attribute cannot be null"),
        ("!-1\r\n", "bulk error cannot be null"),
        ("=-1\r\n", "verbatim string cannot be null"),
        ("$3\r\nabcXY", "missing CRLF after bulk payload"),
        ("$3\r\nabcd\r\n", "payload longer than announced"),
        ("$3\r\nabc\rX", "CR without LF after bulk payload"),
        ("$3\r\nabc\n\r", "LF CR after bulk payload"),
        ("!3\r\nabcde", "missing CRLF after bulk error"),
        ("+OK\rX", "CR not followed by LF"),
        ("+OK\r\r\n", "CR followed by CR"),
        (":1\rX", "CR not followed by LF in an integer"),
        ("$3\rX", "CR not followed by LF in a header"),
        ("#x\r\n", "bad boolean"),
        ("#\r\n", "empty boolean"),
        ("#tt\r\n", "long boolean"),
        ("#T\r\n", "upper-case boolean"),
        ("_x\r\n", "bad null"),
        ("_ \r\n", "null with a space"),
        (",abc\r\n", "bad double"),
        (",\r\n", "empty double"),
        (",1.5x\r\n", "double with junk"),
        (",infinity\r\n", "double spelled infinity"),
        (",1e\r\n", "double with a bare exponent"),
        (",0x10\r\n", "hex double"),
        (",--1\r\n", "double with two signs"),
        (",nanx\r\n", "double nan with junk"),
        (":12a\r\n", "bad integer"),
        (":\r\n", "empty integer"),
        (":-\r\n", "bare minus integer"),
        (": 1\r\n", "integer with a space"),
        (":1.5\r\n", "integer with a fraction"),
        (":99999999999999999999\r\n", "integer overflow"),
        (":9223372036854775808\r\n", "Int64.max + 1"),
        (":-9223372036854775809\r\n", "Int64.min - 1"),
        ("(12a\r\n", "bad big number"),
        ("(\r\n", "empty big number"),
        ("(-\r\n", "bare minus big number"),
        ("=3\r\ntxt\r\n", "verbatim string shorter than its prefix"),
        ("=11\r\nSome string\r\n", "verbatim string without xxx: prefix"),
        ("=5\r\ntx:ab\r\n", "verbatim string with a 2-byte format"),
        ("=0\r\n\r\n", "empty verbatim string"),
        ("*2\r\n:1\r\n?\r\n", "bad type byte inside an array"),
        ("%1\r\n+k\r\n:x\r\n", "bad integer inside a map"),
        ("*1\r\n*1\r\n$2\r\nabc\r\n", "bad bulk deep inside"),
        ("$9223372036854775808\r\n", "bulk length overflows Int64"),
        ("*99999999999999999999\r\n", "array count overflows Int64"),
    ])
    func protocolViolation(input: String, why: String) {
        #expect(codecErrorCode(codecBuffer(input)) == .protocolViolation, "\(why)")
    }

    @Test func errorsInsideAStreamSurfaceAfterEarlierGoodTokens() throws {
        var buffer = codecBuffer("+OK\r\n:1\r\n:x\r\n")
        var decoder = RESPTokenDecoder()
        #expect(try decoder.decode(&buffer)?.value == .simpleString(codecBuffer("OK")))
        #expect(try decoder.decode(&buffer)?.value == .integer(1))
        let error = #expect(throws: RedisError.self) { try decoder.decode(&buffer) }
        #expect(error?.code == .protocolViolation)
    }

    @Test func aBadTypeByteIsRejectedBeforeItsLineEnds() {
        // No CRLF at all: the decoder must not wait for more bytes.
        #expect(codecErrorCode(codecBuffer("?")) == .protocolViolation)
        #expect(codecErrorCode(codecBuffer("hello world")) == .protocolViolation)
    }

    @Test func protocolErrorMessagesQuoteTheBadBytes() {
        var buffer = codecBuffer(":12a\r\n")
        var decoder = RESPTokenDecoder()
        let error = #expect(throws: RedisError.self) { try decoder.decode(&buffer) }
        #expect(error?.message.contains("12a") == true)
        #expect(error?.message.contains("integer") == true)
    }

    // MARK: - Limits

    @Test func bulkLengthLimit() throws {
        let limits = RESPLimits(maxBulkLength: 10)
        #expect(try codecDecodeOne("$10\r\n0123456789\r\n", limits: limits).value == .bulkString(codecBuffer("0123456789")))
        // Rejected from the header alone, before any payload arrives.
        #expect(codecErrorCode(codecBuffer("$11\r\n"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("!11\r\n"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("=11\r\n"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("*1\r\n$11\r\n"), limits: limits) == .limitExceeded)
    }

    @Test func defaultBulkLengthLimitIs16MiB() {
        #expect(codecErrorCode(codecBuffer("$\((16 << 20) + 1)\r\n")) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("$536870000\r\n")) == .limitExceeded)
    }

    @Test func bulkAtTheDefaultLimitIsAwaited() throws {
        var buffer = codecBuffer("$\(16 << 20)\r\n")
        var decoder = RESPTokenDecoder()
        #expect(try decoder.decode(&buffer) == nil)
        #expect(buffer.readerIndex == 0)
    }

    @Test func redisMaximumAwaitsA512MiBBulk() throws {
        var buffer = codecBuffer("$\(512 << 20)\r\n")
        var decoder = RESPTokenDecoder(limits: .redisMaximum)
        #expect(try decoder.decode(&buffer) == nil)
        #expect(codecErrorCode(codecBuffer("$\((512 << 20) + 1)\r\n"), limits: .redisMaximum) == .limitExceeded)
    }

    @Test func aggregateCountLimit() throws {
        let limits = RESPLimits(maxAggregateCount: 4)
        _ = try codecDecodeOne("*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n", limits: limits)
        _ = try codecDecodeOne("%2\r\n:1\r\n:2\r\n:3\r\n:4\r\n", limits: limits)
        _ = try codecDecodeOne("|1\r\n:1\r\n:2\r\n:3\r\n", limits: limits)
        for header in ["*5\r\n", "~5\r\n", ">5\r\n", "%3\r\n", "|2\r\n", "*1\r\n*5\r\n"] {
            #expect(codecErrorCode(codecBuffer(header), limits: limits) == .limitExceeded, "\(header)")
        }
    }

    @Test func hugeAnnouncedArrayIsRejectedWithDefaultLimits() {
        #expect(codecErrorCode(codecBuffer("*2147483647\r\n")) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("*9223372036854775807\r\n")) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("%9223372036854775807\r\n")) == .limitExceeded)
    }

    @Test func hugeAnnouncedArrayWithoutElementsJustWaits() throws {
        let limits = RESPLimits(maxAggregateCount: .max)
        var buffer = codecBuffer("*2147483647\r\n")
        var decoder = RESPTokenDecoder(limits: limits)
        #expect(try decoder.decode(&buffer) == nil)
        #expect(buffer.readerIndex == 0)
        buffer.writeString(":1\r\n:2\r\n")
        #expect(try decoder.decode(&buffer) == nil)
        #expect(buffer.readerIndex == 0)
    }

    @Test func mapPairCountThatOverflowsWhenDoubledIsRejected() {
        // Regression: 2 × 2^62 wrapped to a negative child count and the map "ended" early.
        let limits = RESPLimits(maxAggregateCount: .max, maxReplyBytes: .max)
        #expect(codecErrorCode(codecBuffer("%4611686018427387904\r\n:1\r\n:2\r\n"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("|4611686018427387904\r\n:1\r\n:2\r\n"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("%9223372036854775807\r\n:1\r\n"), limits: limits) == .limitExceeded)
    }

    @Test func hugeBulkLengthWithUnboundedLimitsDoesNotTrap() throws {
        // Regression: `afterLine + length` overflowed when maxBulkLength allowed Int.max.
        let limits = RESPLimits(maxBulkLength: .max, maxReplyBytes: .max)
        var buffer = codecBuffer("$9223372036854775807\r\nabc")
        var decoder = RESPTokenDecoder(limits: limits)
        do {
            let token = try decoder.decode(&buffer)
            #expect(token == nil)
        } catch {
            #expect(error.code == .limitExceeded)
        }
    }

    @Test func nestingBombHitsTheDepthLimitQuickly() {
        let bomb = codecBuffer(codecRepeat("*1\r\n", 10_000))
        #expect(codecErrorCode(bomb) == .limitExceeded)
        #expect(codecErrorCode(bomb, limits: RESPLimits(maxDepth: 3)) == .limitExceeded)
    }

    @Test func depthLimitIsExact() throws {
        let limits = RESPLimits(maxDepth: 3)
        _ = try codecDecodeOne("*1\r\n*1\r\n*1\r\n:1\r\n", limits: limits)
        _ = try codecDecodeOne("%1\r\n:0\r\n~1\r\n>1\r\n:1\r\n", limits: limits)
        #expect(codecErrorCode(codecBuffer("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("|1\r\n:0\r\n*1\r\n%1\r\n*1\r\n:1\r\n:1\r\n"), limits: limits) == .limitExceeded)
        // Siblings do not add up: depth is nesting, not count.
        _ = try codecDecodeOne("*3\r\n*1\r\n*1\r\n:1\r\n*1\r\n*1\r\n:1\r\n*0\r\n", limits: limits)
    }

    @Test func deepNestingWithinTheLimitIsWalkedWithoutRecursion() throws {
        let depth = 1_000
        let text = codecRepeat("*1\r\n", depth) + ":7\r\n"
        let token = try codecDecodeOne(text, limits: RESPLimits(maxDepth: depth))
        var current = token
        var levels = 0
        while case .array(let elements) = current.value {
            levels += 1
            current = try #require(elements.first(where: { _ in true }))
        }
        #expect(levels == depth)
        #expect(current.value == .integer(7))
    }

    @Test func overLongLineWithoutCRIsRejectedWithDefaultLimits() {
        let line = codecBuffer("+" + codecRepeat("a", 2 << 20))
        #expect(codecErrorCode(line) == .limitExceeded)
    }

    @Test func overLongLineFedInChunksIsRejectedOnceItPassesTheLimit() throws {
        var decoder = RESPTokenDecoder()
        var buffer = codecBuffer("+")
        let chunk = codecRepeat("a", 64 << 10)
        var appended = 0
        var thrown: RedisError?
        while appended < (3 << 20) {
            buffer.writeString(chunk)
            appended += chunk.utf8.count
            do {
                #expect(try decoder.decode(&buffer) == nil)
            } catch {
                thrown = error
                break
            }
        }
        #expect(thrown?.code == .limitExceeded)
        #expect(appended > 1 << 20, "rejected before the line was over the limit")
        #expect(appended <= (1 << 20) + (64 << 10), "waited past the limit")
    }

    @Test func lineLengthLimitIsExact() throws {
        let limits = RESPLimits(maxLineLength: 8)
        _ = try codecDecodeOne("+12345678\r\n", limits: limits)
        _ = try codecDecodeOne("-12345678\r\n", limits: limits)
        #expect(codecErrorCode(codecBuffer("+123456789\r\n"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("(123456789\r\n"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer(":123456789\r\n"), limits: limits) == .limitExceeded)
        // Partial lines: exactly at the limit we keep waiting; one byte over, we give up.
        var atLimit = codecBuffer("+12345678")
        var decoder = RESPTokenDecoder(limits: limits)
        #expect(try decoder.decode(&atLimit) == nil)
        #expect(codecErrorCode(codecBuffer("+123456789"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("$123456789"), limits: limits) == .limitExceeded)
    }

    @Test func replyByteLimit() throws {
        let limits = RESPLimits(maxReplyBytes: 20)
        _ = try codecDecodeOne("*2\r\n$3\r\nabc\r\n:1\r\n", limits: limits)  // 17 bytes
        #expect(codecErrorCode(codecBuffer("*2\r\n$5\r\nhello\r\n$5\r\nworld\r\n"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("+" + codecRepeat("a", 30) + "\r\n"), limits: limits) == .limitExceeded)
    }

    @Test func replyByteLimitRejectsAnAnnouncedBulkBeforeItsPayloadArrives() {
        // The header alone proves the reply will be too big; don't buffer 100 bytes to find out.
        let limits = RESPLimits(maxReplyBytes: 50)
        #expect(codecErrorCode(codecBuffer("$100\r\n"), limits: limits) == .limitExceeded)
        #expect(codecErrorCode(codecBuffer("*2\r\n:1\r\n$45\r\n"), limits: limits) == .limitExceeded)
    }

    @Test func replyByteLimitAppliesPerReplyNotPerStream() throws {
        let limits = RESPLimits(maxReplyBytes: 10)
        var buffer = codecBuffer(codecRepeat("$3\r\nabc\r\n", 50))
        let tokens = try codecDecodeAll(&buffer, limits: limits)
        #expect(tokens.count == 50)
    }

    @Test func limitErrorMessagesNameTheLimit() {
        var buffer = codecBuffer("$11\r\n")
        var decoder = RESPTokenDecoder(limits: RESPLimits(maxBulkLength: 10))
        let error = #expect(throws: RedisError.self) { try decoder.decode(&buffer) }
        #expect(error?.code == .limitExceeded)
        #expect(error?.message.contains("maxBulkLength") == true)
    }
}
