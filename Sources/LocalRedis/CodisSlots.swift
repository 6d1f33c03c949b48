/// Codis's key routing: `crc32(hash key) % 1024`, where the hash key is the text between the
/// first `{` and the next `}` (even when empty), else the whole key.
public enum CodisSlots {
    /// Codis's number of slots.
    public static let count = 1024

    /// The slot Codis routes `key` to.
    public static func slot(of key: String) -> Int {
        var bytes = Array(key.utf8)[...]
        if let open = bytes.firstIndex(of: UInt8(ascii: "{")),
           let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")) {
            bytes = bytes[(open + 1) ..< close]
        }
        return Int(crc32(bytes) % UInt32(count))
    }

    /// CRC-32 (IEEE 802.3, as Go's `crc32.ChecksumIEEE`), bit by bit: keys are short.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0 ..< 8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
