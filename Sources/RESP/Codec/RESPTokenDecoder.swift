public import NIOCore

/// Cuts complete RESP values out of a stream of bytes, however the stream is split.
///
/// The decoder validates each value in one forward pass and remembers where it stopped, so a
/// large reply that arrives in many reads is scanned once, not once per read. A complete value
/// is handed out as a ``RESPToken``: a zero-copy slice of the input. Violations of the protocol
/// or of ``RESPLimits`` throw; after an error the stream is out of step and must be dropped.
public struct RESPTokenDecoder: Sendable {
    /// The bounds this decoder enforces.
    public let limits: RESPLimits
    /// What to do about a reply over a size limit.
    static let overLimitAdvice = "more than this client reads; raise RESPLimits if such values are expected"

    /// Children still expected by each open aggregate, innermost last.
    private var openAggregates: [Int] = []
    /// Bytes after the reader index that are already validated.
    private var validatedBytes = 0
    /// Bytes after the reader index where the CR search of an unfinished line resumes.
    private var lineSearchOffset = 0

    /// Makes a decoder with the given limits.
    public init(limits: RESPLimits = RESPLimits()) {
        self.limits = limits
        openAggregates.reserveCapacity(4)
    }

    /// Returns the next complete value at the front of `buffer` and moves its reader index past
    /// it, or returns `nil` (consuming nothing) when more bytes are needed.
    public mutating func decode(_ buffer: inout ByteBuffer) throws(RedisError) -> RESPToken? {
        while true {
            let start = buffer.readerIndex + validatedBytes
            guard let next = try validateElement(in: buffer, at: start) else { return nil }
            validatedBytes = next - buffer.readerIndex
            lineSearchOffset = validatedBytes
            if validatedBytes > limits.maxReplyBytes {
                throw RedisError(.limitExceeded, "a reply exceeds \(limits.maxReplyBytes) bytes (RESPLimits.maxReplyBytes)")
            }
            if openAggregates.isEmpty {
                let token = RESPToken(validated: buffer.readSlice(length: validatedBytes)!)
                validatedBytes = 0
                lineSearchOffset = 0
                return token
            }
        }
    }

    /// Validates the element (or aggregate header) at `start`. Returns the index after it,
    /// or `nil` when the buffer ends first. Tracks aggregate nesting in `openAggregates`.
    private mutating func validateElement(in buffer: ByteBuffer, at start: Int) throws(RedisError) -> Int? {
        guard start < buffer.writerIndex else { return nil }
        let typeByte = buffer.getInteger(at: start, as: UInt8.self)!
        guard let type = RESPTypeByte(rawValue: typeByte) else {
            throw RedisError(.protocolViolation, "unknown RESP type byte 0x\(String(typeByte, radix: 16)) at the start of '\(RESPLineParsing.preview(of: buffer, from: start, to: buffer.writerIndex))'")
        }
        guard let lineEnd = try findLineEnd(in: buffer, elementStart: start) else { return nil }
        let afterLine = lineEnd + 2
        let contentStart = start + 1

        switch type {
        case .simpleString, .simpleError, .bigNumber:
            if type == .bigNumber { try requireBigNumber(buffer, contentStart, lineEnd) }
            return finishElement(at: afterLine)
        case .integer:
            guard RESPLineParsing.integer(in: buffer, from: contentStart, to: lineEnd) != nil else {
                throw malformed("integer", buffer, contentStart, lineEnd)
            }
            return finishElement(at: afterLine)
        case .null:
            guard lineEnd == contentStart else { throw malformed("null", buffer, contentStart, lineEnd) }
            return finishElement(at: afterLine)
        case .boolean:
            let byte = buffer.getInteger(at: contentStart, as: UInt8.self)
            guard lineEnd == contentStart + 1, byte == UInt8(ascii: "t") || byte == UInt8(ascii: "f") else {
                throw malformed("boolean", buffer, contentStart, lineEnd)
            }
            return finishElement(at: afterLine)
        case .double:
            guard RESPToken.parseDouble(buffer, from: contentStart, to: lineEnd) != nil else {
                throw malformed("double", buffer, contentStart, lineEnd)
            }
            return finishElement(at: afterLine)
        case .bulkString, .bulkError, .verbatimString:
            let length = try announcedLength(type, buffer, contentStart, lineEnd)
            if length == -1 { return finishElement(at: afterLine) }  // RESP2 null bulk string
            // The header alone tells how big the reply will get: refuse before buffering it.
            let (end, overflow) = afterLine.addingReportingOverflow(length)
            guard !overflow, end - buffer.readerIndex < limits.maxReplyBytes - 1 else {
                throw RedisError(.limitExceeded, "a \(type) of \(length) bytes makes a reply exceed \(limits.maxReplyBytes) bytes (RESPLimits.maxReplyBytes): \(Self.overLimitAdvice)")
            }
            guard end < buffer.writerIndex - 1 else { return nil }  // payload and CRLF not all here yet
            guard buffer.getInteger(at: end, as: UInt8.self) == ASCII.cr,
                  buffer.getInteger(at: end + 1, as: UInt8.self) == ASCII.lf else {
                throw RedisError(.protocolViolation, "a \(type) of \(length) bytes is not followed by CRLF")
            }
            if type == .verbatimString {
                guard length >= 4, buffer.getInteger(at: afterLine + 3, as: UInt8.self) == ASCII.colon else {
                    throw RedisError(.protocolViolation, "a verbatim string must start with a 3-byte format and ':'")
                }
            }
            return finishElement(at: end + 2)
        case .array, .set, .push, .map, .attribute:
            let count = try announcedLength(type, buffer, contentStart, lineEnd)
            if count == -1 { return finishElement(at: afterLine) }  // RESP2 null array
            let children = type.childCount(announced: count)!
            // `children < count` catches a map or attribute count that wrapped when doubled.
            guard count <= limits.maxAggregateCount, children >= count, children <= limits.maxAggregateCount else {
                throw RedisError(.limitExceeded, "a \(type) announces \(count) elements, more than \(limits.maxAggregateCount) (RESPLimits.maxAggregateCount)")
            }
            if children == 0 { return finishElement(at: afterLine) }
            guard openAggregates.count < limits.maxDepth else {
                throw RedisError(.limitExceeded, "a reply nests aggregates deeper than \(limits.maxDepth) (RESPLimits.maxDepth)")
            }
            openAggregates.append(children)
            return afterLine
        }
    }

