import NIOCore
import Testing

@testable import RESP

/// `RESPCommand` writes the exact RESP bytes of an array of bulk strings.
@Suite struct CodecEncoderTests {
    private func text(_ command: RESPCommand) -> String {
        codecString(command.bytes)
    }

    /// The command's arguments, decoded back as bulk strings.
    private func arguments(_ command: RESPCommand) throws -> [[UInt8]] {
        let token = try codecDecodeOne(command.bytes)
        guard case .array(let elements) = token.value else {
            Issue.record("not an array: \(token)")
            return []
        }
        return try elements.map { element in
            guard case .bulkString(let bytes) = element.value else {
                throw RedisError(.unexpectedReply, "not a bulk string: \(element)")
            }
            return codecBytes(bytes)
        }
    }

    @Test func aBatchHoldsItsCommandsBackToBackAndCountsThem() {
        var batch = RESPCommandBatch(capacity: 4)  // grows past its capacity
        #expect(batch.isEmpty)
        batch.append("PTTL", "lock:a")
        batch.append(RESPCommand("MGET", ["k1", "k2"]))
        batch.append("SET", "k", "v", "PX", 30_000)
        #expect(batch.count == 3)
        #expect(codecString(batch.bytes) == text(RESPCommand("PTTL", "lock:a")) + text(RESPCommand("MGET", ["k1", "k2"]))
            + text(RESPCommand("SET", "k", "v", "PX", 30_000)))
    }

    @Test func setWithExpiry() {
        let command = RESPCommand("SET", "k", "v", "PX", 30_000)
        #expect(text(command) == "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nPX\r\n$5\r\n30000\r\n")
    }

    @Test func singleArgument() {
        #expect(text(RESPCommand("PING")) == "*1\r\n$4\r\nPING\r\n")
    }

    @Test func arraysExpandToOneArgumentPerElement() {
        #expect(text(RESPCommand("DEL", ["a", "b"])) == "*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nb\r\n")
        #expect(text(RESPCommand("DEL", [String]())) == "*1\r\n$3\r\nDEL\r\n")
        #expect(
            text(RESPCommand("MSET", ["a", "b"], "x", [1, 22]))
                == "*6\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n$1\r\n1\r\n$2\r\n22\r\n"
        )
        #expect(text(RESPCommand("X", [["a"], ["b", "c"]])) == "*4\r\n$1\r\nX\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n")
    }

    @Test func nilOptionalsAreOmitted() {
        let none: String? = nil
        let some: String? = "NX"
        #expect(text(RESPCommand("SET", "k", "v", none)) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
        #expect(text(RESPCommand("SET", "k", "v", some)) == "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nNX\r\n")
        let noInt: Int? = nil
        #expect(text(RESPCommand("GET", noInt, "k", noInt)) == "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
        let noArray: [String]? = nil
        #expect(text(RESPCommand("DEL", noArray)) == "*1\r\n$3\r\nDEL\r\n")
    }

    @Test(arguments: [
        (0, "0"),
        (7, "7"),
        (9, "9"),
        (10, "10"),
        (99, "99"),
        (100, "100"),
        (-1, "-1"),
        (-10, "-10"),
        (-123456, "-123456"),
        (Int.max, "9223372036854775807"),
        (Int.min, "-9223372036854775808"),
        (Int.min + 1, "-9223372036854775807"),
    ])
    func integers(value: Int, expected: String) {
        #expect(text(RESPCommand("X", value)) == "*2\r\n$1\r\nX\r\n$\(expected.utf8.count)\r\n\(expected)\r\n")
        #expect(text(RESPCommand("X", Int64(value))) == "*2\r\n$1\r\nX\r\n$\(expected.utf8.count)\r\n\(expected)\r\n")
    }

    @Test func everyPowerOfTenBoundary() throws {
        var value = 1
        for _ in 0 ..< 18 {
            for candidate in [value - 1, value, value + 1, -value, -(value - 1), -(value + 1)] {
                let expected = String(candidate)
                #expect(try arguments(RESPCommand("X", candidate)).last == Array(expected.utf8))
            }
            value *= 10
        }
    }

    @Test(arguments: [
        (1.5, "1.5"),
        (-2.25, "-2.25"),
        (0.0, "0.0"),
        (3.0, "3.0"),
        (Double.infinity, "inf"),
        (-Double.infinity, "-inf"),
        (1e100, "1e+100"),
    ])
    func doubles(value: Double, expected: String) {
        #expect(text(RESPCommand("X", value)) == "*2\r\n$1\r\nX\r\n$\(expected.utf8.count)\r\n\(expected)\r\n")
    }

    @Test func doublesReadBack() throws {
        for value in [0.1, -1e-300, 123456.789, Double.pi, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity] {
            let sent = try arguments(RESPCommand("X", value)).last ?? []
            let back = RESPToken.parseDouble(codecBuffer(bytes: sent), from: 0, to: sent.count)
            #expect(back == value, "\(value)")
        }
    }

    @Test func binaryByteBufferArguments() {
        let payload: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF, 0x24]
        let command = RESPCommand("SET", "k", codecBuffer(bytes: payload))
        var expected = codecBuffer("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\n")
        expected.writeBytes(payload)
        expected.writeString("\r\n")
        #expect(command.bytes == expected)
    }

    @Test func byteBufferSliceWritesOnlyItsReadableBytes() {
        var buffer = codecBuffer("xxhelloyy")
        buffer.moveReaderIndex(forwardBy: 2)
        buffer.moveWriterIndex(to: 7)
        #expect(text(RESPCommand("ECHO", buffer)) == "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n")
    }

    @Test func emptyArgument() {
        #expect(text(RESPCommand("SET", "k", "")) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n")
        #expect(text(RESPCommand("SET", "k", ByteBuffer())) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n")
    }

    @Test func unicodeCountsUTF8Bytes() {
        #expect(text(RESPCommand("SET", "ключ", "🎉")) == "*3\r\n$3\r\nSET\r\n$8\r\nключ\r\n$4\r\n🎉\r\n")
        #expect(text(RESPCommand("X", "e\u{301}")) == "*2\r\n$1\r\nX\r\n$3\r\ne\u{301}\r\n")
    }

    @Test func substringsAndStaticStrings() {
        let line = "hello world"
        let word = line.split(separator: " ")[1]
        let name: StaticString = "ECHO"
        #expect(text(RESPCommand(name, word)) == "*2\r\n$4\r\nECHO\r\n$5\r\nworld\r\n")
        let unicode: StaticString = "naïve"
        #expect(text(RESPCommand("X", unicode)) == "*2\r\n$1\r\nX\r\n$6\r\nnaïve\r\n")
    }

    @Test func argumentsWithCRLFRoundTrip() throws {
        let tricky = "a\r\nb\r\n*1\r\n$3\r\n"
        #expect(try arguments(RESPCommand("SET", "k", tricky)) == [Array("SET".utf8), Array("k".utf8), Array(tricky.utf8)])
    }

    @Test func name() {
        #expect(RESPCommand("set", "k", "v").name == "SET")
        #expect(RESPCommand("Client", "SETNAME", "x").name == "CLIENT")
        #expect(RESPCommand(codecBuffer("get"), "k").name == "GET")
    }

    @Test func descriptionHidesArgumentValues() {
        let command = RESPCommand("AUTH", "alice", "s3cr3t-passw0rd")
        #expect(command.description == "AUTH (2 arguments)")
        #expect(!command.description.contains("s3cr3t"))
        #expect(!command.description.contains("alice"))
        #expect(RESPCommand("PING").description == "PING (0 arguments)")
        #expect(RESPCommand("DEL", ["a", "b", "c"]).description == "DEL (3 arguments)")
        #expect("\(RESPCommand("SET", "key", 123_456_789))" == "SET (2 arguments)")
    }

    @Test func commandWithoutArgumentsIsAnEmptyArray() {
        let empty = RESPCommand()
        #expect(text(empty) == "*0\r\n")
        #expect(empty.name == "?")
        #expect(!empty.description.contains("-1"))
    }

    @Test func encodedCommandsAreValidRESP() throws {
        let command = RESPCommand("ZADD", "key", "NX", 1.5, "member", -3, ["a", "b"], codecBuffer("raw"))
        #expect(
            try arguments(command).map { String(decoding: $0, as: UTF8.self) }
                == ["ZADD", "key", "NX", "1.5", "member", "-3", "a", "b", "raw"]
        )
    }

    @Test func argumentCounts() {
        #expect("x".respArgumentCount == 1)
        #expect(5.respArgumentCount == 1)
        #expect(["a", "b", "c"].respArgumentCount == 3)
        #expect([["a"], ["b", "c"]].respArgumentCount == 3)
        #expect((nil as String?).respArgumentCount == 0)
        #expect(("x" as String?).respArgumentCount == 1)
        #expect(([1, 2] as [Int]?).respArgumentCount == 2)
    }
}
