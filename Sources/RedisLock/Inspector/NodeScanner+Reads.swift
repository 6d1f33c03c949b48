import Foundation
import NIOCore
import RESP

extension NodeScanner {
    /// Appends what reads `keys`: their values (one `MGET`, or a `GET` each on a cluster
    /// node), then per key that is not a helper a `PTTL` and, for a possible
    /// python-redis-lock lock, an `EXISTS` of its sibling.
    func appendReads(to commands: inout RESPCommandBatch, _ keys: [ByteBuffer]) {
        if readsWithMGET {
            commands.append("MGET", keys)
        } else {
            for key in keys { commands.append("GET", key) }
        }
        let roles = keys.map(KeyRole.init)
        var siblings = Self.signalSiblings(of: keys, roles: roles).makeIterator()
        for (key, role) in zip(keys, roles) {
            guard case .lock(let mayHaveSignalSibling) = role else { continue }
            commands.append("PTTL", key)
            if mayHaveSignalSibling, let sibling = siblings.next() {
                commands.append("EXISTS", sibling)
            }
        }
    }

    /// What a scanned key is to the inspector.
    enum KeyRole {
        /// This library's fence counter (`…}:fence`): feeds its lock's rate.
        case fenceCounter
        /// Another key that belongs to a lock without being one: hidden.
        case helper
        /// A lock; whether it may be python-redis-lock's (`lock:NAME`, with a
        /// `lock-signal:NAME` sibling that tells).
        case lock(mayHaveSignalSibling: Bool)

        init(_ key: ByteBuffer) {
            let bytes = key.readableBytesView
            if LockFormatDetector.isFenceCounter(bytes: bytes) {
                self = .fenceCounter
            } else if LockFormatDetector.isHelperKey(bytes: bytes) {
                self = .helper
            } else {
                self = .lock(mayHaveSignalSibling: bytes.starts(with: "lock:".utf8) && !bytes.starts(with: "lock:{".utf8))
            }
        }

    }

    /// `lock-signal:NAME` for each key `lock:NAME` that may have one, in order.
    static func signalSiblings(of keys: [ByteBuffer], roles: [KeyRole]) -> [ByteBuffer] {
        let candidates = zip(keys, roles).filter { _, role in
            if case .lock(mayHaveSignalSibling: true) = role { true } else { false }
        }
        return ByteBuffer.slices(candidates.map(\.0)) { names, key in
            names.writeString("lock-signal:")
            names.writeImmutableBuffer(key.getSlice(at: key.readerIndex + 5, length: key.readableBytes - 5)!)
        }
    }

    /// The values of `keys` from the first replies: one per key; `nil` for a missing key or
    /// one that is not a string; a key that moved to another cluster node is marked.
    func values(of keys: [ByteBuffer], _ replies: ArraySlice<Result<RESPToken, RedisError>>) throws(RedisError) -> (values: [Value], consumed: Int) {
        if readsWithMGET {
            guard let first = replies.first, case .array(let array) = try first.get().value, array.count == keys.count else {
                throw RedisError(.unexpectedReply, "MGET did not answer one value per key")
            }
            return (array.map { token in
                if case .bulkString(let bytes) = token.value { .string(bytes) } else { .none }
            }, 1)
        }
        guard replies.count >= keys.count else { throw RedisError(.unexpectedReply, "a pipelined batch did not answer every GET") }
        var values: [Value] = []
        values.reserveCapacity(keys.count)
        for reply in replies.prefix(keys.count) {
            switch reply {
            case .success(let token):
                if case .bulkString(let bytes) = token.value { values.append(.string(bytes)) } else { values.append(.none) }
            case .failure(let error) where error.code == .permissionDenied:
                // A key this user may not read is left out; a refused GET is an error.
                guard InspectorRefusal.refusedCommand(error) == nil else { throw error }
                values.append(.unreadable)
            case .failure(let error):
                values.append(Self.isRedirection(error) ? .elsewhere : .none)  // WRONGTYPE: a hash
            }
        }
        return (values, keys.count)
    }

    /// Whether values are read with one `MGET` per batch rather than a `GET` each.
    private var readsWithMGET: Bool { mode == .standalone && !getsEachKey }

    /// A key's value as the read saw it.
    enum Value {
        /// A string's bytes (a slice of the reply).
        case string(ByteBuffer)
        /// Missing, or not a string.
        case none
        /// On another cluster node now (`MOVED`/`ASK`).
        case elsewhere
        /// The ACL user may not read this key (`NOPERM` on the key, not the command).
        case unreadable
    }

    static func isRedirection(_ error: RedisError) -> Bool {
        error.serverErrorPrefix == "MOVED" || error.serverErrorPrefix == "ASK"
    }

