import NIOCore
import Testing

@testable import RESP

/// Big values arriving in many reads: correct results, and evidence that the decoder resumes
/// where it stopped instead of rescanning. No timing assertions.
///
/// The "probe" tests tamper with bytes the decoder has already examined (something a real
/// caller must never do). A decoder that resumes never looks at them again and finishes; one
/// that rescans from the start of the reply on every call (quadratic over many reads) would
/// see the tampered bytes and fail.
@Suite struct CodecPerformanceShapeTests {
    @Test func sixteenMiBBulkStringIn4KiBChunks() throws {
        let size = 16 << 20
        let chunkSize = 4 << 10
        var payload = ByteBufferAllocator().buffer(capacity: size)
        for index in 0 ..< size / 256 {
            payload.writeRepeatingByte(UInt8(truncatingIfNeeded: index), count: 256)
        }
        var input = codecBuffer("$\(size)\r\n")
        input.writeImmutableBuffer(payload)
        input.writeString("\r\n")

        var decoder = RESPTokenDecoder()
        var buffer = ByteBufferAllocator().buffer(capacity: input.readableBytes)
        var token: RESPToken?
        var calls = 0
        var nilResults = 0
        while var chunk = input.readSlice(length: min(chunkSize, input.readableBytes)) {
            #expect(token == nil, "token returned before the last chunk")
            buffer.writeBuffer(&chunk)
            calls += 1
            if let decoded = try decoder.decode(&buffer) {
                token = decoded
            } else {
                nilResults += 1
                #expect(buffer.readerIndex == 0)
            }
            if input.readableBytes == 0 { break }
        }
        let total = size + "$\(size)\r\n\r\n".utf8.count
        #expect(calls == (total + chunkSize - 1) / chunkSize)
        #expect(nilResults == calls - 1)
        let result = try #require(token)
        #expect(buffer.readableBytes == 0)
        guard case .bulkString(let bytes) = result.value else {
            Issue.record("not a bulk string")
            return
        }
        #expect(bytes.readableBytes == size)
        #expect(bytes == payload)
    }

    @Test func manySmallElementsInSmallChunks() throws {
        let count = 50_000
        var input = codecBuffer("*\(count)\r\n")
        for index in 0 ..< count { input.writeString(":\(index)\r\n") }
        let (tokens, rest) = try codecDecodeChunked(input, chunkSizes: [1021])
        #expect(rest.readableBytes == 0)
        #expect(tokens.count == 1)
        guard case .array(let elements) = tokens.first?.value else {
            Issue.record("not an array")
            return
        }
        var expected: Int64 = 0
        for element in elements {
            #expect(element.value == .integer(expected))
            expected += 1
        }
        #expect(expected == Int64(count))
    }

    @Test func longLineInSmallChunks() throws {
        let length = 900 << 10
        let input = codecBuffer("+" + codecRepeat("z", length) + "\r\n")
        let (tokens, _) = try codecDecodeChunked(input, chunkSizes: [1 << 10])
        #expect(tokens.count == 1)
        guard case .simpleString(let text) = tokens.first?.value else {
            Issue.record("not a simple string")
            return
        }
        #expect(text.readableBytes == length)
    }

    @Test func probeLineSearchResumesAfterTheBytesAlreadySearched() throws {
        var decoder = RESPTokenDecoder()
        var buffer = codecBuffer("+abcdef")
        #expect(try decoder.decode(&buffer) == nil)
        // Plant a CR (without LF) in the part already searched; a rescan would trip over it.
        buffer.setInteger(UInt8(ascii: "\r"), at: buffer.readerIndex + 3)
        buffer.writeString("gh\r\n")
        let token = try #require(try decoder.decode(&buffer))
        #expect(token.base.readableBytes == 11)
        #expect(buffer.readableBytes == 0)
    }

    @Test func probeLineSearchResumesAtACRWaitingForItsLF() throws {
        var decoder = RESPTokenDecoder()
        var buffer = codecBuffer("+abc\r")
        #expect(try decoder.decode(&buffer) == nil)
        buffer.writeString("\n")
        let token = try #require(try decoder.decode(&buffer))
        #expect(token.value == .simpleString(codecBuffer("abc")))
    }

    @Test func probeValidatedElementsOfAnOpenAggregateAreNotRevalidated() throws {
        var decoder = RESPTokenDecoder()
        var buffer = codecBuffer("*3\r\n:1\r\n:2\r\n")
        #expect(try decoder.decode(&buffer) == nil)
        // Corrupt the first element (already validated); a rescan would reject it.
        buffer.setInteger(UInt8(ascii: "x"), at: buffer.readerIndex + 5)
        buffer.writeString(":3\r\n")
        let token = try #require(try decoder.decode(&buffer))
        #expect(codecString(token.base) == "*3\r\n:x\r\n:2\r\n:3\r\n")
    }

    @Test func probeResumptionSurvivesDiscardingReadBytes() throws {
        var decoder = RESPTokenDecoder()
        var buffer = codecBuffer("+OK\r\n*2\r\n:1\r\n")
        #expect(try decoder.decode(&buffer)?.value == .simpleString(codecBuffer("OK")))
        #expect(try decoder.decode(&buffer) == nil)
        buffer.discardReadBytes()
        #expect(buffer.readerIndex == 0)
        buffer.setInteger(UInt8(ascii: "x"), at: 5)  // the validated `:1`
        buffer.writeString(":2\r\n")
        let token = try #require(try decoder.decode(&buffer))
        #expect(codecString(token.base) == "*2\r\n:x\r\n:2\r\n")
    }

    @Test func probeDeepOpenAggregatesResume() throws {
        // 60 open levels, then elements trickle in one per call.
        var decoder = RESPTokenDecoder()
        var buffer = codecBuffer(codecRepeat("*2\r\n", 60))
        #expect(try decoder.decode(&buffer) == nil)
        for _ in 0 ..< 60 {
            #expect(try decoder.decode(&buffer) == nil)
            buffer.writeString("_\r\n")
        }
        buffer.writeString("_\r\n")
        let token = try #require(try decoder.decode(&buffer))
        #expect(token.base.readableBytes == 60 * 4 + 61 * 3)
    }
}
