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

        /// The login name of whoever runs this process: `$SUDO_USER`, `$USER` or `$LOGNAME`,
        /// else the name the password database gives the uid, else `uid N`.
        public static var currentOperator: String {
            let environment = ProcessInfo.processInfo.environment
            for name in ["SUDO_USER", "USER", "LOGNAME"] {
                if let value = environment[name], !value.isEmpty { return value }
            }
            if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
                return "\(String(cString: name)) (uid \(getuid()))"
            }
            return "uid \(getuid())"
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
        /// A string holding exactly these bytes.
        case value([UInt8])
        /// A hash holding exactly these fields and values, no more and no fewer.
        case hash([HashField])
        /// A string equal to this token or one of our records carrying it, or a hash with this
        /// field (a Redisson holder).
        case token(String)
    }

    /// Compare-and-delete for strings and hashes, on exact bytes. KEYS: the key. ARGV: mode
    /// (`value`, `hash` or `token`), expected (the value, the number of hash fields, or the
    /// token), wake-up channel or '', publish command (`PUBLISH`, or `SPUBLISH` on a
    /// cluster), then for `hash` the expected field and value pairs. Returns `{status,
    /// current}` (current: a string's value, a hash's flat `HGETALL`, or the type): 0
    /// vanished, 1 changed hands, 2 unsupported type, 3 released (current: what was deleted).
    static let script = RedisScript("""
        local kind = redis.call('TYPE', KEYS[1]).ok
        if kind == 'none' then return {0, ''} end
        local current
        local matches = false
        if kind == 'string' then
          current = redis.call('GET', KEYS[1])
          if ARGV[1] == 'token' then
            matches = current == ARGV[2] or string.find(current, '"token":"' .. ARGV[2] .. '"', 1, true) ~= nil
          elseif ARGV[1] == 'value' then
            matches = current == ARGV[2]
          end
        elseif kind == 'hash' then
          current = redis.call('HGETALL', KEYS[1])
          if ARGV[1] == 'token' then
            matches = redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1
          elseif ARGV[1] == 'hash' then
            local count = tonumber(ARGV[2])
            matches = redis.call('HLEN', KEYS[1]) == count
            for i = 5, 4 + 2 * count, 2 do
              if not matches then break end
              matches = redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1]
            end
          end
        else
          return {2, kind}
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

    /// Deletes `key` if it still holds exactly what the operator expects, wakes its waiters
    /// (own format), and writes the audit entry; a refusal because the key changed (or the
    /// token is not the holder's) is audited too, as a refused attempt.
    public func release(key: [UInt8], expecting expectation: Expectation) async -> ForceReleaseOutcome {
        var channel = key
        if key.last == UInt8(ascii: "}") { channel += LockKeys.channelSuffix.utf8 } else { channel = [] }
        var arguments: [ByteBuffer]
        switch expectation {
        case .value(let bytes): arguments = [ByteBuffer(string: "value"), ByteBuffer(bytes: bytes)]
        case .token(let token): arguments = [ByteBuffer(string: "token"), ByteBuffer(string: token)]
        case .hash(let fields): arguments = [ByteBuffer(string: "hash"), ByteBuffer(string: String(fields.count))]
        }
        arguments += [ByteBuffer(bytes: channel), ByteBuffer(string: backend.wakeUpPublishCommand)]
        if case .hash(let fields) = expectation {
            for field in fields { arguments += [ByteBuffer(bytes: field.field), ByteBuffer(bytes: field.value)] }
        }
        let reply: RESPToken
        do {
            reply = try await evaluate(key: key, arguments: arguments)
        } catch {
            return .failed(Self.explain(error))
        }
        guard case .array(let parts) = reply.value, parts.count == 2 else { return .failed("unexpected reply \(reply)") }
        var iterator = parts.makeIterator()
        let status = (try? iterator.next()!.decode(as: Int.self)) ?? -1
        let current = Self.shownValue(iterator.next()!)
        switch status {
        case 0: return .vanished
        case 1:
            _ = await writeAudit(key: key, value: current, action: "force-release-refused", expectation: expectation)
            return .changedHands(currentValue: current)
        case 2: return .failed("the key is a \(SafeText.escape(current)), not a lock (string or hash)")
        case 3:
            let entryID = await writeAudit(key: key, value: current, action: "force-release", expectation: expectation)
            return .released(auditEntryID: entryID)
        default:
            return .failed("unexpected reply \(reply)")
        }
    }

    /// Runs ``script`` by its SHA-1 with `key` and `arguments` as exact bytes, loading it
    /// first when the server does not know it.
    private func evaluate(key: [UInt8], arguments: [ByteBuffer]) async throws(RedisError) -> RESPToken {
        let routing = String(decoding: key, as: UTF8.self)  // a cluster follows MOVED for a key that is not UTF-8
        let command = RESPCommand("EVALSHA", Self.script.sha1, 1, ByteBuffer(bytes: key), arguments)
        do {
            return try await backend.send(command, nearKey: routing, timeout: nil)
        } catch where error.serverErrorPrefix == "NOSCRIPT" {
            _ = try await backend.send(RESPCommand("SCRIPT", "LOAD", Self.script.source), nearKey: routing, timeout: nil)
            return try await backend.send(command, nearKey: routing, timeout: nil)
        }
    }

    /// A value from the script's reply as bytes: a string's, or a hash's fields rendered.
    private static func shownValue(_ token: RESPToken) -> [UInt8] {
        switch token.value {
        case .bulkString(let bytes): Array(bytes.readableBytesView)
        case .array, .map: HashField.rendered((try? NodeScanner.hashFields(token)) ?? [])
        default: Array("\(token)".utf8)
        }
    }

    /// Records a release or a refused attempt in the stream and the log. Key and value are
    /// escaped as on the screen (`key_base64` keeps the key's exact bytes).
    private func writeAudit(key: [UInt8], value: [UInt8], action: String, expectation: Expectation) async -> String? {
        let milliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        var fields: [(String, String)] = [
            ("time_ms", String(milliseconds)), ("operator", SafeText.escape(audit.operatorName)),
            ("host", SafeText.escape(audit.host)), ("action", action), ("key", SafeText.escape(key)),
            ("key_base64", Data(key).base64EncodedString()), ("value", SafeText.escape(value)),
        ]
        if case .token(let token) = expectation { fields.append(("expected_token", SafeText.escape(token))) }
        if let node { fields.append(("node", SafeText.escape(node))) }
        var entryID: String?
        if let stream = audit.streamKey {
            entryID = try? await backend.send(
                RESPCommand("XADD", stream, "MAXLEN", "~", 10_000, "*", fields.flatMap { [$0.0, $0.1] }), nearKey: stream, timeout: nil
            ).decode(as: String.self)
        }
        if let logFile = audit.logFile {
            var record = Dictionary(fields, uniquingKeysWith: { $1 })
            record["stream_id"] = entryID ?? ""
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
