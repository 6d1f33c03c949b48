import NIOCore
import PropertyBased
import Testing

@testable import RESP

/// Property-based round trips: random values encoded by a test-only encoder, and random
/// commands encoded by `RESPCommand`, decode back to what went in, however they are split.
@Suite struct CodecPropertyTests {
    // MARK: - Model

    /// A RESP value as plain Swift data, with its own encoder and a structural comparison
    /// against decoded tokens.
    indirect enum Model: Sendable, CustomStringConvertible {
        case simpleString(String)
        case simpleError(String)
        case integer(Int64)
        case bulkString([UInt8])
        case nullBulkString
        case nullArray
        case null
        case boolean(Bool)
        case double(Double)
        case bigNumber(String)
        case bulkError([UInt8])
        case verbatimString(format: String, text: [UInt8])
        case array([Model])
        case map([Pair])
        case set([Model])
        case push([Model])
        /// Attributes in front of a (non-attribute) value.
        case attributed([Pair], Model)

        struct Pair: Sendable {
            var key: Model
            var value: Model
        }

        var description: String {
            var buffer = ByteBuffer()
            encode(into: &buffer)
            return RESPLineParsing.preview(of: buffer, from: 0, to: min(buffer.writerIndex, 32))
                + (buffer.readableBytes > 32 ? "… (\(buffer.readableBytes) bytes)" : "")
        }

        // MARK: Encoder

        func encode(into buffer: inout ByteBuffer) {
            func line(_ type: Character, _ text: String) {
                buffer.writeString("\(type)\(text)\r\n")
            }
            func bulk(_ type: Character, _ bytes: [UInt8]) {
                line(type, String(bytes.count))
                buffer.writeBytes(bytes)
                buffer.writeString("\r\n")
            }
            func aggregate(_ type: Character, _ elements: [Model]) {
                line(type, String(elements.count))
                for element in elements { element.encode(into: &buffer) }
            }
            func pairs(_ type: Character, _ pairs: [Pair]) {
                line(type, String(pairs.count))
                for pair in pairs {
                    pair.key.encode(into: &buffer)
                    pair.value.encode(into: &buffer)
                }
            }
            switch self {
            case .simpleString(let text): line("+", text)
            case .simpleError(let text): line("-", text)
            case .integer(let value): line(":", String(value))
            case .bulkString(let bytes): bulk("$", bytes)
            case .nullBulkString: line("$", "-1")
            case .nullArray: line("*", "-1")
            case .null: line("_", "")
            case .boolean(let flag): line("#", flag ? "t" : "f")
            case .double(let value):
                line(",", value.isNaN ? "nan" : value.isInfinite ? (value < 0 ? "-inf" : "inf") : "\(value)")
            case .bigNumber(let digits): line("(", digits)
            case .bulkError(let bytes): bulk("!", bytes)
            case .verbatimString(let format, let text): bulk("=", Array(format.utf8) + [UInt8(ascii: ":")] + text)
            case .array(let elements): aggregate("*", elements)
            case .map(let entries): pairs("%", entries)
            case .set(let elements): aggregate("~", elements)
            case .push(let elements): aggregate(">", elements)
            case .attributed(let attributes, let value):
                pairs("|", attributes)
                value.encode(into: &buffer)
            }
        }

        var encoded: ByteBuffer {
            var buffer = ByteBuffer()
            encode(into: &buffer)
            return buffer
        }

        // MARK: Comparison

        /// Whether `token` decodes to this value, all the way down; records what differs.
        func matches(_ token: RESPToken, path: String = "$", attributesChecked: Bool = false) -> Bool {
            func fail(_ what: String) -> Bool {
                Issue.record("at \(path): expected \(self), got \(token.value) — \(what)")
                return false
            }
            func same(_ models: [Model], _ tokens: RESPToken.Array) -> Bool {
                guard tokens.count == models.count else { return fail("count \(tokens.count) ≠ \(models.count)") }
                let children = Swift.Array(tokens)
                guard children.count == models.count else { return fail("walked \(children.count) children") }
                return zip(models, children).enumerated().allSatisfy { index, pair in
                    pair.0.matches(pair.1, path: "\(path)[\(index)]")
                }
            }
            func same(_ pairs: [Pair], _ tokens: RESPToken.Map) -> Bool {
                guard tokens.count == pairs.count else { return fail("pair count \(tokens.count) ≠ \(pairs.count)") }
                let children = Swift.Array(tokens)
                guard children.count == pairs.count else { return fail("walked \(children.count) pairs") }
                return zip(pairs, children).enumerated().allSatisfy { index, pair in
                    pair.0.key.matches(pair.1.key, path: "\(path).key\(index)")
                        && pair.0.value.matches(pair.1.value, path: "\(path).value\(index)")
                }
            }

            if case .attributed(let attributes, let value) = self {
                guard let actual = token.attributes else { return fail("no attributes") }
                return same(attributes, actual) && value.matches(token, path: path, attributesChecked: true)
            }
            if token.attributes != nil, !attributesChecked {
                return fail("unexpected attributes")
            }
            switch (self, token.value) {
            case (.simpleString(let a), .simpleString(let b)), (.simpleError(let a), .simpleError(let b)),
                (.bigNumber(let a), .bigNumber(let b)):
                return codecBytes(b) == Swift.Array(a.utf8) || fail("text differs")
            case (.integer(let a), .integer(let b)):
                return a == b || fail("integer differs")
            case (.bulkString(let a), .bulkString(let b)), (.bulkError(let a), .bulkError(let b)):
                return codecBytes(b) == a || fail("bytes differ")
            case (.nullBulkString, .null), (.nullArray, .null), (.null, .null):
                return true
            case (.boolean(let a), .boolean(let b)):
                return a == b || fail("boolean differs")
            case (.double(let a), .double(let b)):
                return (a.isNaN && b.isNaN) || a == b || fail("double differs")
            case (.verbatimString(let format, let text), .verbatimString(let actualFormat, let actualText)):
                return (codecBytes(actualFormat) == Swift.Array(format.utf8) && codecBytes(actualText) == text)
                    || fail("verbatim string differs")
            case (.array(let a), .array(let b)), (.set(let a), .set(let b)), (.push(let a), .push(let b)):
                return same(a, b)
            case (.map(let a), .map(let b)):
                return same(a, b)
            default:
                return fail("type differs")
            }
        }
    }

