import NIOCore
import Testing

@testable import RESP

/// However the stream is cut, the decoder yields exactly the tokens it yields for the whole.
@Suite struct CodecSplitTests {
    /// One message of every type, plus nesting, attributes and binary payloads.
    static let samples: [String] = [
        "+OK\r\n",
        "+\r\n",
        "-ERR something went wrong\r\n",
        ":0\r\n",
        ":-9223372036854775808\r\n",
        ":9223372036854775807\r\n",
        "$5\r\nhello\r\n",
        "$0\r\n\r\n",
        "$8\r\n\r\n\r\n\r\n\r\n\r\n",
        "$4\r\n\r\r\n\n\r\n",
        "$-1\r\n",
        "*-1\r\n",
        "*0\r\n",
        "_\r\n",
        "#t\r\n",
        "#f\r\n",
        ",1.5\r\n",
        ",-2e10\r\n",
        ",inf\r\n",
        ",-inf\r\n",
        ",nan\r\n",
        "(3492890328409238509324850943850943825024385\r\n",
        "!21\r\nSYNTAX invalid syntax\r\n",
        "=15\r\ntxt:Some string\r\n",
        "=6\r\nmkd:\r\n\r\n",
        "*3\r\n:1\r\n$3\r\nfoo\r\n+bar\r\n",
        "*2\r\n*2\r\n:1\r\n:2\r\n*0\r\n",
        "*3\r\n$-1\r\n*-1\r\n_\r\n",
        "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n$2\r\nhi\r\n",
        "%2\r\n+first\r\n:1\r\n+second\r\n*1\r\n#t\r\n",
        "%0\r\n",
        "%1\r\n%1\r\n+k\r\n+v\r\n~1\r\n,0.5\r\n",
        "~3\r\n+a\r\n+b\r\n:3\r\n",
        "~0\r\n",
        "|1\r\n+key\r\n+val\r\n:5\r\n",
        "|0\r\n:5\r\n",
        "|1\r\n+a\r\n|1\r\n+b\r\n+c\r\n+d\r\n*2\r\n:1\r\n:2\r\n",
        "*2\r\n|1\r\n+k\r\n+v\r\n:1\r\n:2\r\n",
        "*3\r\n|0\r\n:5\r\n%1\r\n|0\r\n+k\r\n|1\r\n+a\r\n+b\r\n+v\r\n:6\r\n",
        ">3\r\n+message\r\n+ch\r\n+hi\r\n",
        ">4\r\n$8\r\npmessage\r\n$2\r\np*\r\n$4\r\nchan\r\n$7\r\npay\r\nld\r\n",
        "*4\r\n=8\r\ntxt:abcd\r\n!3\r\nERR\r\n(-12\r\n,-0.25\r\n",
    ]

    /// All samples back to back.
    static let stream = samples.joined()

    private func wholeTokens(_ text: String) throws -> [RESPToken] {
        var buffer = codecBuffer(text)
        let tokens = try codecDecodeAll(&buffer)
        #expect(buffer.readableBytes == 0)
        return tokens
    }

    @Test(arguments: samples)
    func eachSampleIsOneToken(sample: String) throws {
        let tokens = try wholeTokens(sample)
        #expect(tokens.count == 1)
        #expect(tokens.first.map { codecString($0.base) } == sample)
    }

    /// How many values (all nesting levels, attributes included) each sample holds.
    static let valueCounts: [String: Int] = [
        "*2\r\n*2\r\n:1\r\n:2\r\n*0\r\n": 5,
        "|1\r\n+key\r\n+val\r\n:5\r\n": 3,
        "|0\r\n:5\r\n": 1,
        "*2\r\n|1\r\n+k\r\n+v\r\n:1\r\n:2\r\n": 5,
        "*3\r\n|0\r\n:5\r\n%1\r\n|0\r\n+k\r\n|1\r\n+a\r\n+b\r\n+v\r\n:6\r\n": 8,
        "|1\r\n+a\r\n|1\r\n+b\r\n+c\r\n+d\r\n*2\r\n:1\r\n:2\r\n": 7,
        "%1\r\n%1\r\n+k\r\n+v\r\n~1\r\n,0.5\r\n": 6,
    ]

    @Test(arguments: samples)
    func everyNestedValueOfEachSampleCanBeRead(sample: String) throws {
        let tokens = try wholeTokens(sample)
        let visited = tokens.map(codecWalk).reduce(0, +)
        #expect(visited >= 1)
        if let expected = Self.valueCounts[sample] {
            #expect(visited == expected)
        }
    }

    @Test func streamDecodesToEverySample() throws {
        let tokens = try wholeTokens(Self.stream)
        #expect(tokens.map { codecString($0.base) } == Self.samples)
    }

    @Test(arguments: samples)
    func everySplitPointOfOneSample(sample: String) throws {
        let whole = try wholeTokens(sample)
        let input = codecBuffer(sample)
        for split in 0 ... input.readableBytes {
            let first = split == 0 ? [input.readableBytes] : [split, input.readableBytes]
            let (tokens, rest) = try codecDecodeChunked(input, chunkSizes: first)
            #expect(tokens == whole, "split at \(split)")
            #expect(rest.readableBytes == 0, "split at \(split)")
        }
    }

