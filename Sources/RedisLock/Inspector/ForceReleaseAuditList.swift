import Foundation
import NIOCore
import RESP

extension ForceRelease {
    /// Where a force-release's audit record goes in Redis.
    enum AuditList: Equatable {
        /// Nowhere (no stream configured).
        case none
        /// The stream (`XADD … MAXLEN ~ 10000`), after the script: Redis itself.
        case stream(String)
        /// A capped list that the release script itself pushes to (`LPUSH` + `LTRIM`): through
        /// a proxy, whose backends may have no streams (codis-server 3.2). Its key carries the
        /// lock's hash tag, so it lives on the lock's backend.
        case inScript([UInt8])
        /// A capped list pushed to after the script: through a proxy, for a key whose hash tag
        /// cannot be shared (it has `{}` or a lone `}`).
        case separate(String)

        /// How many records each list keeps.
        static let capacity = 1000

        /// `base:{TAG}`: the list of a lock's audit records through a proxy, on the same
        /// backend as the lock. TAG is what Codis and twemproxy (`hash_tag: "{}"`) route the
        /// lock by: the text between its first `{` and the next `}`, else the whole key. `nil`
        /// when no such list can share the lock's slot (an empty tag, a `}` in an untagged
        /// key, braces in `base`).
        static func key(base: String, lockKey: [UInt8]) -> [UInt8]? {
            let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
            guard !base.utf8.contains(open), !base.utf8.contains(close) else { return nil }
            var tag = lockKey[...]
            if let start = lockKey.firstIndex(of: open), let end = lockKey[(start + 1)...].firstIndex(of: close) {
                tag = lockKey[(start + 1) ..< end]
            } else if lockKey.contains(close) {
                return nil
            }
            guard !tag.isEmpty else { return nil }
            return Array(base.utf8) + Array(":{".utf8) + Array(tag) + [close]
        }

        /// The script's extra keys: the list it pushes to, if any.
        var scriptKeys: [[UInt8]] {
            if case .inScript(let key) = self { [key] } else { [] }
        }

        /// The script's audit arguments: the list's cap and the two records, or empty ones.
        func scriptArguments(released: [(String, String)], refused: [(String, String)]) -> [ByteBuffer] {
            guard case .inScript = self else { return [ByteBuffer(), ByteBuffer(), ByteBuffer()] }
            return [ByteBuffer(string: String(Self.capacity)), ByteBuffer(string: Self.record(released)), ByteBuffer(string: Self.record(refused))]
        }

        /// A record as one JSON object with sorted keys (the local log's shape).
        static func record(_ fields: [(String, String)]) -> String {
            let object = Dictionary(fields, uniquingKeysWith: { $1 })
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
            return String(decoding: data, as: UTF8.self)
        }

        /// `LPUSH` + `LTRIM` outside the script; a failure is left to the local log.
        static func push(_ record: String, to key: String, on backend: any LockBackend) async {
            _ = try? await backend.send(RESPCommand("LPUSH", key, record), nearKey: key, timeout: nil)
            _ = try? await backend.send(RESPCommand("LTRIM", key, 0, capacity - 1), nearKey: key, timeout: nil)
        }
    }

    /// The capped list a force-release through a proxy pushes its audit record to, in the
    /// same script as the delete: `base:{TAG}`, with the lock's hash tag (or its whole key),
    /// so it lives on the lock's backend. `nil` when no list can share the lock's slot; the
    /// record then goes to the list `base` itself, right after the release.
    public static func auditListKey(base: String, lockKey: [UInt8]) -> [UInt8]? {
        AuditList.key(base: base, lockKey: lockKey)
    }

    /// Where this release's audit record goes in Redis: the stream on Redis itself, a list
    /// through a proxy (see ``AuditList``).
    func auditList(for key: [UInt8]) -> AuditList {
        guard let base = audit.streamKey else { return .none }
        guard let proxy = backend.proxyKind, proxy != .none else { return .stream(base) }
        return AuditList.key(base: base, lockKey: key).map { .inScript($0) } ?? .separate(base)
    }

    /// The audit record's fields, escaped as on the screen (`key_base64` keeps the key's exact
    /// bytes). Without `value` (a record written by the script, before the value is known) it
    /// names what was expected instead.
    func auditFields(key: [UInt8], value: [UInt8]?, action: String, expectation: Expectation) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("time_ms", String(Int64(Date().timeIntervalSince1970 * 1000))), ("operator", SafeText.escape(audit.operatorName)),
            ("host", SafeText.escape(audit.host)), ("action", action), ("key", SafeText.escape(key)),
            ("key_base64", Data(key).base64EncodedString()),
        ]
        if let value { fields.append(("value", SafeText.escape(value))) }
        switch expectation {
        case .token(let token): fields.append(("expected_token", SafeText.escape(token)))
        case .value(let expected) where value == nil: fields.append(("expected_value", SafeText.escape(expected)))
        case .hash(let expected) where value == nil: fields.append(("expected_value", SafeText.escape(HashField.rendered(expected))))
        case .holder(let field, let expected): fields += [("holder_field", SafeText.escape(field))] + (value == nil ? [("expected_value", SafeText.escape(expected))] : [])
        default: break
        }
        if let node { fields.append(("node", SafeText.escape(node))) }
        return fields
    }
}