    // MARK: - Random models

    static func randomText(using rng: inout some RandomNumberGenerator, allowLineBreaks: Bool) -> [UInt8] {
        let length = Int.random(in: 0 ... 12, using: &rng)
        let alphabet: [UInt8] = allowLineBreaks
            ? Swift.Array("ab \r\n*$:+-_#,(!=%~|>0123456789".utf8) + [0x00, 0xFF, 0xC3, 0xA9]
            : Swift.Array("abcXYZ 019:-+*$_'\"\\é".utf8)
        var bytes: [UInt8] = []
        for _ in 0 ..< length { bytes.append(alphabet.randomElement(using: &rng)!) }
        return bytes
    }

    static func randomLine(using rng: inout some RandomNumberGenerator) -> String {
        // Lines may not hold CR or LF; keep them valid UTF-8 so String round-trips.
        String(decoding: randomText(using: &rng, allowLineBreaks: false), as: UTF8.self)
            .replacingOccurrences(ofAny: "\r\n")
    }

    static func randomModel(depth: Int, using rng: inout some RandomNumberGenerator) -> Model {
        let leafKinds = 13
        let kinds = depth > 0 ? leafKinds + 5 : leafKinds
        switch Int.random(in: 0 ..< kinds, using: &rng) {
        case 0: return .simpleString(randomLine(using: &rng))
        case 1: return .simpleError("ERR " + randomLine(using: &rng))
        case 2:
            let edge: [Int64] = [0, -1, 1, .max, .min, 10, -10]
            return .integer(Bool.random(using: &rng) ? edge.randomElement(using: &rng)! : Int64.random(in: .min ... .max, using: &rng))
        case 3: return .bulkString(randomText(using: &rng, allowLineBreaks: true))
        case 4: return .nullBulkString
        case 5: return .nullArray
        case 6: return .null
        case 7: return .boolean(Bool.random(using: &rng))
        case 8:
            let special: [Double] = [.infinity, -.infinity, .nan, 0, -0.0, 1e300, .leastNonzeroMagnitude, 0.1]
            if Bool.random(using: &rng) { return .double(special.randomElement(using: &rng)!) }
            return .double(Double.random(in: -1e12 ... 1e12, using: &rng))
        case 9:
            let digits = (0 ..< Int.random(in: 1 ... 60, using: &rng)).map { _ in String(Int.random(in: 0 ... 9, using: &rng)) }.joined()
            return .bigNumber((Bool.random(using: &rng) ? "-" : "") + digits)
        case 10: return .bulkError(Swift.Array("ERR ".utf8) + randomText(using: &rng, allowLineBreaks: true))
        case 11:
            return .verbatimString(format: ["txt", "mkd", "a:b"].randomElement(using: &rng)!, text: randomText(using: &rng, allowLineBreaks: true))
        case 12: return .integer(Int64.random(in: -1000 ... 1000, using: &rng))
        default:
            let count = Int.random(in: 0 ... 4, using: &rng)
            func children() -> [Model] { (0 ..< count).map { _ in randomModel(depth: depth - 1, using: &rng) } }
            func pairs(_ count: Int) -> [Model.Pair] {
                (0 ..< count).map { _ in Model.Pair(key: randomModel(depth: depth - 1, using: &rng), value: randomModel(depth: depth - 1, using: &rng)) }
            }
            switch Int.random(in: 0 ..< 5, using: &rng) {
            case 0: return .array(children())
            case 1: return .set(children())
            case 2: return .push(children())
            case 3: return .map(pairs(count))
            default:
                var value = randomModel(depth: depth - 1, using: &rng)
                while case .attributed = value { value = randomModel(depth: depth - 1, using: &rng) }
                return .attributed(pairs(Int.random(in: 0 ... 2, using: &rng)), value)
            }
        }
    }

