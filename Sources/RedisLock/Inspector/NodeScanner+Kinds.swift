import Foundation
import NIOCore
import RESP

extension NodeScanner {
    /// Reads what the lock kinds among `rows` need beyond their value, and decodes them (see
    /// ``LockKindDecoder``): only rows of a kind cost anything. One pipelined batch (a fair
    /// lock's `ZCARD` + first member of `:queue`; a read-write lock's or semaphore's
    /// `:expiries` with scores, and a semaphore's `:permits`; the `PTTL` of a Redisson reader's
    /// latest `rwlock_timeout` keys), then one `HGET` of `:waiters`
    /// per fair lock with a queue, also pipelined. A piece the server refuses is left unknown,
    /// with a note.
    func readKinds(of rows: Range<Int>, into result: inout NodeScan) async throws(RedisError) {
        var needs: [KindNeed] = []
        for row in rows {
            if let need = KindNeed(row: row, lock: result.locks[row]) { needs.append(need) }
        }
        guard !needs.isEmpty else { return }
        let asksTime = result.serverTime == 0 && result.proxy == .none && !result.clockIsLocal
        var commands: [RESPCommand] = asksTime ? [RESPCommand("TIME")] : []
        for need in needs { commands += need.commands(key: result.locks[need.row].keyBytes) }
        var replies: [Result<RESPToken, RedisError>] = []
        if !commands.isEmpty {
            replies = try await client.send(batch: commands)
            result.add(commands: commands.count)
        }
        var position = 0
        var now = result.serverTime
        if asksTime {
            let time = (try? replies[0].get().decode(as: [Int64].self)) ?? []
            now = time.count == 2 ? time[0] * 1000 + time[1] / 1000 : 0
            position = 1
        }
        if now == 0 { now = Int64(Date().timeIntervalSince1970 * 1000) }
        var heads: [(row: Int, token: [UInt8], queued: Int?)] = []
        for need in needs {
            var lock = result.locks[need.row]
            var answers: [RESPToken?] = []
            for reply in replies[position ..< position + need.commandCount] { answers.append(Self.reply(reply, into: &result)) }
            position += need.commandCount
            switch need.shape {
            case .fair:
                let queued = answers[0].flatMap { try? $0.decode(as: Int.self) }
                if let first = answers[1].flatMap({ Self.members($0).first }) {
                    heads.append((need.row, first.member, queued))
                    continue
                }
                LockKindDecoder.apply(LockKindDecoder.fair(record: lock.value, ttlMilliseconds: lock.ttlMilliseconds,
                                                           queueLength: queued, head: nil), to: &lock)
            case .holderHash(let kind, let fields):
                let expiries = answers[0].map(Self.members) ?? []
                let permits = kind == .semaphore ? answers[1].flatMap { try? $0.decode(as: String?.self) }.flatMap { Int($0) } : nil
                let scores = Dictionary(expiries.compactMap { entry in entry.score.map { (entry.member, $0) } }, uniquingKeysWith: max)
                LockKindDecoder.apply(LockKindDecoder.holderHash(kind, fields: fields, expiries: scores, permits: permits, now: now), to: &lock)
            case .redissonReadWrite(let detail, let plan):
                // The row keeps its `<uuid>:<tid> ×count` owners; each reader gets its lease.
                let ttls = answers.map { answer in answer.flatMap { try? $0.decode(as: Int64.self) } }
                lock.kind = RedissonReadHolds.applying(ttls, plan: plan, lockTTL: lock.ttlMilliseconds, to: detail)
            case .redissonLock(let fields):
                // A plain RLock, or a fair lock when its queue has waiters (the layouts are alike).
                guard let queued = answers[0].flatMap({ try? $0.decode(as: Int.self) }), queued > 0 else { continue }
                let head = answers[1].flatMap { token -> [UInt8]? in
                    if case .bulkString(let bytes) = token.value { Array(bytes.readableBytesView) } else { nil }
                }
                lock.kind = RedissonKinds.fair(fields, queueLength: queued, head: head)
            case .redissonSemaphore(let available):
                let count = answers[0].flatMap { try? $0.decode(as: Int.self) } ?? 0
                guard count > 0, let detail = RedissonKinds.semaphore(
                    available: available, members: answers[1].map(Self.members) ?? [], memberCount: count, now: now) else { continue }
                lock.format = .redisson
                LockKindDecoder.apply(detail, to: &lock)
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
        enum Shape {
            /// This library's fair lock: `ZCARD` and first member of `:queue`.
            case fair
            /// This library's read-write lock or semaphore: `:expiries` with scores, and a
            /// semaphore's `:permits`.
            case holderHash(LockKindDetail.Kind, [HashField])
            /// Redisson's read-write lock: the holders are in the hash; each reader's lease is
            /// the `PTTL` of its latest `rwlock_timeout` keys (``RedissonReadHolds``).
            case redissonReadWrite(LockKindDetail, plan: [(holder: Int, keys: [[UInt8]])])
            /// Redisson's RLock, maybe fair: `LLEN` and `LINDEX 0` of its queue.
            case redissonLock([HashField])
            /// A decimal string, maybe Redisson's semaphore: `ZCARD` and the first 1000 ids of
            /// its `:timeout` set with scores.
            case redissonSemaphore(available: Int)
        }

        var row: Int
        var shape: Shape

        /// What `lock` needs, `nil` when it is no kind (most rows).
        init?(row: Int, lock: InspectedLock) {
            self.row = row
            switch (lock.type, lock.format) {
            case ("string", .lockwatch) where LockKindDecoder.isFairRecord(lock.value):
                shape = .fair
            case ("hash", .lockwatch):
                guard let fields = lock.hashFields, let kind = LockKindDecoder.hashKind(fields) else { return nil }
                shape = .holderHash(kind, fields)
            case ("hash", .redisson):
                guard let fields = lock.hashFields else { return nil }
                shape = RedissonKinds.readWrite(fields).map { .redissonReadWrite($0, plan: RedissonReadHolds.plan(lockKey: lock.keyBytes, detail: $0)) }
                    ?? .redissonLock(fields)
            case ("string", .unknownString):
                guard let available = RedissonKinds.count(lock.value) else { return nil }
                shape = .redissonSemaphore(available: available)
            default:
                return nil
            }
        }

        var commandCount: Int {
            switch shape {
            case .fair, .redissonLock, .redissonSemaphore: 2
            case .holderHash(let kind, _): kind == .semaphore ? 2 : 1
            case .redissonReadWrite(_, let plan): plan.reduce(0) { $0 + $1.keys.count }
            }
        }

        func commands(key: [UInt8]) -> [RESPCommand] {
            switch shape {
            case .fair:
                return [RESPCommand("ZCARD", sibling(key, ":queue")), RESPCommand("ZRANGE", sibling(key, ":queue"), "0", "0")]
            case .holderHash(let kind, _):
                let expiries = RESPCommand("ZRANGE", sibling(key, ":expiries"), "0", "-1", "WITHSCORES")
                return kind == .semaphore ? [expiries, RESPCommand("GET", sibling(key, ":permits"))] : [expiries]
            case .redissonReadWrite(_, let plan):
                return plan.flatMap { $0.keys.map { RESPCommand("PTTL", ByteBuffer(bytes: $0)) } }
            case .redissonLock:
                let queue = ByteBuffer(bytes: RedissonKinds.queueKey(key))
                return [RESPCommand("LLEN", queue), RESPCommand("LINDEX", queue, "0")]
            case .redissonSemaphore:
                let permits = ByteBuffer(bytes: RedissonKinds.permitsKey(key))
                return [RESPCommand("ZCARD", permits), RESPCommand("ZRANGE", permits, "0", "999", "WITHSCORES")]
            }
        }

        private func sibling(_ key: [UInt8], _ suffix: String) -> ByteBuffer { NodeScanner.sibling(key, suffix) }
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