    @Test(arguments: samples)
    func everyPairOfSplitPointsOfOneSample(sample: String) throws {
        let whole = try wholeTokens(sample)
        let count = codecBuffer(sample).readableBytes
        for first in 1 ..< count {
            for second in first + 1 ..< count {
                var input = codecBuffer(sample)
                var decoder = RESPTokenDecoder()
                var buffer = ByteBuffer()
                var tokens: [RESPToken] = []
                for cut in [first, second - first, count - second] {
                    var piece = input.readSlice(length: cut)!
                    buffer.writeBuffer(&piece)
                    while let token = try decoder.decode(&buffer) { tokens.append(token) }
                }
                #expect(tokens == whole, "split at \(first) and \(second)")
            }
        }
    }

    @Test(arguments: samples)
    func byteByByteOneSample(sample: String) throws {
        let (tokens, rest) = try codecDecodeChunked(codecBuffer(sample), chunkSizes: [1])
        #expect(tokens == (try wholeTokens(sample)))
        #expect(rest.readableBytes == 0)
    }

    @Test func everySplitPointOfTheWholeStream() throws {
        let whole = try wholeTokens(Self.stream)
        let input = codecBuffer(Self.stream)
        for split in 1 ..< input.readableBytes {
            let (tokens, rest) = try codecDecodeChunked(input, chunkSizes: [split, input.readableBytes])
            #expect(tokens == whole, "split at \(split)")
            #expect(rest.readableBytes == 0)
        }
    }

    @Test(arguments: [false, true])
    func byteByByteWholeStream(discarding: Bool) throws {
        let (tokens, rest) = try codecDecodeChunked(codecBuffer(Self.stream), chunkSizes: [1], discarding: discarding)
        #expect(tokens.map { codecString($0.base) } == Self.samples)
        #expect(rest.readableBytes == 0)
    }

    @Test(arguments: 2 ... 17)
    func fixedChunkSizesWholeStream(size: Int) throws {
        for discarding in [false, true] {
            let (tokens, rest) = try codecDecodeChunked(codecBuffer(Self.stream), chunkSizes: [size], discarding: discarding)
            #expect(tokens.map { codecString($0.base) } == Self.samples, "chunk size \(size), discarding \(discarding)")
            #expect(rest.readableBytes == 0)
        }
    }

    @Test func irregularChunkSizesWholeStream() throws {
        let patterns: [[Int]] = [[1, 2, 3], [7, 1, 1, 13], [3, 5, 8, 13, 21], [2, 1], [31, 1, 4]]
        for pattern in patterns {
            let (tokens, _) = try codecDecodeChunked(codecBuffer(Self.stream), chunkSizes: pattern, discarding: true)
            #expect(tokens.map { codecString($0.base) } == Self.samples, "pattern \(pattern)")
        }
    }

    @Test func valuesReadFromChunkedTokensMatchWholeOnes() throws {
        let whole = try wholeTokens(Self.stream)
        let (chunked, _) = try codecDecodeChunked(codecBuffer(Self.stream), chunkSizes: [3], discarding: true)
        #expect(chunked.count == whole.count)
        #expect(chunked.map(codecWalk) == whole.map(codecWalk))
        for (a, b) in zip(whole, chunked) {
            // NaN never equals itself, so compare the descriptions of those.
            if case .double(let x) = a.value, x.isNaN {
                guard case .double(let y) = b.value else {
                    Issue.record("not a double")
                    continue
                }
                #expect(y.isNaN)
            } else {
                #expect(a.value == b.value)
            }
        }
    }

    /// Malformed input is rejected with the same code however it is split.
    @Test(arguments: [
        ("$3\r\nabcX\r\n", RedisError.Code.protocolViolation),
        ("*2\r\n:1\r\n:x\r\n", .protocolViolation),
        ("+OK\rX", .protocolViolation),
        ("*1\r\n%1\r\n?\r\n", .protocolViolation),
        ("#x\r\n", .protocolViolation),
    ])
    func malformedInputFailsTheSameWayByteByByte(input: String, code: RedisError.Code) {
        #expect(codecErrorCode(codecBuffer(input)) == code)
        do {
            _ = try codecDecodeChunked(codecBuffer(input), chunkSizes: [1])
            Issue.record("no error byte by byte")
        } catch {
            #expect(error.code == code)
        }
    }

    @Test func limitsAreEnforcedTheSameWayByteByByte() {
        let limits = RESPLimits(maxLineLength: 8)
        let input = codecBuffer("+123456789012345\r\n")
        #expect(codecErrorCode(input, limits: limits) == .limitExceeded)
        do {
            _ = try codecDecodeChunked(input, chunkSizes: [1], limits: limits)
            Issue.record("no error byte by byte")
        } catch {
            #expect(error.code == .limitExceeded)
        }
    }
}