    static let models = Generator<Model, Shrink.None<Model>> { rng in
        randomModel(depth: Int.random(in: 0 ... 4, using: &rng), using: &rng)
    }

    static let chunkSizes = Gen.int(in: 1 ... 23).array(of: 1 ... 8)

    // MARK: - Value round trips

    @Test func randomValuesDecodeWhole() async {
        await propertyCheck(count: 500, input: Self.models) { model in
            let input = model.encoded
            var buffer = input
            var decoder = RESPTokenDecoder()
            do {
                let token = try #require(try decoder.decode(&buffer))
                #expect(buffer.readableBytes == 0)
                #expect(token.base == input)
                #expect(model.matches(token))
            } catch {
                Issue.record("\(error) decoding \(model)")
            }
        }
    }

    @Test func randomValuesDecodeSplit() async {
        await propertyCheck(count: 300, input: Self.models.array(of: 1 ... 4), Self.chunkSizes) { models, sizes in
            var stream = ByteBuffer()
            for model in models { model.encode(into: &stream) }
            do {
                let (tokens, rest) = try codecDecodeChunked(stream, chunkSizes: sizes, discarding: sizes[0] % 2 == 0)
                #expect(rest.readableBytes == 0)
                #expect(tokens.count == models.count)
                for (model, token) in zip(models, tokens) {
                    #expect(token.base == model.encoded)
                    #expect(model.matches(token))
                }
            } catch {
                Issue.record("\(error) decoding \(models) in chunks \(sizes)")
            }
        }
    }

    @Test func randomValuesWithATruncatedTailWait() async {
        await propertyCheck(count: 300, input: Self.models, Gen.int(in: 1 ... 1_000)) { model, cut in
            let input = model.encoded
            var buffer = input.getSlice(at: 0, length: cut % input.readableBytes)!
            let before = buffer
            var decoder = RESPTokenDecoder()
            do {
                #expect(try decoder.decode(&buffer) == nil)
                #expect(buffer == before)
                #expect(buffer.readerIndex == 0)
            } catch {
                Issue.record("\(error) decoding a prefix of \(model)")
            }
        }
    }

    // MARK: - Commands

    /// One argument of a random command.
    enum Argument: Sendable, RESPArgument, CustomStringConvertible {
        case string(String)
        case int(Int)
        case bytes([UInt8])
        case double(Double)
        case list([String])
        case absent

        var expected: [[UInt8]] {
            switch self {
            case .string(let text): [Swift.Array(text.utf8)]
            case .int(let value): [Swift.Array(String(value).utf8)]
            case .bytes(let bytes): [bytes]
            case .double(let value): [Swift.Array((value.isInfinite ? (value < 0 ? "-inf" : "inf") : "\(value)").utf8)]
            case .list(let texts): texts.map { Swift.Array($0.utf8) }
            case .absent: []
            }
        }

        var respArgumentCount: Int {
            switch self {
            case .list(let texts): texts.respArgumentCount
            case .absent: (nil as String?).respArgumentCount
            default: 1
            }
        }

        func writeRESPArguments(into buffer: inout ByteBuffer) {
            switch self {
            case .string(let text): text.writeRESPArguments(into: &buffer)
            case .int(let value): value.writeRESPArguments(into: &buffer)
            case .bytes(let bytes): ByteBuffer(bytes: bytes).writeRESPArguments(into: &buffer)
            case .double(let value): value.writeRESPArguments(into: &buffer)
            case .list(let texts): texts.writeRESPArguments(into: &buffer)
            case .absent: (nil as String?).writeRESPArguments(into: &buffer)
            }
        }

