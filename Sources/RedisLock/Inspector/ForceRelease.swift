public import RESP
import Foundation
import NIOCore

/// Force-releases a stuck lock for an operator: compare-and-delete against the value the
/// operator saw (or a token), never a blind `DEL`, and an audit entry in a Redis stream and a
/// local log.
public struct ForceRelease: Sendable {
    /// Where audit entries go.
    public struct Audit: Sendable {
        /// The Redis stream (capped at about 10,000 entries); `nil` writes none.
        public var streamKey: String?
        /// The local append-only log file (JSON lines); `nil` writes none.
        public var logFile: String?
        /// Who is acting (default: `$SUDO_USER`, `$USER` or the uid).
        public var operatorName: String
        /// This machine's name.
        public var host: String

        /// Makes audit settings.
        public init(streamKey: String?, logFile: String?, operatorName: String = Audit.currentOperator, host: String = Audit.currentHost) {
            self.streamKey = streamKey
            self.logFile = logFile
            self.operatorName = operatorName
            self.host = host
        }

        /// The login name of whoever runs this process.
        public static var currentOperator: String {
            let environment = ProcessInfo.processInfo.environment
            return environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "uid \(getuid())"
        }

        /// This machine's host name.
        public static var currentHost: String { ProcessInfo.processInfo.hostName }

        /// `$XDG_STATE_HOME/lockwatch/audit.log`, else `~/.local/state/lockwatch/audit.log`.
        public static var defaultLogFile: String {
            let environment = ProcessInfo.processInfo.environment
            let base = environment["XDG_STATE_HOME"] ?? ((environment["HOME"] ?? NSTemporaryDirectory()) + "/.local/state")
            return base + "/lockwatch/audit.log"
        }
    }

    /// What the operator expects the key to hold.
    public enum Expectation: Sendable, Hashable {
        /// Exactly this value (for hashes: ``LockInspector/canonicalHashValue(_:)``).
        case value([UInt8])
        /// A value equal to this token, or one of our records carrying it.
        case token(String)
    }

    /// Compare-and-delete for strings and hashes. KEYS: the key. ARGV: mode (`value` or
    /// `token`), expected, wake-up channel or '', publish command (`PUBLISH`, or `SPUBLISH` on
    /// a cluster). Returns `{status, current}`: 0 vanished,
    /// 1 changed hands, 2 unsupported type, 3 released.
    static let script = RedisScript("""
        local kind = redis.call('TYPE', KEYS[1]).ok
        if kind == 'none' then return {0, ''} end
        local current
        if kind == 'string' then
          current = redis.call('GET', KEYS[1])
        elseif kind == 'hash' then
          local flat = redis.call('HGETALL', KEYS[1])
          local lines = {}
          for i = 1, #flat, 2 do lines[#lines + 1] = flat[i] .. '=' .. flat[i + 1] end
          table.sort(lines)
          current = table.concat(lines, '\\n')
        else
          return {2, kind}
        end
        local matches
        if ARGV[1] == 'token' then
          matches = current == ARGV[2] or string.find(current, '"token":"' .. ARGV[2] .. '"', 1, true) ~= nil
        else
          matches = current == ARGV[2]
        end
        if not matches then return {1, current} end
        redis.call('DEL', KEYS[1])
        if ARGV[3] ~= '' then redis.call(ARGV[4], ARGV[3], 'released') end
        return {3, current}
        """)

    /// The server, or the cluster (which routes by key).
    public let backend: any LockBackend
    /// Where audit entries go.
    public let audit: Audit
    /// The node's address, recorded in audit entries when the lock is one copy of several (a
    /// Redlock set); `nil` otherwise.
    public let node: String?

    /// Makes a force-release helper for the locks on `backend` (a ``RESP/RedisClient`` or a
    /// ``RESP/RedisClusterClient``).
    public init(backend: any LockBackend, audit: Audit, node: String? = nil) {
        self.backend = backend
        self.audit = audit
        self.node = node
    }

    /// Makes a force-release helper for the locks on one server.
    public init(client: RedisClient, audit: Audit) {
        self.init(backend: client, audit: audit)
    }

    /// Deletes `key` if it still holds what the operator expects, wakes its waiters (own
    /// format), and writes the audit entry.
    public func release(key: [UInt8], expecting expectation: Expectation) async -> ForceReleaseOutcome {
        let keyText = String(decoding: key, as: UTF8.self)
        let channel = keyText.hasSuffix("}") ? keyText + LockKeys.channelSuffix : ""
        let (mode, expected): (String, String) = switch expectation {
        case .value(let bytes): ("value", String(decoding: bytes, as: UTF8.self))
        case .token(let token): ("token", token)
        }
        let reply: RESPToken
        do {
            reply = try await backend.run(
                Self.script, keys: [keyText], arguments: [mode, expected, channel, backend.wakeUpPublishCommand], whenWritten: {})
        } catch {
            return .failed(Self.explain(error))
        }
        guard case .array(let parts) = reply.value, parts.count == 2 else { return .failed("unexpected reply \(reply)") }
        var iterator = parts.makeIterator()
        let status = (try? iterator.next()!.decode(as: Int.self)) ?? -1
        let current = (try? iterator.next()!.decode(as: ByteBuffer.self)).map { Array($0.readableBytesView) } ?? []
        switch status {
        case 0: return .vanished
        case 1: return .changedHands(currentValue: current)
        case 2: return .failed("the key is a \(String(decoding: current, as: UTF8.self)), not a lock (string or hash)")
        case 3:
            let entryID = await writeAudit(key: keyText, value: current)
            return .released(auditEntryID: entryID)
        default:
            return .failed("unexpected reply \(reply)")
        }
    }

    private func writeAudit(key: String, value: [UInt8]) async -> String? {
        let milliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        let valueText = String(decoding: value, as: UTF8.self)
        var entryID: String?
        if let stream = audit.streamKey {
            var fields = [
                "time_ms", String(milliseconds), "operator", audit.operatorName, "host", audit.host,
                "action", "force-release", "key", key, "value", valueText,
            ]
            if let node { fields += ["node", node] }
            entryID = try? await backend.send(
                RESPCommand("XADD", stream, "MAXLEN", "~", 10_000, "*", fields), nearKey: stream, timeout: nil
            ).decode(as: String.self)
        }
        if let logFile = audit.logFile {
            var record: [String: String] = [
                "time_ms": String(milliseconds), "operator": audit.operatorName, "host": audit.host,
                "action": "force-release", "key": key, "value": valueText, "stream_id": entryID ?? "",
            ]
            if let node { record["node"] = node }
            if let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) {
                Self.append(data + Data("\n".utf8), to: logFile)
            }
        }
        return entryID
    }

    /// Appends one line with a single `O_APPEND` write, so entries written at the same time
    /// (one per node of a Redlock set, or by two operators) never overwrite each other.
    private static func append(_ data: Data, to path: String) {
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    private static func explain(_ error: RedisError) -> String {
        switch error.code {
        case .permissionDenied:
            "Redis refused (NOPERM): this user may not run the release script or delete this key; use an ACL user with +eval/+evalsha/+script and write access to it (\(error.message))"
        default:
            error.message
        }
    }
}
