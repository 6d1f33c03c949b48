/// One of the 16384 slots a Redis Cluster divides its keys into: CRC16 (XMODEM) of the key,
/// or of its `{hash tag}`, modulo 16384.
///
/// ```swift
/// HashSlot(key: "user:{42}:name") == HashSlot(key: "user:{42}:email")  // same tag, same slot
/// ```
public struct HashSlot: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// How many slots a cluster has.
    public static let count = 16_384

    /// The slot number, `0 ..< 16384`.
    public let rawValue: UInt16

    /// Wraps a slot number; `nil` when it is 16384 or more.
    public init?(rawValue: UInt16) {
        guard Int(rawValue) < Self.count else { return nil }
        self.rawValue = rawValue
    }

    /// The slot of a key given as bytes.
    public init(key: some Collection<UInt8>) {
        let hashed = Self.hashedPart(of: Array(key))
        rawValue = Self.crc16(hashed) & UInt16(Self.count - 1)
    }

    /// The slot of a key (its UTF-8 bytes).
    public init(key: String) {
        self.init(key: Array(key.utf8))
    }

    /// The slot number.
    public var description: String { String(rawValue) }

    /// Orders slots by number.
    public static func < (lhs: HashSlot, rhs: HashSlot) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The bytes that are hashed: the part between the first `{` and the first `}` after it,
    /// when that part is not empty; otherwise the whole key (so `{}` and an unclosed `{` do
    /// not form a tag, and in `foo{}{bar}` the tag is empty and the whole key counts).
    static func hashedPart(of key: [UInt8]) -> ArraySlice<UInt8> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
              let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
              close > open + 1 else { return key[...] }
        return key[(open + 1) ..< close]
    }

    /// CRC16-CCITT in the XMODEM variant (polynomial 0x1021, initial value 0), as Redis uses.
    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0 ..< 256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0 ..< 8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}