    /// Decodes the replies to ``appendReads(to:_:)`` for `keys` (and reads the hashes among them).
    func decodeReads(_ keys: [ByteBuffer], _ replies: ArraySlice<Result<RESPToken, RedisError>>, into result: inout NodeScan) async throws(RedisError) {
        let (values, consumed) = try values(of: keys, replies)
        let firstRow = result.locks.count
        var hashKeys: [(key: ByteBuffer, ttl: Int64?)] = []
        var position = replies.startIndex + consumed
        let placement = label.map { LockPlacement.node($0) }
        for (index, key) in keys.enumerated() {
            var hasSignalSibling = false
            switch KeyRole(key) {
            case .fenceCounter:
                if case .string(let value) = values[index], let fence = Self.decimal(value) {
                    let lockKeyLength = key.readableBytes - LockKeys.fenceSuffix.utf8.count
                    let digest = key.withUnsafeReadableBytes { ByteKey.digest(of: UnsafeRawBufferPointer(rebasing: $0.prefix(lockKeyLength))) }
                    result.fenceValues[digest] = fence
                }
                continue
            case .helper:
                continue
            case .lock(let mayHaveSignalSibling):
                if mayHaveSignalSibling {
                    hasSignalSibling = (try? replies[position + 1].get().decode(as: Int.self)) == 1
                    if case .failure(let error) = replies[position + 1], InspectorRefusal.isRefusal(error) {
                        let note = InspectorRefusal.note("EXISTS", "python-redis-lock locks may show as unknown-string")
                        if !result.notes.contains(note) { result.notes.append(note) }
                    }
                }
                let ttlReply = replies[position]
                position += mayHaveSignalSibling ? 2 : 1
                if case .elsewhere = values[index] { continue }
                if case .unreadable = values[index] {
                    let note = InspectorRefusal.note("reading some keys", "this ACL user may not read them, so they are not listed")
                    if !result.notes.contains(note) { result.notes.append(note) }
                    continue
                }
                guard let ttl = try ttl(from: ttlReply) else { continue }  // vanished (or moved) since SCAN
                guard case .string(let bytes) = values[index] else {
                    hashKeys.append((key, ttl.milliseconds))  // a hash or another type (or just vanished)
                    continue
                }
                result.locks.append(decodeString(key: key, value: bytes, ttl: ttl, hasSignalSibling: hasSignalSibling, placement: placement))
            }
        }
        if !hashKeys.isEmpty {
            try await readHashes(hashKeys, into: &result)
        }
        try await readKinds(of: firstRow ..< result.locks.count, into: &result)
    }

    /// A string lock's row. This library's records in the acquire script's exact shape are
    /// read in place, without copying the value (the row rebuilds it on demand).
    func decodeString(key: ByteBuffer, value: ByteBuffer, ttl: TimeToLive, hasSignalSibling: Bool, placement: LockPlacement?) -> InspectedLock {
        let keyBytes = Array(key.readableBytesView)
        if let record = value.withUnsafeReadableBytes({ RecordFastPath.parse($0) }) {
            return InspectedLock(keyBytes: keyBytes, record: record, ttlMilliseconds: ttl.milliseconds, placement: placement)
        }
        let bytes = Array(value.readableBytesView)
        let decoded = LockFormatDetector.classifyString(
            key: String(decoding: keyBytes, as: UTF8.self), value: bytes, hasSignalSibling: hasSignalSibling)
        return InspectedLock(
            keyBytes: keyBytes, format: decoded.format, type: "string", owner: decoded.owner,
            token: decoded.token, value: bytes, ttlMilliseconds: ttl.milliseconds,
            acquiredAtMilliseconds: decoded.acquiredAtMilliseconds, fence: decoded.fence,
            placement: placement)
    }

    /// A fence counter's decimal value, read without making a String.
    static func decimal(_ bytes: ByteBuffer) -> Int64? {
        let digits = bytes.readableBytesView
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
    }

    func readHashes(_ keys: [(key: ByteBuffer, ttl: Int64?)], into result: inout NodeScan) async throws(RedisError) {
        var commands: [RESPCommand] = []
        for (key, _) in keys {
            commands.append(RESPCommand("TYPE", key))
            commands.append(RESPCommand("HGETALL", key))
        }
        let replies = try await client.send(batch: commands)
        result.add(commands: commands.count)
        for (offset, entry) in keys.enumerated() {
            for reply in replies[(offset * 2) ... (offset * 2 + 1)] {
                if case .failure(let error) = reply, error.code == .permissionDenied { throw error }
            }
            guard let type = try? replies[offset * 2].get().decode(as: String.self), type == "hash",
                  case .success(let token) = replies[offset * 2 + 1] else { continue }
            let fields = try Self.hashFields(token)
            let keyBytes = Array(entry.key.readableBytesView)
            let decoded = LockFormatDetector.classifyHash(
                key: String(decoding: keyBytes, as: UTF8.self),
                fields: fields.map { (String(decoding: $0.field, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)) })
            result.locks.append(InspectedLock(
                keyBytes: keyBytes, format: decoded.format, type: "hash", owner: decoded.owner, token: decoded.token,
                ttlMilliseconds: entry.ttl,
                placement: label.map { .node($0) }, hashFields: fields))
        }
    }

    /// A hash's fields from an `HGETALL` reply (a flat array, or a map under RESP3), as exact
    /// bytes sorted by field.
    static func hashFields(_ reply: RESPToken) throws(RedisError) -> [HashField] {
        func bytes(_ token: RESPToken) throws(RedisError) -> [UInt8] {
            guard case .bulkString(let buffer) = token.value else { throw token.unexpected("a hash field or value") }
            return Array(buffer.readableBytesView)
        }
        var fields: [HashField] = []
        switch reply.value {
        case .array(let items):
            var iterator = items.makeIterator()
            while let field = iterator.next() {
                guard let value = iterator.next() else { throw reply.unexpected("field and value pairs") }
                fields.append(HashField(field: try bytes(field), value: try bytes(value)))
            }
        case .map(let pairs):
            for pair in pairs { fields.append(HashField(field: try bytes(pair.key), value: try bytes(pair.value))) }
        default:
            throw reply.unexpected("an HGETALL reply")
        }
        return fields.sorted { $0.field.lexicographicallyPrecedes($1.field) }
    }
}