    /// Counts a finished element against the aggregates that contain it.
    private mutating func finishElement(at next: Int) -> Int {
        while let last = openAggregates.indices.last {
            openAggregates[last] -= 1
            if openAggregates[last] > 0 { break }
            openAggregates.removeLast()
        }
        return next
    }

    /// Finds the CR that ends the header line of the element at `elementStart`, checks the LF
    /// after it and the line limit. `nil` when the line is not complete yet.
    private mutating func findLineEnd(in buffer: ByteBuffer, elementStart: Int) throws(RedisError) -> Int? {
        let searchFrom = max(elementStart + 1, buffer.readerIndex + lineSearchOffset)
        guard let cr = RESPLineParsing.firstCR(in: buffer, from: searchFrom) else {
            if buffer.writerIndex - elementStart > limits.maxLineLength + 1 {
                throw lineTooLong()
            }
            lineSearchOffset = buffer.writerIndex - buffer.readerIndex
            return nil
        }
        if cr - elementStart > limits.maxLineLength + 1 { throw lineTooLong() }
        guard cr + 1 < buffer.writerIndex else {
            lineSearchOffset = cr - buffer.readerIndex
            return nil
        }
        guard buffer.getInteger(at: cr + 1, as: UInt8.self) == ASCII.lf else {
            throw RedisError(.protocolViolation, "expected LF after CR in '\(RESPLineParsing.preview(of: buffer, from: elementStart, to: cr + 2))'")
        }
        return cr
    }

    private func lineTooLong() -> RedisError {
        RedisError(.limitExceeded, "a RESP line is longer than \(limits.maxLineLength) bytes (RESPLimits.maxLineLength)")
    }

    /// Parses the length or count of a bulk or aggregate header: -1 (null, where RESP2 allows
    /// it) or 0 ... the relevant limit.
    private func announcedLength(_ type: RESPTypeByte, _ buffer: ByteBuffer, _ start: Int, _ end: Int) throws(RedisError) -> Int {
        guard let value = RESPLineParsing.integer(in: buffer, from: start, to: end) else {
            throw malformed("\(type) length", buffer, start, end)
        }
        if value == -1 && (type == .bulkString || type == .array) { return -1 }
        guard value >= 0 else {
            throw RedisError(.protocolViolation, "a \(type) announces a negative length \(value)")
        }
        if type == .bulkString || type == .bulkError || type == .verbatimString {
            guard value <= Int64(limits.maxBulkLength) else {
                throw RedisError(.limitExceeded, "a \(type) of \(value) bytes exceeds \(limits.maxBulkLength) (RESPLimits.maxBulkLength): \(Self.overLimitAdvice)")
            }
        } else if value > Int64(limits.maxAggregateCount) {
            throw RedisError(.limitExceeded, "a \(type) announces \(value) elements, more than \(limits.maxAggregateCount) (RESPLimits.maxAggregateCount)")
        }
        return Int(value)
    }

    private func requireBigNumber(_ buffer: ByteBuffer, _ start: Int, _ end: Int) throws(RedisError) {
        var index = start
        if index < end, let sign = buffer.getInteger(at: index, as: UInt8.self), sign == ASCII.minus || sign == ASCII.plus { index += 1 }
        guard index < end else { throw malformed("big number", buffer, start, end) }
        while index < end {
            let byte = buffer.getInteger(at: index, as: UInt8.self)!
            guard byte >= ASCII.zero && byte <= ASCII.nine else { throw malformed("big number", buffer, start, end) }
            index += 1
        }
    }

    private func malformed(_ what: String, _ buffer: ByteBuffer, _ start: Int, _ end: Int) -> RedisError {
        RedisError(.protocolViolation, "malformed \(what) '\(RESPLineParsing.preview(of: buffer, from: start, to: end))'")
    }
}

extension RESPTypeByte: CustomStringConvertible {
    /// The type's name as the RESP specification spells it.
    var description: String {
        switch self {
        case .simpleString: "simple string"
        case .simpleError: "simple error"
        case .integer: "integer"
        case .bulkString: "bulk string"
        case .array: "array"
        case .null: "null"
        case .boolean: "boolean"
        case .double: "double"
        case .bigNumber: "big number"
        case .bulkError: "bulk error"
        case .verbatimString: "verbatim string"
        case .map: "map"
        case .set: "set"
        case .attribute: "attribute"
        case .push: "push"
        }
    }
}
