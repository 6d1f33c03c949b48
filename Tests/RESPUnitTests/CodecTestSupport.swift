import NIOCore
import Testing

@testable import RESP

// Small helpers shared by the Codec*Tests files.

/// A buffer holding `text`'s UTF-8 bytes.
func codecBuffer(_ text: String) -> ByteBuffer {
    ByteBuffer(string: text)
}

/// A buffer holding exactly `bytes`.
func codecBuffer(bytes: [UInt8]) -> ByteBuffer {
    ByteBuffer(bytes: bytes)
}

/// The readable bytes of `buffer` as a string (UTF-8, lossy).
func codecString(_ buffer: ByteBuffer) -> String {
    String(buffer: buffer)
}

/// The readable bytes of `buffer`.
func codecBytes(_ buffer: ByteBuffer) -> [UInt8] {
    Array(buffer.readableBytesView)
}

/// Decodes every complete token at the front of `buffer`, leaving any partial tail in it.
func codecDecodeAll(
    _ buffer: inout ByteBuffer,
    limits: RESPLimits = RESPLimits()
) throws(RedisError) -> [RESPToken] {
    var decoder = RESPTokenDecoder(limits: limits)
    var tokens: [RESPToken] = []
    while let token = try decoder.decode(&buffer) { tokens.append(token) }
    return tokens
}

/// Decodes `text`, which must hold exactly one complete value and nothing else.
func codecDecodeOne(
    _ text: String,
    limits: RESPLimits = RESPLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> RESPToken {
    try codecDecodeOne(codecBuffer(text), limits: limits, sourceLocation: sourceLocation)
}

/// Decodes `buffer`, which must hold exactly one complete value and nothing else.
func codecDecodeOne(
    _ input: ByteBuffer,
    limits: RESPLimits = RESPLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> RESPToken {
    var buffer = input
    var decoder = RESPTokenDecoder(limits: limits)
    let token = try #require(try decoder.decode(&buffer), sourceLocation: sourceLocation)
    #expect(buffer.readableBytes == 0, "trailing bytes after the token", sourceLocation: sourceLocation)
    #expect(token.base == input, "the token must span exactly the input", sourceLocation: sourceLocation)
    return token
}

/// Decodes `input` in one go and returns the error code thrown, or `nil` (recording an issue)
/// when nothing is thrown.
func codecErrorCode(
    _ input: ByteBuffer,
    limits: RESPLimits = RESPLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> RedisError.Code? {
    var buffer = input
    var decoder = RESPTokenDecoder(limits: limits)
    do {
        while try decoder.decode(&buffer) != nil {}
        Issue.record("expected an error, but decoding finished without one", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error.code
    }
}

/// Feeds `input` to one decoder in chunks of the given sizes (cycled), decoding after every
/// append until `nil`, and returns the tokens. Checks that a `nil` result consumes nothing.
/// With `discarding`, read bytes are discarded before every append (as NIO's
/// `ByteToMessageDecoder` may do), which moves the reader index back to 0.
func codecDecodeChunked(
    _ input: ByteBuffer,
    chunkSizes: [Int],
    limits: RESPLimits = RESPLimits(),
    discarding: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) throws(RedisError) -> (tokens: [RESPToken], rest: ByteBuffer) {
    precondition(!chunkSizes.isEmpty && chunkSizes.allSatisfy { $0 > 0 })
    var decoder = RESPTokenDecoder(limits: limits)
    var buffer = ByteBufferAllocator().buffer(capacity: 16)
    var source = input
    var tokens: [RESPToken] = []
    var chunk = 0
    while source.readableBytes > 0 {
        if discarding { buffer.discardReadBytes() }
        var piece = source.readSlice(length: min(chunkSizes[chunk % chunkSizes.count], source.readableBytes))!
        chunk += 1
        buffer.writeBuffer(&piece)
        while true {
            let before = buffer.readerIndex
            guard let token = try decoder.decode(&buffer) else {
                if buffer.readerIndex != before {
                    Issue.record("decode returned nil but moved the reader index", sourceLocation: sourceLocation)
                }
                break
            }
            tokens.append(token)
        }
    }
    return (tokens, buffer)
}

/// Repeats `text` `count` times.
func codecRepeat(_ text: String, _ count: Int) -> String {
    String(repeating: text, count: count)
}

/// Reads the value of `token` and of every token nested in it (attributes included), without
/// recursion, and returns how many values were visited. Traps if any lazy read is broken.
@discardableResult
func codecWalk(_ token: RESPToken) -> Int {
    var pending = [token]
    var visited = 0
    while let next = pending.popLast() {
        visited += 1
        if let attributes = next.attributes {
            for (key, value) in attributes { pending.append(contentsOf: [key, value]) }
        }
        switch next.value {
        case .array(let elements), .set(let elements), .push(let elements):
            pending.append(contentsOf: elements)
        case .map(let pairs):
            for (key, value) in pairs { pending.append(contentsOf: [key, value]) }
        default:
            break
        }
    }
    return visited
}
