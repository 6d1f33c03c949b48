public import NIOCore

/// One complete, validated RESP value, held as a zero-copy slice of the bytes it arrived in.
///
/// Nothing is decoded until asked: ``value`` reads the outermost type, and aggregates hand out
/// their elements as further tokens one by one. A token never contains a partial value.
public struct RESPToken: Sendable, Hashable, CustomStringConvertible {
    /// The value's exact wire bytes.
    public let base: ByteBuffer

    /// Wraps bytes that ``RESPTokenDecoder`` has validated as exactly one value.
    package init(validated base: ByteBuffer) {
        self.base = base
    }

    /// Validates `bytes` as exactly one complete value; `nil` when it is not.
    public init?(validating bytes: ByteBuffer, limits: RESPLimits = RESPLimits()) {
        var copy = bytes
        var decoder = RESPTokenDecoder(limits: limits)
        guard let token = try? decoder.decode(&copy), copy.readableBytes == 0 else { return nil }
        self = token
    }

    /// The attributes (RESP3 `|`) sent in front of this value, if any.
    public var attributes: Map? {
        guard base.getInteger(at: base.readerIndex, as: UInt8.self) == RESPTypeByte.attribute.rawValue else {
            return nil
        }
        let header = Self.header(of: base, at: base.readerIndex)
        return Map(count: Int(header.length), elements: base.getSlice(at: header.contentStart, length: base.writerIndex - header.contentStart)!)
    }

    /// The index where the value itself starts, after any attributes.
    var valueStart: Int {
        var index = base.readerIndex
        while base.getInteger(at: index, as: UInt8.self) == RESPTypeByte.attribute.rawValue {
            let header = Self.header(of: base, at: index)
            index = header.contentStart
            for _ in 0 ..< header.length * 2 { index = Self.indexAfterElement(in: base, at: index) }
        }
        return index
    }

    /// A short, escaped rendering for logs and error messages.
    public var description: String {
        RESPLineParsing.preview(of: base, from: base.readerIndex, to: base.writerIndex)
    }

    /// The parsed header of the element at `index` of validated bytes.
    struct Header {
        var type: RESPTypeByte
        /// The integer on the header line (length or count), or 0 for line types.
        var length: Int
        /// The index of the first byte after the header line's CRLF.
        var contentStart: Int
        /// The index of the CR ending the header line.
        var lineEnd: Int
    }

    /// Reads the header of the validated element at `index`.
    static func header(of buffer: ByteBuffer, at index: Int) -> Header {
        let type = RESPTypeByte(rawValue: buffer.getInteger(at: index, as: UInt8.self)!)!
        let lineEnd = RESPLineParsing.firstCR(in: buffer, from: index + 1)!
        var length = 0
        switch type {
        case .bulkString, .bulkError, .verbatimString, .array, .set, .push, .map, .attribute:
            length = Int(RESPLineParsing.integer(in: buffer, from: index + 1, to: lineEnd)!)
        default:
            break
        }
        return Header(type: type, length: length, contentStart: lineEnd + 2, lineEnd: lineEnd)
    }

    /// The index right after the validated element (with all its children) at `index`.
    static func indexAfterElement(in buffer: ByteBuffer, at index: Int) -> Int {
        var position = index
        var remaining = 1
        while remaining > 0 {
            let header = header(of: buffer, at: position)
            remaining -= 1
            position = header.contentStart
            switch header.type {
            case .bulkString, .bulkError, .verbatimString:
                if header.length >= 0 { position += header.length + 2 }
            case .array, .set, .push, .map, .attribute:
                // An attribute always has at least one child (the value it annotates), even `|0`;
                // a null array (`*-1`) has none.
                if header.length >= 0 { remaining += header.type.childCount(announced: header.length)! }
            default:
                break
            }
        }
        return position
    }
}
