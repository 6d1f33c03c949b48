import Glibc

/// A key's bytes as a dictionary key. `[UInt8]` hashes byte by byte through `Hasher`, which
/// at 100,000 locks made dictionary lookups the largest single cost of a refresh; this hashes
/// the bytes in one call and compares them with `memcmp`. It shares the array's storage.
package struct ByteKey: Hashable, Sendable {
    /// The bytes.
    package let bytes: [UInt8]

    /// Wraps `bytes` (no copy).
    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    package func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    package static func == (lhs: ByteKey, rhs: ByteKey) -> Bool {
        lhs.bytes.count == rhs.bytes.count && lhs.bytes.withUnsafeBytes { left in
            rhs.bytes.withUnsafeBytes { right in left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }
        }
    }
}
