import Foundation
import NIOCore
import RESP

extension NodeScanner {
    /// Reads what the lock kinds among `rows` need beyond their value, and decodes them (see
    /// ``LockKindDecoder``): only rows of a kind cost anything. One pipelined batch (a fair
    /// lock's `ZCARD` + first member of `:queue`; a read-write lock's or semaphore's
    /// `:expiries` with scores, and a semaphore's `:permits`), then one `HGET` of `:waiters`
    /// per fair lock with a queue, also pipelined. A piece the server refuses is left unknown,
    /// with a note.
    func readKinds(of rows: Range<Int>, into result: inout NodeScan) async throws(RedisError) {
        var needs: [KindNeed] = []
        for row in rows {
            let lock = result.locks[row]
            if lock.type == "string", lock.format == .lockwatch, LockKindDecoder.isFairRecord(lock.value) {
                needs.append(KindNeed(row: row, kind: .fair, fields: []))
            } else if lock.type == "hash", let fields = lock.hashFields, let kind = LockKindDecoder.hashKind(fields) {
                needs.append(KindNeed(row: row, kind: kind, fields: fields))
            }
        }
        guard !needs.isEmpty else { return }
        let asksTime = result.serverTime == 0 && result.proxy == .none && !result.clockIsLocal
        var commands: [RESPCommand] = asksTime ? [RESPCommand("TIME")] : []
        for need in needs {
            let key = result.locks[need.row].keyBytes
            switch need.kind {
            case .fair:
                commands.append(RESPCommand("ZCARD", Self.sibling(key, ":queue")))
                commands.append(RESPCommand("ZRANGE", Self.sibling(key, ":queue"), "0", "0"))
            case .readWrite:
                commands.append(RESPCommand("ZRANGE", Self.sibling(key, ":expiries"), "0", "-1", "WITHSCORES"))
            case .semaphore:
                commands.append(RESPCommand("ZRANGE", Self.sibling(key, ":expiries"), "0", "-1", "WITHSCORES"))
                commands.append(RESPCommand("GET", Self.sibling(key, ":permits")))
            }
        }
        let replies = try await client.send(batch: commands)
        result.add(commands: commands.count)
        var position = 0
        var now = result.serverTime
        if asksTime {
            let time = (try? replies[0].get().decode(as: [Int64].self)) ?? []
            now = time.count == 2 ? time[0] * 1000 + time[1] / 1000 : Int64(Date().timeIntervalSince1970 * 1000)
            position = 1
        }
        if now == 0 { now = Int64(Date().timeIntervalSince1970 * 1000) }
        var heads: [(row: Int, token: [UInt8], queued: Int?)] = []
        for need in needs {
            var lock = result.locks[need.row]
            switch need.kind {
            case .fair:
                let queued = Self.reply(replies[position], into: &result).flatMap { try? $0.decode(as: Int.self) }
                let first = Self.reply(replies[position + 1], into: &result).flatMap { Self.members($0).first }
                position += 2
                if let first {
                    heads.append((need.row, first.member, queued))
                } else {
                    LockKindDecoder.apply(LockKindDecoder.fair(record: lock.value, ttlMilliseconds: lock.ttlMilliseconds,
                                                               queueLength: queued, head: nil), to: &lock)
                }
            case .readWrite, .semaphore:
                let expiries = Self.reply(replies[position], into: &result).map(Self.members) ?? []
                position += 1
                var permits: Int?
                if need.kind == .semaphore {
                    permits = Self.reply(replies[position], into: &result).flatMap { try? $0.decode(as: String?.self) }.flatMap { Int($0) }
                    position += 1
                }
                let scores = Dictionary(expiries.compactMap { entry in entry.score.map { (entry.member, $0) } }, uniquingKeysWith: max)
                LockKindDecoder.apply(LockKindDecoder.holderHash(need.kind, fields: need.fields, expiries: scores,
                                                                 permits: permits, now: now), to: &lock)
            }
            result.locks[need.row] = lock
        }
        guard !heads.isEmpty else { return }
        let headCommands = heads.map { head in
            RESPCommand("HGET", Self.sibling(result.locks[head.row].keyBytes, ":waiters"), ByteBuffer(bytes: head.token))
        }
        let headReplies = try await client.send(batch: headCommands)
        result.add(commands: headCommands.count)
        for (head, reply) in zip(heads, headReplies) {
            var waiter: [UInt8]?
            if let token = Self.reply(reply, into: &result), case .bulkString(let bytes) = token.value { waiter = Array(bytes.readableBytesView) }
            var lock = result.locks[head.row]
            LockKindDecoder.apply(LockKindDecoder.fair(record: lock.value, ttlMilliseconds: lock.ttlMilliseconds,
                                                       queueLength: head.queued, head: (head.token, waiter)), to: &lock)
            result.locks[head.row] = lock
        }
    }

    /// A row of a kind and what it needs.
    private struct KindNeed {
        var row: Int
        var kind: LockKindDetail.Kind
        var fields: [HashField]
    }

    /// `key` + `suffix` as one buffer.
    static func sibling(_ key: [UInt8], _ suffix: String) -> ByteBuffer {
        ByteBuffer(bytes: key + Array(suffix.utf8))
    }

    /// A reply's token; `nil` (with a note when the server refused the command) on an error.
    private static func reply(_ reply: Result<RESPToken, RedisError>, into result: inout NodeScan) -> RESPToken? {
        switch reply {
        case .success(let token): return token
        case .failure(let error):
            if InspectorRefusal.isRefusal(error) {
                let note = InspectorRefusal.note("reading a lock kind's queue, holders or permits", "those details are unknown")
                if !result.notes.contains(note) { result.notes.append(note) }
            }
            return nil
        }
    }

    /// The members (exact bytes) of a `ZRANGE` reply, with their scores as integers when the
    /// reply has them: a flat array (RESP2) or pairs (RESP3); without `WITHSCORES`, asked for one
    /// member only (a longer plain list would read as pairs).
    static func members(_ reply: RESPToken) -> [(member: [UInt8], score: Int64?)] {
        guard case .array(let items) = reply.value else { return [] }
        var entries: [(member: [UInt8], score: Int64?)] = []
        var pending: [UInt8]?
        for item in items {
            switch item.value {
            case .array(let pair):
                let parts = Array(pair)
                guard let member = parts.first.flatMap(bytes) else { continue }
                entries.append((member, parts.count > 1 ? score(parts[1]) : nil))
            case .bulkString(let buffer):
                if let member = pending {
                    entries.append((member, score(item)))
                    pending = nil
                } else {
                    pending = Array(buffer.readableBytesView)
                }
            default:
                if let member = pending {
                    entries.append((member, score(item)))
                    pending = nil
                }
            }
        }
        if let member = pending { entries.append((member, nil)) }
        return entries
    }

    private static func bytes(_ token: RESPToken) -> [UInt8]? {
        if case .bulkString(let buffer) = token.value { return Array(buffer.readableBytesView) }
        return nil
    }

    /// A sorted-set score (ms) as an integer: a bulk string under RESP2, a double under RESP3.
    private static func score(_ token: RESPToken) -> Int64? {
        switch token.value {
        case .double(let value): return value.isFinite && abs(value) < 9.2e18 ? Int64(value) : nil
        case .bulkString(let buffer):
            guard let value = Double(String(decoding: buffer.readableBytesView, as: UTF8.self)), value.isFinite, abs(value) < 9.2e18 else { return nil }
            return Int64(value)
        case .integer(let value): return value
        default: return nil
        }
    }
}
