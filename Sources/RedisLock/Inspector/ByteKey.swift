import Glibc

/// A key's bytes as a dictionary key. `[UInt8]` hashes byte by byte through `Hasher`, which
/// at 100,000 locks made dictionary lookups the largest single cost of a refresh. This hashes
/// the bytes once, when the key is made, and keeps the hash: a dictionary then hashes eight
/// bytes per lookup, and comparing two keys (which a dictionary does for every occupied slot it
/// probes) stops at the hashes unless they match, before `memcmp`. It shares the array's storage.
package struct ByteKey: Hashable, Sendable {
    /// The bytes.
    package let bytes: [UInt8]
    /// The bytes' hash (this process only: `Hasher` is seeded per process).
    package let digest: Int

    /// Wraps `bytes` (no copy) and hashes them.
    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.digest = bytes.withUnsafeBytes { Self.digest(of: $0) }
    }

    /// The ``digest`` a key with these bytes has, without making one.
    package static func digest(of bytes: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        return hasher.finalize()
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }

    package static func == (lhs: ByteKey, rhs: ByteKey) -> Bool {
        lhs.digest == rhs.digest && lhs.bytes.count == rhs.bytes.count && lhs.bytes.withUnsafeBytes { left in
            rhs.bytes.withUnsafeBytes { right in left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }
        }
    }
}
