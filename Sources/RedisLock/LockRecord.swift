/// The value stored at a lock's key: a small JSON object, so anyone (the dashboard,
/// `redis-cli`, another language) can say who holds a lock.
///
/// ```json
/// {"v":1,"token":"9f2c…","owner":"web-7:4121","acquired_ms":1764081234567,"fence":42}
/// ```
/// - `token`: 128 random bits as 32 hex digits (or the caller's own token);
/// - `owner`: a label, by default `hostname:pid`;
/// - `acquired_ms`: the server's clock (Unix milliseconds) when the lock was taken;
/// - `fence`: the fencing token, strictly increasing per lock.
///
/// Release and extend compare the whole value, not just the token.
public struct LockRecord: Sendable, Hashable, Codable {
    /// The record format's version (1).
    public var version: Int
    /// The holder's secret token.
    public var token: String
    /// Who holds the lock.
    public var owner: String
    /// When the lock was acquired, in Unix milliseconds on the server's clock.
    public var acquiredAtMilliseconds: Int64
    /// The fencing token of this acquisition.
    public var fence: Int64

    enum CodingKeys: String, CodingKey {
        case version = "v", token, owner, acquiredAtMilliseconds = "acquired_ms", fence
    }

    /// Parses a stored value; `nil` when it is not a record of this library. A small
    /// hand-written JSON reader (see `LockRecord+Parsing.swift`): any key order, whitespace
    /// and escapes, unknown keys skipped.
    public init?(parsing value: String) {
        guard value.hasPrefix("{\"v\":"), value.utf8.count <= Self.maximumSize,
              let record = Self.parse(value) else {
            return nil
        }
        self = record
    }

    /// The stored record up to `"acquired_ms":`; the acquire script appends the server's
    /// clock and the fence. `escapedOwner` is the owner label escaped for a JSON string.
    ///
    /// `kind` names the lock kind for the kinds beyond the exclusive lock (`"fair"`, `"rw"`,
    /// `"semaphore"`): written right after the version, so a reader tells the kind from the
    /// value alone. `nil` (the exclusive lock) writes no `kind`.
    static func prefix(token: String, escapedOwner: String, kind: String? = nil) -> String {
        let kindField = kind.map { "\"kind\":\"" + $0 + "\"," } ?? ""
        return "{\"v\":1," + kindField + "\"token\":\"" + token + "\",\"owner\":\"" + escapedOwner + "\",\"acquired_ms\":"
    }

    /// The longest value this library writes, in bytes.
    public static let maximumSize = 1024
    /// The longest owner label, in bytes.
    public static let maximumOwnerLength = 200
    /// The longest caller-supplied token, in bytes.
    public static let maximumTokenLength = 64
}