        var description: String {
            switch self {
            case .string(let text): "\"\(text)\""
            case .int(let value): "\(value)"
            case .bytes(let bytes): "\(bytes)"
            case .double(let value): "\(value)d"
            case .list(let texts): "\(texts)"
            case .absent: "nil"
            }
        }
    }

    static let unicodeText = Gen.oneOf(
        Gen.letterOrNumber.string(of: 0 ... 12),
        Gen.character(in: "\u{20}" ... "\u{7E}").string(of: 0 ... 12),
        Gen.character(in: "\u{A0}" ... "\u{2FFF}").string(of: 0 ... 6),
        Gen.character(in: "\u{1F300}" ... "\u{1F64F}").string(of: 0 ... 4),
        Gen.always("a\r\nb"),
        Gen.always("*1\r\n$1\r\nx\r\n")
    )

    static let arguments = Gen.oneOf(
        unicodeText.map { Argument.string($0) },
        Gen.int(in: .min ... .max).map { Argument.int($0) },
        Gen.int(in: -1_000 ... 1_000).map { Argument.int($0) },
        Gen<UInt8>.value(in: 0 ... 255).array(of: 0 ... 16).map { Argument.bytes($0) },
        Gen<Double>.value(in: -1e9 ... 1e9).map { Argument.double($0) },
        Gen.letterOrNumber.string(of: 1 ... 5).array(of: 0 ... 4).map { Argument.list($0) },
        Gen.always(Argument.absent)
    )

    @Test func randomCommandsDecodeToTheirArguments() async {
        await propertyCheck(count: 500, input: Gen.letter.string(of: 1 ... 10), Self.arguments.array(of: 0 ... 8)) { name, arguments in
            let command = RESPCommand(name, arguments)
            let expected = [Swift.Array(name.utf8)] + arguments.flatMap(\.expected)
            do {
                let token = try codecDecodeOne(command.bytes)
                guard case .array(let elements) = token.value else {
                    Issue.record("not an array: \(token)")
                    return
                }
                #expect(elements.count == expected.count)
                var actual: [[UInt8]] = []
                for element in elements {
                    guard case .bulkString(let bytes) = element.value else {
                        Issue.record("not a bulk string: \(element)")
                        return
                    }
                    actual.append(codecBytes(bytes))
                }
                #expect(actual == expected)
                #expect(command.name == name.uppercased())
                #expect(command.description == "\(name.uppercased()) (\(expected.count - 1) arguments)")
            } catch {
                Issue.record("\(error) decoding \(command)")
            }
        }
    }

    @Test func randomStringAndIntCommandsDecodeAsTypedValues() async {
        await propertyCheck(
            count: 300,
            input: Self.unicodeText.array(of: 0 ... 6),
            Gen.int(in: .min ... .max).array(of: 0 ... 6),
            Self.chunkSizes
        ) { strings, ints, sizes in
            var stream = RESPCommand("S", strings).bytes
            stream.writeImmutableBuffer(RESPCommand("I", ints).bytes)
            do {
                let (tokens, rest) = try codecDecodeChunked(stream, chunkSizes: sizes)
                #expect(rest.readableBytes == 0)
                #expect(tokens.count == 2)
                guard tokens.count == 2 else { return }
                #expect(try tokens[0].decode(as: [String].self) == ["S"] + strings)
                #expect(try tokens[1].decode(as: [String].self).dropFirst().map { Int($0) } == ints)
                let typed = try tokens[1].decode(as: [String].self).dropFirst()
                #expect(typed.count == ints.count)
            } catch {
                Issue.record("\(error) decoding \(strings) / \(ints)")
            }
        }
    }

    @Test func randomIntegersSurviveEncodeAndIntegerReply() async {
        await propertyCheck(count: 500, input: Gen.int(in: .min ... .max)) { value in
            let reply = Model.integer(Int64(value)).encoded
            do {
                #expect(try codecDecodeOne(reply).decode(as: Int.self) == value)
                let sent = try codecDecodeOne(RESPCommand("X", value).bytes).decode(as: [String].self)
                #expect(sent == ["X", String(value)])
                #expect(try codecDecodeOne(RESPCommand(value, Int64(value)).bytes).decode(as: [Int64].self) == [Int64(value), Int64(value)])
            } catch {
                Issue.record("\(error) for \(value)")
            }
        }
    }
}

extension String {
    /// The string with every character in `characters` removed.
    fileprivate func replacingOccurrences(ofAny characters: String) -> String {
        String(filter { !characters.contains($0) })
    }
}
