import Foundation
import LockWatchUI
import RedisLock

/// What `list` shows of a lock kind beyond the exclusive lock (``LockKindDetail``): the
/// table's FORMAT cell becomes the kind's compact summary (`rw: 3 readers`, `semaphore 2/5`,
/// `fair: 4 queued`, prefixed by the library when it is not this one), and a JSON row gains
/// `"kind"` and the kind's fields. The JSON writer escapes every string from Redis.
enum KindColumns {
    /// The FORMAT cell: the format, or the kind's summary.
    static func formatCell(_ lock: InspectedLock) -> String { lock.formatLabel }

    /// `"kind"` and the kind's fields for a JSON row; nothing for an exclusive lock.
    static func json(_ kind: LockKindDetail?) -> [(String, JSONText.Value)] {
        guard let kind else { return [] }
        var fields: [(String, JSONText.Value)] = [
            ("kind", .string(kind.kind.rawValue)),
            ("holders", .array(kind.holders.map(json))),
        ]
        switch kind.kind {
        case .readWrite:
            fields.append(("mode", kind.mode.map { .string($0.rawValue) } ?? .null))
            fields.append(("readers", .integer(Int64(kind.readers.count))))
        case .semaphore:
            fields.append(("permits_used", .integer(Int64(kind.holders.count))))
            fields.append(("permits_total", kind.permitsTotal.map { .integer(Int64($0)) } ?? .null))
        case .fair:
            fields.append(("queue_length", kind.queueLength.map { .integer(Int64($0)) } ?? .null))
            fields.append(("queue_head", kind.queueHead.map(json) ?? .null))
        }
        return fields
    }

    /// One holder: `holder` is the name `release --holder` takes.
    static func json(_ holder: KindHolder) -> JSONText.Value {
        .object([
            ("role", .string(holder.role.rawValue)),
            ("holder", .string(holder.name)),
            ("field", .string(String(decoding: holder.field, as: UTF8.self))),
            ("token", holder.token.map { .string($0) } ?? .null),
            ("owner", holder.owner.map { .string($0) } ?? .null),
            ("fence", holder.fence.map { .integer($0) } ?? .null),
            ("ttl_ms", holder.ttlMilliseconds.map { .integer($0) } ?? .null),
            ("acquired_ms", holder.acquiredAtMilliseconds.map { .integer($0) } ?? .null),
        ])
    }
}
