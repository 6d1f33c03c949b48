public import RESP
import Foundation
import NIOCore

/// Force-releases a stuck lock for an operator: compare-and-delete against the value the
/// operator saw (or a token), never a blind `DEL`, and an audit entry in a Redis stream and a
/// local log.
///
/// Through a proxy (Codis, twemproxy) the script runs with `EVAL` when the backend does not
/// know it (never `SCRIPT LOAD`), and the audit entry goes to a capped Redis list instead of a
/// stream (codis-server 3.2 has no streams): `LPUSH` + `LTRIM` in the same script as the
/// compare-and-delete, on `AuditList.key(base:lockKey:)` (the stream's name plus the lock's
/// hash tag, so both keys live on the same backend).
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
        /// One holder of a read-write lock or semaphore of this library: the hash's `field`
        /// holding exactly `value`; only that field is deleted (see ``holderScript``).
        case holder(field: [UInt8], value: [UInt8])
    }

    /// Compare-and-delete for strings and hashes, on exact bytes. KEYS: the key, and the
    /// audit list when there is one. ARGV: mode (`value`, `hash` or `token`), expected (the
    /// value, the number of hash fields, or the token), wake-up channel or '', publish command
    /// (`PUBLISH`, or `SPUBLISH` on a cluster), the audit list's length cap ('' for no list),
    /// the audit record of a release, the one of a refused attempt, then for `hash` the
    /// expected field and value pairs. Returns `{status, current}` (current: a string's value,
    /// a hash's flat `HGETALL`, or the type): 0 vanished, 1 changed hands, 2 unsupported type,
    /// 3 released (current: what was deleted). Runs on Redis 3.2 (no `TIME`, no streams).
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
            for i = 8, 7 + 2 * count, 2 do
              if not matches then break end
              matches = redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1]
            end
          end
        else
          return {2, kind}
        end
        local function audit(record)
          if ARGV[5] == '' then return end
          redis.call('LPUSH', KEYS[2], record)
          redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[5]) - 1)
        end
        if not matches then
          audit(ARGV[7])
          return {1, current}
        end
        redis.call('DEL', KEYS[1])
        if ARGV[3] ~= '' then redis.call(ARGV[4], ARGV[3], 'released') end
        audit(ARGV[6])
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
        var keys = [key]
        var script = Self.script
        switch expectation {
        case .value(let bytes): arguments = [ByteBuffer(string: "value"), ByteBuffer(bytes: bytes)]
        case .token(let token): arguments = [ByteBuffer(string: "token"), ByteBuffer(string: token)]
        case .hash(let fields): arguments = [ByteBuffer(string: "hash"), ByteBuffer(string: String(fields.count))]
        case .holder(let field, let value):
            arguments = [ByteBuffer(bytes: field), ByteBuffer(bytes: value)]
            keys.append(key + Array(":expiries".utf8))
            script = Self.holderScript
        }
        arguments += [ByteBuffer(bytes: channel), ByteBuffer(string: backend.wakeUpPublishCommand)]
        let list = auditList(for: key)
        arguments += list.scriptArguments(released: auditFields(key: key, value: nil, action: "force-release", expectation: expectation),
                                          refused: auditFields(key: key, value: nil, action: "force-release-refused", expectation: expectation))
        if case .hash(let fields) = expectation {
            for field in fields { arguments += [ByteBuffer(bytes: field.field), ByteBuffer(bytes: field.value)] }
        }
        let reply: RESPToken
        do {
            reply = try await evaluate(script, keys: keys + list.scriptKeys, arguments: arguments)
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
            _ = await writeAudit(key: key, value: current, action: "force-release-refused", expectation: expectation, list: list)
            return .changedHands(currentValue: current)
        case 2: return .failed("the key is a \(SafeText.escape(current)), not a lock (string or hash)")
        case 3:
            let entryID = await writeAudit(key: key, value: current, action: "force-release", expectation: expectation, list: list)
            return .released(auditEntryID: entryID)
        default:
            return .failed("unexpected reply \(reply)")
        }
    }

    /// Runs `script` by its SHA-1 with `keys` and `arguments` as exact bytes; when the server
    /// does not know it, loads it first, or through a proxy (which refuses `SCRIPT LOAD`) sends
    /// it with `EVAL`, which the backend caches for the next `EVALSHA`.
    private func evaluate(_ script: RedisScript, keys: [[UInt8]], arguments: [ByteBuffer]) async throws(RedisError) -> RESPToken {
        let routing = String(decoding: keys[0], as: UTF8.self)  // a cluster follows MOVED for a key that is not UTF-8
        let keyArguments = keys.map { ByteBuffer(bytes: $0) }
        let command = RESPCommand("EVALSHA", script.sha1, keys.count, keyArguments, arguments)
        do {
            return try await backend.send(command, nearKey: routing, timeout: nil)
        } catch where error.serverErrorPrefix == "NOSCRIPT" {
            if let proxy = backend.proxyKind, proxy != .none {
                return try await backend.send(RESPCommand("EVAL", script.source, keys.count, keyArguments, arguments), nearKey: routing, timeout: nil)
            }
            _ = try await backend.send(RESPCommand("SCRIPT", "LOAD", script.source), nearKey: routing, timeout: nil)
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
    ///
    /// Through a proxy the script already pushed the record to the audit list (or, when the
    /// list cannot share the lock's backend, it is pushed here, after the release).
    private func writeAudit(key: [UInt8], value: [UInt8], action: String, expectation: Expectation, list: AuditList) async -> String? {
        let fields = auditFields(key: key, value: value, action: action, expectation: expectation)
        var entryID: String?
        if case .separate(let listKey) = list {
            await AuditList.push(AuditList.record(fields), to: listKey, on: backend)
        } else if case .stream(let stream) = list {
            entryID = try? await backend.send(
                RESPCommand("XADD", stream, "MAXLEN", "~", 10_000, "*", fields.flatMap { [$0.0, $0.1] }), nearKey: stream, timeout: nil
            ).decode(as: String.self)
        }
        if let logFile = audit.logFile {
            var fields = fields
            if case .inScript(let listKey) = list { fields.append(("list", SafeText.escape(listKey))) }
            if case .separate(let listKey) = list { fields.append(("list", SafeText.escape(listKey))) }
            fields.append(("stream_id", entryID ?? ""))
            Self.append(Data((AuditList.record(fields) + "\n").utf8), to: logFile)
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
